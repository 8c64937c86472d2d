"""`crosswire sources list` and `crosswire sources check`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.core.paths import SOURCES_ENV, bundled_sources_path
from crosswire.core.sources import load_sources

TWO = '''
[defaults]
delay = 2.0

[[source]]
name = "sana"
title = "SANA (Syrian Arab News Agency)"
homepage = "https://sana.sy/en/"
feeds = ["https://sana.sy/en/?feed=rss2"]
language = "en"
country = "SY"
tags = ["wire", "syrian-state", "state-media"]
checked = 2026-11-30

[[source]]
name = "kyiv-independent"
homepage = "https://kyivindependent.com"
feeds = ["https://kyivindependent.com/news-archive/rss/", "https://kyivindependent.com/rss/"]
sitemaps = ["https://kyivindependent.com/sitemap-news.xml"]
language = "en"
country = "UA"
tags = ["ukrainian", "independent", "private"]

[[source.listing]]
url = "https://kyivindependent.com/tag/war/"
links = "article h2 a"
'''


@pytest.fixture
def two(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(TWO, encoding="utf-8")
    return path


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # Rich would treat output as a terminal if these leaked in from the developer's shell.
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", SOURCES_ENV):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def test_list_plain_table(runner: CliRunner, two: Path):
    result = runner.invoke(main, ["sources", "list", "--sources", str(two)])
    assert 0 == result.exit_code, result.output
    assert [
        "name              title                           country  language "
        " tags                             feeds  sitemaps  listings  checked",
        "sana              SANA (Syrian Arab News Agency)  SY       en       "
        " wire, syrian-state, state-media      1         0         0  2026-11-30",
        "kyiv-independent                                  UA       en       "
        " ukrainian, independent, private      2         1         1  -",
    ] == result.output.splitlines()


def test_list_shows_enabled_column_only_when_something_is_disabled(runner: CliRunner, tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text(TWO.replace('country = "UA"', 'country = "UA"\nenabled = false'), encoding="utf-8")
    result = runner.invoke(main, ["sources", "list", "--sources", str(path)])
    assert 0 == result.exit_code, result.output
    assert [
        "name              title                           country  language "
        " tags                             feeds  sitemaps  listings  checked     enabled",
        "sana              SANA (Syrian Arab News Agency)  SY       en       "
        " wire, syrian-state, state-media      1         0         0  2026-11-30  yes",
        "kyiv-independent                                  UA       en       "
        " ukrainian, independent, private      2         1         1  -           no",
        "kyiv-independent is disabled: no reason given",
    ] == result.output.splitlines()


def test_list_says_why_a_source_is_disabled(runner: CliRunner, tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text(TWO.replace('country = "UA"', 'country = "UA"\nenabled = false\nnote = "Answers 403 to crawlers."'),
                    encoding="utf-8")
    result = runner.invoke(main, ["sources", "list", "--sources", str(path)])
    assert (0, "kyiv-independent is disabled: Answers 403 to crawlers.") == (
        result.exit_code, result.output.splitlines()[-1])


def test_list_json(runner: CliRunner, two: Path):
    result = runner.invoke(main, ["sources", "list", "--sources", str(two), "--json"])
    assert 0 == result.exit_code, result.output
    assert [
        {
            "name": "sana", "homepage": "https://sana.sy/en/", "title": "SANA (Syrian Arab News Agency)",
            "feeds": ["https://sana.sy/en/?feed=rss2"], "language": "en", "country": "SY",
            "tags": ["wire", "syrian-state", "state-media"], "delay": 2.0, "concurrency": None, "enabled": True,
            "checked": "2026-11-30",
        },
        {
            "name": "kyiv-independent", "homepage": "https://kyivindependent.com", "title": None,
            "feeds": ["https://kyivindependent.com/news-archive/rss/", "https://kyivindependent.com/rss/"],
            "language": "en", "country": "UA", "tags": ["ukrainian", "independent", "private"], "delay": 2.0,
            "concurrency": None, "enabled": True, "sitemaps": ["https://kyivindependent.com/sitemap-news.xml"],
            "listing": [{"url": "https://kyivindependent.com/tag/war/", "links": "article h2 a", "item": None,
                         "headline": None, "lede": None, "date": None, "next": None, "max_pages": None}],
        },
    ] == json.loads(result.output)


def test_list_uses_env_then_bundled(runner: CliRunner, two: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(SOURCES_ENV, str(two))
    from_env = runner.invoke(main, ["sources", "list", "--json"])
    assert ["sana", "kyiv-independent"] == [s["name"] for s in json.loads(from_env.output)]
    monkeypatch.delenv(SOURCES_ENV)
    bundled = runner.invoke(main, ["sources", "list", "--json"])
    assert 0 == bundled.exit_code, bundled.output
    assert [s.name for s in load_sources(bundled_sources_path())] == [s["name"] for s in json.loads(bundled.output)]


def test_list_bundled_plain_is_not_truncated(runner: CliRunner):
    result = runner.invoke(main, ["sources", "list"])
    assert 0 == result.exit_code, result.output
    lines = result.output.splitlines()
    assert "…" not in result.output
    assert ["name", "title", "country", "language", "tags", "feeds", "sitemaps", "listings", "checked",
            "enabled"] == lines[0].split()
    assert "ACLED (Armed Conflict Location & Event Data)" in result.output  # the longest title, whole
    assert all(line == line.rstrip() for line in lines)
    bundled = load_sources(bundled_sources_path())
    assert [s.name for s in bundled] == [line.split()[0] for line in lines[1:1 + len(bundled)]]
    # Every bundled route was checked on a date, and every disabled source says why.
    assert [] == [line for line in lines[1:1 + len(bundled)] if not re.search(r"  \d{4}-\d{2}-\d{2}  (yes|no)$", line)]
    assert [f"{s.name} is disabled: {s.note}" for s in bundled if not s.enabled] == lines[1 + len(bundled):]


def test_check_ok(runner: CliRunner, two: Path):
    result = runner.invoke(main, ["sources", "check", "--sources", str(two)])
    assert (0, "OK: 2 sources, 3 feeds, 1 sitemap, 1 listing\n") == (result.exit_code, result.output)


def test_check_bundled(runner: CliRunner):
    result = runner.invoke(main, ["sources", "check"])
    assert 0 == result.exit_code, result.output
    assert result.output.startswith("OK: ")


@pytest.mark.parametrize("command", ["check", "list"])
def test_bad_file_is_one_line_and_exit_1(runner: CliRunner, tmp_path: Path, command: str):
    path = tmp_path / "sources.toml"
    path.write_text(TWO.replace('feeds = ["https://sana.sy/en/?feed=rss2"]', 'feeds = "https://sana.sy/"'),
                    encoding="utf-8")
    result = runner.invoke(main, ["sources", command, "--sources", str(path)])
    assert (1, f'Error: {path}: source "sana": field "feeds": expected a list of URLs, got a string\n') == (
        result.exit_code, result.output)


def test_check_missing_file(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(main, ["sources", "check", "--sources", str(tmp_path / "nope.toml")])
    assert (1, f"Error: sources file not found: {tmp_path / 'nope.toml'}\n") == (result.exit_code, result.output)


def test_commands_have_help_with_examples(runner: CliRunner):
    for command in ("list", "check"):
        result = runner.invoke(main, ["sources", command, "--help"])
        assert 0 == result.exit_code
        assert f"Example:\n      crosswire sources {command}" in result.output


def test_bundled_list_json_shows_every_route_with_its_checked_date(runner: CliRunner):
    """Reuters and AP through their news sitemaps, The Duran through its feed and its listing, six routes and
    more in Arabic and Russian, and no route without the date it was checked."""
    result = runner.invoke(main, ["sources", "list", "--json"])
    assert 0 == result.exit_code, result.output
    listed = {s["name"]: s for s in json.loads(result.output)}
    assert ["https://www.reuters.com/arc/outboundfeeds/news-sitemap-index/?outputType=xml"] == (
        listed["reuters"]["sitemaps"])
    assert ["https://apnews.com/news-sitemap-content.xml"] == listed["ap"]["sitemaps"]
    duran = listed["the-duran"]
    assert (["https://theduran.com/feed/"], ["https://theduran.com/category/news/"]) == (
        duran["feeds"], [listing["url"] for listing in duran["listing"]])
    def routes(s: dict) -> int:
        return len(s["feeds"]) + len(s.get("sitemaps", [])) + len(s.get("listing", []))
    assert 6 <= sum(routes(s) for s in listed.values() if s["enabled"] and s["language"] != "en")
    assert [] == [name for name, s in listed.items() if routes(s) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}",
                                                                                          s.get("checked") or "")]
