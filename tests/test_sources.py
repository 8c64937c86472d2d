"""The sources file: parsing, every validation message, defaults, and the bundled list of outlets."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from crosswire.core.errors import SourcesError
from crosswire.core.paths import bundled_sources_path
from crosswire.core.sourcecheck import CHECKS
from crosswire.core.sources import (
    OWNERSHIP_TAGS,
    PERSPECTIVE_TAGS,
    Source,
    is_http_url,
    load_sources,
    parse_sources,
    select_sources,
)

GOOD = '''
[defaults]
delay = 3
language = "en"

[[source]]
name = "sana"
title = "SANA"
homepage = "https://sana.sy/en/"
feeds = ["https://sana.sy/en/?feed=rss2"]
country = "SY"
tags = ["syrian-state", "state-media"]

[[source]]
name = "meduza"
homepage = "https://meduza.io/en"
language = "ru"
delay = 0.5
concurrency = 2
enabled = false
'''


def test_parse_full_example():
    assert [
        Source(
            name="sana", title="SANA", homepage="https://sana.sy/en/", feeds=("https://sana.sy/en/?feed=rss2",),
            language="en", country="SY", tags=("syrian-state", "state-media"), delay=3.0,
        ),
        Source(
            name="meduza", homepage="https://meduza.io/en", language="ru", delay=0.5, concurrency=2, enabled=False,
        ),
    ] == parse_sources(GOOD, "sources.toml")


def test_defaults_are_converted_and_typed():
    sana = parse_sources(GOOD, "sources.toml")[0]
    assert isinstance(sana.delay, float)
    assert sana.concurrency is None  # unset everywhere: the crawler's own setting applies


def test_as_dict_is_json_ready():
    meduza = parse_sources(GOOD, "sources.toml")[1]
    assert {
        "name": "meduza", "homepage": "https://meduza.io/en", "title": None, "feeds": [], "language": "ru",
        "country": None, "tags": [], "delay": 0.5, "concurrency": 2, "enabled": False,
    } == meduza.as_dict()


def test_display_name():
    sana, meduza = parse_sources(GOOD, "sources.toml")
    assert ("SANA", "meduza") == (sana.display_name, meduza.display_name)


def test_every_source_field_has_a_check():
    # Adding a key means a Source field and a check; this keeps the two in step.
    assert {f.name for f in fields(Source)} == set(CHECKS)


def src(body: str) -> str:
    """A file with one good source before the source under test, so indexes and duplicates can be checked."""
    return f'[[source]]\nname = "ok"\nhomepage = "https://ok.example"\n\n[[source]]\n{body}\n'


BAD = [
    # TOML syntax, with the line number
    ('[[source]]\nname = "a"\nhomepage = https://x\n',
     "sources.toml: invalid TOML: Invalid value (at line 3, column 12)"),
    # file structure
    ("", "sources.toml: no [[source]] tables found"),
    ('[source]\nname = "a"\n', 'sources.toml: "source" must be [[source]] tables, got a table'),
    ('[[sources]]\nname = "a"\n', 'sources.toml: unknown top-level key "sources" (did you mean "source"?)'),
    ('title = "mine"\n', 'sources.toml: unknown top-level key "title"'),
    ("source = [1]\n", "sources.toml: source #1: expected a table, got an integer"),
    # name
    (src('homepage = "https://x.example"'), 'sources.toml: source #2: missing required field "name"'),
    (src('name = 7\nhomepage = "https://x.example"'),
     'sources.toml: source #2: field "name": expected a string, got an integer'),
    (src('name = "Al Jazeera"\nhomepage = "https://x.example"'),
     'sources.toml: source #2: field "name": expected a lowercase slug like "al-jazeera" (a-z, 0-9, "-", "_"), '
     'got "Al Jazeera"'),
    (src('name = "ok"\nhomepage = "https://x.example"'),
     'sources.toml: source #2: field "name": "ok" is already used by source #1'),
    # unknown and missing keys
    (src('name = "sana"\nhomepage = "https://sana.sy"\nfeed = ["https://sana.sy/rss"]'),
     'sources.toml: source "sana": unknown field "feed" (did you mean "feeds"?)'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nowner = "state"'),
     'sources.toml: source "sana": unknown field "owner"'),
    (src('name = "sana"'), 'sources.toml: source "sana": missing required field "homepage"'),
    # URLs
    (src('name = "sana"\nhomepage = "sana.sy"'),
     'sources.toml: source "sana": field "homepage": expected an http(s) URL, got "sana.sy"'),
    (src('name = "sana"\nhomepage = "ftp://sana.sy/"'),
     'sources.toml: source "sana": field "homepage": expected an http(s) URL, got "ftp://sana.sy/"'),
    (src('name = "sana"\nhomepage = ["https://sana.sy"]'),
     'sources.toml: source "sana": field "homepage": expected an http(s) URL, got a list'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nfeeds = "https://sana.sy/en/?feed=rss2"'),
     'sources.toml: source "sana": field "feeds": expected a list of URLs, got a string'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nfeeds = ["https://sana.sy/a", "https://sana.sy/b c"]'),
     'sources.toml: source "sana": field "feeds": item 2: expected an http(s) URL, got "https://sana.sy/b c"'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nfeeds = ["https://sana.sy/a", 3]'),
     'sources.toml: source "sana": field "feeds": item 2: expected an http(s) URL, got an integer'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nfeeds = ["https://sana.sy/a", "https://sana.sy/a"]'),
     'sources.toml: source "sana": field "feeds": item 2: "https://sana.sy/a" is listed twice'),
    ('[[source]]\nname = "a"\nhomepage = "https://a.example"\nfeeds = ["https://wire.example/rss"]\n'
     '[[source]]\nname = "b"\nhomepage = "https://b.example"\nfeeds = ["https://wire.example/rss"]\n',
     'sources.toml: source "b": field "feeds": "https://wire.example/rss" is already listed by source "a"'),
    # title
    (src('name = "sana"\nhomepage = "https://sana.sy"\ntitle = "  "'),
     'sources.toml: source "sana": field "title": must not be empty'),
    # codes
    (src('name = "sana"\nhomepage = "https://sana.sy"\nlanguage = "eng"'),
     'sources.toml: source "sana": field "language": expected an ISO 639-1 code like "en", got "eng"'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nlanguage = "AR"'),
     'sources.toml: source "sana": field "language": expected an ISO 639-1 code like "en", got "AR" '
     '(did you mean "ar"?)'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\ncountry = "sy"'),
     'sources.toml: source "sana": field "country": expected an ISO 3166-1 alpha-2 code like "SY", got "sy" '
     '(did you mean "SY"?)'),
    (src('name = "bbc"\nhomepage = "https://bbc.com"\ncountry = "UK"'),
     'sources.toml: source "bbc": field "country": expected an ISO 3166-1 alpha-2 code like "SY", got "UK" '
     '(did you mean "GB"?)'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\ncountry = "Syria"'),
     'sources.toml: source "sana": field "country": expected an ISO 3166-1 alpha-2 code like "SY", got "Syria"'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\ncountry = 963'),
     'sources.toml: source "sana": field "country": expected an ISO 3166-1 alpha-2 code like "SY", got an integer'),
    # tags
    (src('name = "sana"\nhomepage = "https://sana.sy"\ntags = "state-media"'),
     'sources.toml: source "sana": field "tags": expected a list of strings, got a string'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\ntags = ["wire", "State Media"]'),
     'sources.toml: source "sana": field "tags": item 2: expected a lowercase tag like "state-media", '
     'got "State Media"'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\ntags = ["wire", true]'),
     'sources.toml: source "sana": field "tags": item 2: expected a string, got a boolean'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\ntags = ["wire", "wire"]'),
     'sources.toml: source "sana": field "tags": item 2: "wire" is listed twice'),
    # numbers and booleans
    (src('name = "sana"\nhomepage = "https://sana.sy"\ndelay = -1.5'),
     'sources.toml: source "sana": field "delay": expected a number of seconds >= 0, got -1.5'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\ndelay = "2s"'),
     'sources.toml: source "sana": field "delay": expected a number of seconds >= 0, got a string'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\ndelay = nan'),
     'sources.toml: source "sana": field "delay": expected a number of seconds >= 0, got nan'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\ndelay = true'),
     'sources.toml: source "sana": field "delay": expected a number of seconds >= 0, got a boolean'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nconcurrency = 0'),
     'sources.toml: source "sana": field "concurrency": expected an integer >= 1, got 0'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nconcurrency = 1.5'),
     'sources.toml: source "sana": field "concurrency": expected an integer >= 1, got a float'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nenabled = "no"'),
     'sources.toml: source "sana": field "enabled": expected true or false, got a string'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nenabled = 2024-12-08'),
     'sources.toml: source "sana": field "enabled": expected true or false, got a date/time'),
    # request headers
    (src('name = "tass"\nhomepage = "https://tass.com"\nheaders = "Accept: */*"'),
     'sources.toml: source "tass": field "headers": expected a table of header names and values like '
     '{ Accept = "application/rss+xml" }, got a string'),
    (src('name = "tass"\nhomepage = "https://tass.com"\nheaders = { "User-Agent" = "Mozilla/5.0" }'),
     'sources.toml: source "tass": field "headers": "User-Agent" cannot be set: crosswire always identifies itself '
     'with its own User-Agent'),
    (src('name = "tass"\nhomepage = "https://tass.com"\nheaders = { user-agent = "Mozilla/5.0" }'),
     'sources.toml: source "tass": field "headers": "user-agent" cannot be set: crosswire always identifies itself '
     'with its own User-Agent'),
    (src('name = "tass"\nhomepage = "https://tass.com"\nheaders = { Cookie = "session=1" }'),
     'sources.toml: source "tass": field "headers": "Cookie" cannot be set: crosswire never sends credentials '
     '(nor cookies)'),
    (src('name = "tass"\nhomepage = "https://tass.com"\nheaders = { If-None-Match = "x" }'),
     'sources.toml: source "tass": field "headers": "If-None-Match" cannot be set: crosswire sets it for '
     'conditional GETs'),
    (src('name = "tass"\nhomepage = "https://tass.com"\nheaders = { "Accept Language" = "ru" }'),
     'sources.toml: source "tass": field "headers": "Accept Language" is not an HTTP header name'),
    (src('name = "tass"\nhomepage = "https://tass.com"\nheaders = { Accept = "a", accept = "b" }'),
     'sources.toml: source "tass": field "headers": "accept" is given twice (header names ignore case)'),
    (src('name = "tass"\nhomepage = "https://tass.com"\nheaders = { Accept = 1 }'),
     'sources.toml: source "tass": field "headers": "Accept": expected a string, got an integer'),
    (src('name = "tass"\nhomepage = "https://tass.com"\nheaders = { Accept = "a\\r\\nX-Evil: 1" }'),
     'sources.toml: source "tass": field "headers": "Accept": expected one line of at most 1000 characters'),
    # checked, note
    (src('name = "sana"\nhomepage = "https://sana.sy"\nchecked = "last week"'),
     'sources.toml: source "sana": field "checked": expected a date like 2026-12-01, got "last week"'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nchecked = "2026-02-30"'),
     'sources.toml: source "sana": field "checked": expected a date like 2026-12-01, got "2026-02-30"'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nchecked = 2026-03-01T10:00:00Z'),
     'sources.toml: source "sana": field "checked": expected a date like 2026-12-01, got a date/time'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nchecked = 2206-03-01'),
     'sources.toml: source "sana": field "checked": 2206-03-01 is in the future'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nnote = " "'),
     'sources.toml: source "sana": field "note": must not be empty'),
    (src('name = "sana"\nhomepage = "https://sana.sy"\nnote = ["blocked"]'),
     'sources.toml: source "sana": field "note": expected a string, got a list'),
    # [defaults]
    ("defaults = 3\n" + src('name = "a"\nhomepage = "https://a.example"'),
     'sources.toml: "defaults" must be a [defaults] table, got an integer'),
    ("[defaults]\ndealy = 2\n" + src('name = "a"\nhomepage = "https://a.example"'),
     'sources.toml: [defaults]: unknown field "dealy" (did you mean "delay"?)'),
    ("[defaults]\nhomepage = \"https://a.example\"\n" + src('name = "a"'),
     'sources.toml: [defaults]: field "homepage" cannot have a default (allowed: delay, concurrency, language)'),
    ("[defaults]\ndelay = -2\n" + src('name = "a"\nhomepage = "https://a.example"'),
     'sources.toml: [defaults]: field "delay": expected a number of seconds >= 0, got -2'),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(": ", 1)[1][:60] for _, m in BAD])
def test_bad_input_is_one_clear_line(text: str, message: str):
    with pytest.raises(SourcesError) as info:
        parse_sources(text, "sources.toml")
    assert message == str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://sana.sy/en/?feed=rss2", True),
        ("http://127.0.0.1:8080/feed.xml", True),  # local test servers must be allowed
        ("http://localhost/rss", True),
        ("https://", False),
        ("mailto:desk@example.com", False),
        ("https://example.com:99999/", False),
        ("http://[::1/", False),
        ("", False),
    ],
)
def test_is_http_url(url: str, ok: bool):
    assert ok is is_http_url(url)


def test_load_sources_names_the_path(tmp_path: Path):
    path = tmp_path / "mine.toml"
    path.write_text('[[source]]\nname = "a"\nhomepage = "nope"\n', encoding="utf-8")
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    assert f'{path}: source "a": field "homepage": expected an http(s) URL, got "nope"' == str(info.value)


def test_load_sources_missing_file(tmp_path: Path):
    with pytest.raises(SourcesError) as info:
        load_sources(tmp_path / "absent.toml")
    assert f"sources file not found: {tmp_path / 'absent.toml'}" == str(info.value)


def test_load_sources_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'# caf\xe9\n')
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    assert f"{path}: not UTF-8 text (bad byte at offset 5)" == str(info.value)


def test_load_sources_directory(tmp_path: Path):
    with pytest.raises(SourcesError) as info:
        load_sources(tmp_path)
    assert str(info.value).startswith(f"cannot read sources file {tmp_path}: ")


def test_select_sources():
    sources = parse_sources(GOOD, "sources.toml")
    assert ["sana"] == [s.name for s in select_sources(sources)]  # meduza is disabled
    assert ["sana", "meduza"] == [s.name for s in select_sources(sources, ["meduza", "sana"])]
    with pytest.raises(SourcesError) as info:
        select_sources(sources, ["medusa"])
    assert 'unknown source "medusa" (did you mean "meduza"?)' == str(info.value)


# --- the bundled file -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> list[Source]:
    return load_sources(bundled_sources_path())


def test_bundled_file_is_big_and_names_are_unique(bundled: list[Source]):
    names = [s.name for s in bundled]
    assert 45 == len(bundled)      # README and CHANGELOG say so (test_docs holds them to it)
    assert len(names) == len(set(names))


def test_bundled_file_covers_every_perspective(bundled: list[Source]):
    present = {tag for s in bundled if s.enabled for tag in s.tags}
    wanted = {"wire", "western", "russian", "ukrainian", "arab", "kurdish", "turkish", "iranian", "israeli",
              "syrian-state", "opposition", "sudanese", "monitor", "independent"}
    assert set() == wanted - present


def test_bundled_sources_are_fully_described(bundled: list[Source]):
    # Each outlet: a perspective, an ownership, a language, a polite delay, and the date its routes were checked.
    incomplete = [
        s.name for s in bundled
        if not set(s.tags) & set(PERSPECTIVE_TAGS) or not set(s.tags) & set(OWNERSHIP_TAGS)
        or s.language is None or s.delay is None or s.delay < 1 or not s.title or s.checked is None
    ]
    assert [] == incomplete


def test_every_bundled_source_has_a_route_and_every_disabled_one_says_why(bundled: list[Source]):
    assert [] == [s.name for s in bundled if not s.routes()]
    assert ["al-arabiya", "times-of-israel", "reliefweb"] == [s.name for s in bundled if not s.enabled]
    assert [] == [s.name for s in bundled if not s.enabled and not s.note]


def test_bundled_wires_without_feeds_are_read_through_their_news_sitemaps(bundled: list[Source]):
    by_name = {s.name: s for s in bundled}
    assert {"reuters": [("sitemap", "https://www.reuters.com/arc/outboundfeeds/news-sitemap-index/?outputType=xml")],
            "ap": [("sitemap", "https://apnews.com/news-sitemap-content.xml")]} == {
        s.name: s.routes() for s in bundled if not s.feeds}
    assert [("feed", "https://theduran.com/feed/"), ("listing", "https://theduran.com/category/news/")] == (
        by_name["the-duran"].routes())


def test_bundled_languages(bundled: list[Source]):
    """English, Arabic and Russian routes; at least six outside English."""
    routes = {}
    for s in bundled:
        if s.enabled:
            routes[s.language] = routes.get(s.language, 0) + len(s.routes())
    assert {"en", "ar", "ru"} == set(routes)
    assert 6 <= routes["ar"] + routes["ru"]


def test_bundled_file_starts_with_the_honesty_note():
    head = bundled_sources_path().read_text(encoding="utf-8")[:1200]
    assert "correct to the best of our knowledge" in head
    assert "crosswire sources list" in head
