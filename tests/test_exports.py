"""Every export format, parsed back: feeds with feedparser (no bozo), JSON Feed/JSONL with json, CSV with csv."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from crosswire.core.article import Article
from crosswire.cli import main
from crosswire.exports.atom import write_atom
from crosswire.exports.common import FeedInfo
from crosswire.exports.jsonfeed import write_jsonfeed
from crosswire.exports.rss import write_rss
from crosswire.exports.common import content_html
from crosswire.exports.static import write_static
from crosswire.exports.opml import export_opml, import_opml, sources_toml
from crosswire.core.sources import Source, parse_sources
from searchdata import build_archive
from crosswire.storage.articles import store_article
from crosswire.storage.db import open_db
from crosswire.exports.data import write_csv, write_jsonl
from crosswire.storage.export import iter_articles
from crosswire.storage.saved import add_search
from crosswire.storage.search import iter_matching

INFO = FeedInfo(title="crosswire: deir", id="tag:crosswire,2026:searches/deir",
                self_url="https://feeds.example/searches/deir.atom", home_url="https://feeds.example/")
EXPECTED_ENTRIES = [   # "deir OR дейр* OR دير", newest first, copy 6 folded into 1
    ("https://levantdaily.example/news/ghara-dayr", "غارات جوية على مستودع وقود قرب دير الزور", []),
    ("https://volgaherald.example/news/udary-po-skladu", "Удары по складу топлива под Дейр-эз-Зором", ["Ирина Лебедева"]),
    ("https://harborpost.example/world/aid-convoy-hasakah", "Aid convoy reaches Hasakah after week of delays",
     ["Tom Reyes", "Aisha Bar"]),
    ("https://northwind.example/2026/01/14/depot", "Drone strikes hit fuel depot near Deir Ezzor", ["Mara Quill"]),
]


@pytest.fixture(scope="module")
def db():
    return build_archive(open_db(memory=True))


@pytest.fixture
def records(db) -> list[dict]:
    return list(iter_matching(db, "deir OR дейр* OR دير", sort="date"))


def test_atom_parses_clean_with_fields_intact(records) -> None:
    parsed = feedparser.parse(write_atom(records, INFO))
    assert (0, "atom10") == (parsed.bozo, parsed.version)
    assert ("crosswire: deir", "tag:crosswire,2026:searches/deir", "2026-01-17T09:00:00Z") == (
        parsed.feed.title, parsed.feed.id, parsed.feed.updated)
    assert [("self", "https://feeds.example/searches/deir.atom"), ("alternate", "https://feeds.example/")] == [
        (link.rel, link.href) for link in parsed.feed.links]
    assert EXPECTED_ENTRIES == [(e.id, e.title, [a.name for a in e.get("authors", []) if a]) for e in parsed.entries]
    first = parsed.entries[-1]
    assert ("2026-01-14T08:00:00Z", "Several explosions shook the eastern city before dawn.",
            "<p>Drone strikes hit a fuel depot on the southern edge of Deir Ezzor before dawn on Wednesday, "
            "residents said.</p><p>Smoke rose over the river for hours. No group claimed the attack.</p>",
            "northwind-wire") == (first.published, first.summary, first.content[0].value, first.tags[0].term)


def test_atom_entry_ids_and_bytes_are_stable_across_exports(db, records) -> None:
    again = list(iter_matching(db, "deir OR дейр* OR دير", sort="date"))
    assert write_atom(records, INFO) == write_atom(again, INFO)


def test_rss_parses_clean_with_guid_and_rfc822_dates(records) -> None:
    data = write_rss(records, INFO)
    parsed = feedparser.parse(data)
    assert (0, "rss20") == (parsed.bozo, parsed.version)
    assert [(url, title) for url, title, _ in EXPECTED_ENTRIES] == [(e.id, e.title) for e in parsed.entries]
    assert 4 == data.count(b'<guid isPermaLink="true">https://')
    assert b"<pubDate>Wed, 14 Jan 2026 08:00:00 GMT</pubDate>" in data
    assert b'<atom:link rel="self" type="application/rss+xml" href="https://feeds.example/searches/deir.atom"/>' in data
    assert ["Tom Reyes", "Aisha Bar"] == [a.name for a in parsed.entries[2].authors]


def test_jsonfeed_round_trip(records) -> None:
    feed = json.loads(write_jsonfeed(records, INFO))
    assert ("https://jsonfeed.org/version/1.1", "crosswire: deir", "https://feeds.example/searches/deir.atom") == (
        feed["version"], feed["title"], feed["feed_url"])
    assert EXPECTED_ENTRIES == [(i["id"], i["title"], [a["name"] for a in i.get("authors", [])]) for i in feed["items"]]
    assert {"id": 1, "source": "northwind-wire"} == feed["items"][-1]["_crosswire"]
    assert ("2026-01-14T08:00:00Z", "ru") == (feed["items"][-1]["date_published"], feed["items"][1]["language"])


def test_untrusted_text_is_escaped_and_xml_invalid_characters_dropped() -> None:
    db = open_db(memory=True)
    store_article(db, Article(url="https://bad.example/a", title="Bell\x07 and \x0bvertical tab\ufffe",
                              text="<script>alert(1)</script> <b>bold</b>\x01 end"), source=None)
    records = list(iter_articles(db))
    html = "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt; end</p>"
    assert html == content_html(records[0])
    for writer in (write_atom, write_rss):
        parsed = feedparser.parse(writer(records, INFO))
        assert (0, "Bell and vertical tab") == (parsed.bozo, parsed.entries[0].title)


def test_jsonl_and_csv_keep_every_field(db) -> None:
    expected = list(iter_articles(db))
    out = io.StringIO()
    write_jsonl(iter(expected), out)
    assert expected == [json.loads(line) for line in out.getvalue().splitlines()]
    out = io.StringIO()
    write_csv(expected, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["id"], r["title"], r["authors"].split("; ") if r["authors"] else [], r["text"], r["family_role"])
            for r in rows] == [(str(r["id"]), r["title"], r["authors"], r["text"], r["family_role"] or "")
                               for r in expected]


# --- the command -------------------------------------------------------------------------------------------


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    database = build_archive(open_db(path))
    add_search(database, "russian", "country:RU")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_cli_export_each_selection(db_file: Path) -> None:
    db = ["--db", str(db_file)]
    code, out = run("export", "--format", "jsonl", "--query", "drone strikes", *db)
    assert (0, [6, 1]) == (code, [json.loads(line)["id"] for line in out.splitlines()])  # data keeps copies
    code, out = run("export", "--format", "atom", "--search", "russian", *db)
    parsed = feedparser.parse(out.encode())
    assert (0, 0, "tag:crosswire,2026:searches/russian", ["Учения флота в Средиземном море",
                                                          "Удары по складу топлива под Дейр-эз-Зором"]) == (
        code, parsed.bozo, parsed.feed.id, [e.title for e in parsed.entries])
    code, out = run("export", "--format", "rss", "--source", "levant-daily", *db)
    parsed = feedparser.parse(out.encode())
    assert (0, 0, "Levant Daily", "https://levantdaily.example/", 1) == (
        code, parsed.bozo, parsed.feed.title, parsed.feed.link, len(parsed.entries))
    code, out = run("export", "--format", "csv", "--limit", "2", *db)
    assert (0, ["1", "2"]) == (code, [r["id"] for r in csv.DictReader(io.StringIO(out))])
    code, out = run("export", "--format", "jsonfeed", "--query", "drone", "--all-copies", *db)
    assert (0, [6, 1]) == (code, [i["_crosswire"]["id"] for i in json.loads(out)["items"]])


def test_cli_export_to_file(db_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "all.jsonl"
    code, out = run("export", "--db", str(db_file), "-o", str(target))
    assert (0, f"wrote {target} (jsonl)\n", list(range(1, 10))) == (
        code, out, [json.loads(line)["id"] for line in target.read_text().splitlines()])


@pytest.mark.parametrize(("args", "message"), [
    (["--query", "x", "--source", "y"], "Error: choose one of --query, --search, --source (got --query and --source)"),
    (["--source", "nope"], "Error: unknown source 'nope'; sources: harbor-post, levant-daily, northwind-wire, "
                           "volga-herald"),
    (["--search", "nope"], 'Error: no saved search named "nope"; saved searches: russian'),
    (["--query", "a OR"], "Error: OR needs a word or phrase on each side"),
    (["--static", "d", "--query", "x"], "Error: --static writes every saved search and source; it takes no "
                                        "selection or -o"),
])
def test_cli_export_errors(db_file: Path, args: list[str], message: str) -> None:
    assert (1, message + "\n") == run("export", "--db", str(db_file), "--format", "atom", *args)


def test_static_tree(db_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    feeds = write_static(open_db(db_file), out, base_url="https://feeds.example/x/")
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert ["index.html"] + [f"{kind}/{name}{suffix}" for kind, name in
                             [("searches", "russian"), ("sources", "harbor-post"), ("sources", "levant-daily"),
                              ("sources", "northwind-wire"), ("sources", "volga-herald")]
                             for suffix in (".atom", ".json", ".rss")] == sorted(names)
    assert [("searches", "russian", 2), ("sources", "harbor-post", 2), ("sources", "levant-daily", 1),
            ("sources", "northwind-wire", 3), ("sources", "volga-herald", 2)] == [
        (f.kind, f.name, f.items) for f in feeds]
    parsed = feedparser.parse((out / "sources" / "harbor-post.atom").read_bytes())
    assert (0, "https://feeds.example/x/sources/harbor-post.atom", "tag:crosswire,2026:sources/harbor-post") == (
        parsed.bozo, parsed.feed.links[0].href, parsed.feed.id)
    assert '<a href="searches/russian.atom">Atom</a>' in (out / "index.html").read_text()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    write_static(open_db(db_file), out, base_url="https://feeds.example/x/")
    assert before == {p: p.stat().st_mtime_ns for p in out.rglob("*")}   # unchanged content is not rewritten


def test_cli_static(db_file: Path, tmp_path: Path) -> None:
    assert (0, f"wrote 5 feeds (1 saved searches, 4 sources) in 3 formats to {tmp_path / 's'}\n") == run(
        "export", "--db", str(db_file), "--static", str(tmp_path / "s"))


# --- OPML --------------------------------------------------------------------------------------------------

SOURCES = parse_sources('''
[[source]]
name = "northwind-wire"
title = "Northwind Wire"
homepage = "https://northwind.example/"
feeds = ["https://northwind.example/rss.xml", "https://northwind.example/world.atom"]
language = "en"
country = "GB"
tags = ["wire", "western"]

[[source]]
name = "levant-daily"
title = "Levant Daily & Co"
homepage = "https://levantdaily.example/"
language = "ar"
''', "test")


def test_opml_round_trip() -> None:
    assert SOURCES == import_opml(export_opml(SOURCES))


def test_opml_from_another_reader_groups_feeds_and_turns_folders_into_tags() -> None:
    opml = b'''<?xml version="1.0"?><opml version="1.0"><head><title>My feeds</title></head><body>
      <outline text="Middle East">
        <outline text="Gulf Mirror" type="rss" xmlUrl="https://gulfmirror.example/feed" htmlUrl="https://gulfmirror.example/"/>
        <outline text="Gulf Mirror" type="rss" xmlUrl="https://gulfmirror.example/politics/feed" htmlUrl="https://gulfmirror.example/"/>
        <outline text="Broken" type="rss" xmlUrl="feed://nope"/>
      </outline>
      <outline text="Caf\xc3\xa9 Kyiv" type="rss" xmlUrl="https://cafe.example/rss" language="xx"/>
    </body></opml>'''
    assert [Source(name="gulf-mirror", homepage="https://gulfmirror.example/", title="Gulf Mirror",
                   feeds=("https://gulfmirror.example/feed", "https://gulfmirror.example/politics/feed"),
                   tags=("middle-east",)),
            Source(name="cafe-kyiv", homepage="https://cafe.example/", title="Caf\u00e9 Kyiv",
                   feeds=("https://cafe.example/rss",))] == import_opml(opml)


def test_opml_cli_export_and_import_into(tmp_path: Path) -> None:
    sources_file = tmp_path / "sources.toml"
    sources_file.write_text(sources_toml(SOURCES[:1]), encoding="utf-8")
    opml_file = tmp_path / "all.opml"
    opml_file.write_bytes(export_opml(SOURCES))
    code, out = run("opml", "export", "--sources", str(sources_file))
    assert (0, SOURCES[:1]) == (code, import_opml(out.encode()))
    code, out = run("opml", "import", str(opml_file))
    assert (0, SOURCES) == (code, parse_sources(out, "out"))
    code, out = run("opml", "import", str(opml_file), "--into", str(sources_file), "--yes")
    assert (0, f"added 1 sources to {sources_file} (1 already there)\n") == (code, out)
    assert SOURCES == parse_sources(sources_file.read_text(encoding="utf-8"), "file")
    assert (1, f"Error: {tmp_path / 'bad.opml'}: not an OPML document (no <opml><body>)\n") == run(
        "opml", "import", str(_write(tmp_path / "bad.opml", b"<rss/>")))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
