"""Provenance: stored with the article (migration 014) and shown by `crosswire extract --explain`."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from crosswire.core.article import Article, FeedEntry
from crosswire.cli import main
from crosswire.extraction import extract
from storage.articles import store_article
from storage.db import open_db

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Lock gates repaired on the canal | Fenmouth Post</title>
<meta property="og:site_name" content="Fenmouth Post">
<meta property="og:title" content="Canal traffic: Lock gates repaired on the canal">
<meta name="author" content="Ruth Calder, with Reuters">
</head><body><article><h1>Lock gates repaired on the canal</h1>
<p class="byline-date">Published 14 May 2024</p>
<p>Barges queued at the lower basin on Tuesday as engineers finished replacing the upper lock gates, which
were damaged by a drifting pontoon during the spring floods.</p>
<p>The canal trust said traffic would be allowed through in both directions from Wednesday morning, with a
speed limit in place near the repair site until the concrete has fully set.</p>
</article></body></html>"""
URL = "https://fenmouthpost.example/news/lock-gates"


def test_provenance_and_agencies_are_stored_with_the_article() -> None:
    article = extract(PAGE, URL, FeedEntry(url=URL, published=datetime(2024, 5, 20, tzinfo=timezone.utc)))
    db = open_db(memory=True)
    db["sources"].insert({"name": "fenmouth", "homepage": "https://fenmouthpost.example/"})
    stored = store_article(db, article, source="fenmouth")
    row = db.execute("select authors, agencies, provenance from articles where id = ?",
                     [stored.article_id]).fetchone()
    assert (json.loads(row[0]), json.loads(row[1]), json.loads(row[2])["published"]) == (
        ["Ruth Calder"], ["Reuters"], "byline")
    assert json.loads(row[2]) == article.provenance


def test_an_article_made_without_extraction_stores_empty_provenance() -> None:
    db = open_db(memory=True)
    db["sources"].insert({"name": "a", "homepage": "https://a.example/"})
    stored = store_article(db, Article(url="https://a.example/1", title="One", text="word " * 50), source="a")
    row = db.execute("select agencies, provenance from articles where id = ?", [stored.article_id]).fetchone()
    assert row == ("[]", "{}")


def test_explain_shows_each_fields_source_and_the_headline_candidates(tmp_path: Path) -> None:
    path = tmp_path / "lock.html"
    path.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(path), "--url", URL, "--explain"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["field", "from", "value"]
    assert lines[1].split(None, 2) == ["title", "h1", "Lock gates repaired on the canal"]
    assert lines[2].split(None, 2) == ["authors", "meta", "Ruth Calder"]
    assert lines[3].split(None, 2) == ["agencies", "meta", "Reuters"]
    assert lines[4].split(None, 2) == ["published", "byline", "2024-05-14T00:00:00+00:00"]
    assert "modified       (not found)          -" in lines
    # The candidates show what was stripped: the outlet's name, the kicker the heading does not carry.
    assert "  og         Canal traffic: Lock gates repaired on the canal  ->  Lock gates repaired on the canal" in lines
    assert "  title-tag  Lock gates repaired on the canal | Fenmouth Post  ->  Lock gates repaired on the canal" in lines


def test_json_output_carries_provenance(tmp_path: Path) -> None:
    path = tmp_path / "lock.html"
    path.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(path), "--url", URL])
    data = json.loads(result.output)
    assert (data["provenance"]["title"], data["agencies"]) == ("h1", ["Reuters"])
