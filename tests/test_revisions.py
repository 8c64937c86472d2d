"""Edit history: a re-fetched article whose title or body changed keeps its earlier versions."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from crawling import crawl, pin_hosts
from crosswire.core.article import Article
from crosswire.cli import main
from crosswire.analysis.diffing import render_plain, word_diff
from crosswire.storage.revisions import revisit_due
from testweb import TestWeb
from testweb import outlets_identity as ident
from crosswire.storage.articles import store_article
from crosswire.storage.db import open_db
from crosswire.storage.revisions import versions

T0 = datetime(2026, 4, 14, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def edited_web() -> Iterator[TestWeb]:
    """Only the outlet with the edited article (a fresh web: the tests switch its editions)."""
    with TestWeb(outlets=[ident.EDITED]) as web:
        ident.install(web)
        yield web


def crawl_edited(db_path: Path, sources: Path, web: TestWeb, *extra: str) -> subprocess.CompletedProcess:
    """Every feed of the edited outlet, now; the crawl must succeed."""
    result = crawl(db_path, sources, "--all", *pin_hosts(ident.hosts(web)), *extra)
    assert 0 == result.returncode, result.stderr
    return result


def titles_and_texts(db_path: Path) -> list[tuple[str, str]]:
    db = open_db(db_path)
    article_id = db.execute("select id from articles where url like ?", ["%" + ident.EDITED_PATH]).fetchone()[0]
    return [(v.title, v.text) for v in versions(db, article_id)]


def test_feed_updated_date_triggers_refetch_and_two_revisions(edited_web: TestWeb, tmp_path: Path) -> None:
    db_path, sources = tmp_path / "cw.db", tmp_path / "sources.toml"
    sources.write_text(edited_web.sources_toml())
    editions = [ident.edition(n) for n in (1, 2, 3)]

    crawl_edited(db_path, sources, edited_web)
    ident.set_edition(edited_web, 2)
    second = crawl_edited(db_path, sources, edited_web)
    ident.set_edition(edited_web, 3)
    crawl_edited(db_path, sources, edited_web)

    assert [(e["title"], e["text"]) for e in editions] == titles_and_texts(db_path)
    db = open_db(db_path)
    row = db.execute("select id, title, text from articles where url like ?", ["%" + ident.EDITED_PATH]).fetchone()
    assert (editions[2]["title"], editions[2]["text"]) == row[1:]   # search and export read the latest text
    hits = [r[0] for r in db.execute("select rowid from articles_fts where articles_fts match 'Mlynova'")]
    assert [row[0]] == hits
    assert 2 == db.execute("select count(*) from articles").fetchone()[0]
    summary = re.fullmatch(r"(.*) in \d+\.\ds(.*)\n", second.stdout)     # the run's seconds vary
    assert summary, second.stdout
    assert ("1 feeds checked (0 not modified), 0 new articles, 0 duplicates, 2 already stored, 0 errors",
            "; 1 re-fetched for edits, 1 revised") == summary.groups()


def test_revisit_policy_finds_an_edit_the_feed_does_not_announce(edited_web: TestWeb, tmp_path: Path) -> None:
    db_path, sources = tmp_path / "cw.db", tmp_path / "sources.toml"
    sources.write_text(edited_web.sources_toml())
    crawl_edited(db_path, sources, edited_web, "-s", f"CROSSWIRE_NOW={T0.isoformat()}")
    ident.set_edition(edited_web, 2, bump_updated=False)

    crawl_edited(db_path, sources, edited_web, "-s", f"CROSSWIRE_NOW={(T0 + timedelta(minutes=30)).isoformat()}")
    assert 1 == len(titles_and_texts(db_path))        # not yet due, and the feed says nothing changed
    crawl_edited(db_path, sources, edited_web, "-s", f"CROSSWIRE_NOW={(T0 + timedelta(hours=2)).isoformat()}")
    assert [ident.edition(1)["title"], ident.edition(2)["title"]] == [t for t, _ in titles_and_texts(db_path)]


@pytest.mark.parametrize(("hours_since_first", "hours_since_fetch", "due"), [
    (0.5, 0.5, False), (1.5, 1.5, True), (1.5, 0.2, False), (7, 2, True), (7, 0.5, False),
    (30, 5, False), (30, 7, True), (80, 10, True), (80, 7, False), (200, 200, True), (200, 120, False),
])
def test_revisit_points(hours_since_first: float, hours_since_fetch: float, due: bool) -> None:
    now = T0 + timedelta(hours=200)
    first = now - timedelta(hours=hours_since_first)
    assert due == revisit_due(first, now - timedelta(hours=hours_since_fetch), now)


def test_store_records_revision_only_on_change_and_never_for_empty_text() -> None:
    db = open_db(memory=True)
    db["sources"].insert({"name": "a", "homepage": "https://a.example/"})
    base = Article(url="https://a.example/1", title="Two killed", text="Two people were killed on Tuesday.")
    first = store_article(db, base, source="a", now="2026-04-14T09:00:00+00:00")
    same = store_article(db, base, source="a", revise=True, now="2026-04-14T10:00:00+00:00")
    empty = store_article(db, Article(url=base.url, title="Two killed", text=""), source="a", revise=True)
    not_asked = store_article(db, Article(url=base.url, title="Three killed", text=base.text), source="a")
    edited = store_article(db, Article(url=base.url, title="Five killed", text="Five people were killed."),
                           source="a", revise=True, now="2026-04-14T12:00:00+00:00")
    assert ["new", "duplicate", "duplicate", "duplicate", "revised"] == [
        r.status for r in (first, same, empty, not_asked, edited)]
    assert [
        {"number": 1, "title": "Two killed", "lede": None, "text": "Two people were killed on Tuesday.",
         "seen_from": "2026-04-14T09:00:00+00:00", "seen_until": "2026-04-14T12:00:00+00:00", "current": False},
        {"number": 2, "title": "Five killed", "lede": None, "text": "Five people were killed.",
         "seen_from": "2026-04-14T12:00:00+00:00", "seen_until": None, "current": True},
    ] == [v.to_dict() for v in versions(db, first.article_id)]


def test_word_diff() -> None:
    ops = word_diff("Two killed as shells hit market", "Five killed as shells hit the market, officials say")
    assert [("replace", "Two", "Five"), ("equal", "killed as shells hit", "killed as shells hit"),
            ("replace", "market", "the market, officials say")] == ops
    assert "[-Two-]{+Five+} killed as shells hit [-market-]{+the market, officials say+}" == render_plain(ops)


def test_history_command_shows_headline_changes_first(tmp_path: Path) -> None:
    db_path = tmp_path / "cw.db"
    db = open_db(db_path)
    db["sources"].insert({"name": "a", "homepage": "https://a.example/"})
    url = "https://a.example/news/1"
    store_article(db, Article(url=url, title="Two killed", text="Two people were killed on Tuesday."), source="a",
                  now="2026-04-14T09:00:00+00:00")
    store_article(db, Article(url=url, title="Five killed", text="Five people were killed on Tuesday."),
                  source="a", revise=True, now="2026-04-14T11:00:00+00:00")
    store_article(db, Article(url=url, title="Five killed", text="Five people were killed on Tuesday morning."),
                  source="a", revise=True, now="2026-04-14T15:00:00+00:00")
    db.close()
    runner = CliRunner()
    result = runner.invoke(main, ["history", "--db", str(db_path), url + "?utm_source=x"])
    assert 0 == result.exit_code, result.output
    assert [
        "Article 1: Five killed",
        url,
        "3 versions, 2 revisions",
        "",
        "Headline changes",
        "  v1 → v2  2026-04-14T11:00:00+00:00  [-Two-]{+Five+} killed",
        "",
        "Body changes",
        "  v1 → v2  2026-04-14T11:00:00+00:00  (-1 +1 words)",
        "    [-Two-]{+Five+} people were killed on Tuesday.",
        "  v2 → v3  2026-04-14T15:00:00+00:00  (-1 +2 words)",
        "    Five people were killed on [-Tuesday.-]{+Tuesday morning.+}",
    ] == result.output.rstrip("\n").split("\n")
    as_json = json.loads(runner.invoke(main, ["history", "--db", str(db_path), "1", "--json"]).output)
    assert ([1, 2, 3], [[1, 2], [2, 3]]) == (
        [v["number"] for v in as_json["versions"]], [[c["from"], c["to"]] for c in as_json["changes"]])
    # `#1` as search prints it names the same article, as it does for `show`.
    assert result.output == runner.invoke(main, ["history", "--db", str(db_path), "#1"]).output
    missing = runner.invoke(main, ["history", "--db", str(db_path), "https://a.example/nope"])
    assert (1, "Error: no stored article 'https://a.example/nope' (give an id from `crosswire search` or a URL)\n") == (missing.exit_code, missing.output)
