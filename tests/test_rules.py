"""Per-outlet extraction rules: a saved page and its expected Article, and a crawl of the outlet needing them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from crosswire.core.errors import NotHtmlError, SourcesError
from crosswire.extraction import extract
from crosswire.extraction.parse import parse_html
from crosswire.extraction.rules import apply_rules, parse_dateline
from crosswire.core.sources import Rules, parse_sources
from testweb import TestWeb
from crawling import crawl
from discoverydata import write_sources

DATA = Path(__file__).parent / "data" / "rules"
# kasr-observer's [source.rules], as in tests/testweb/outlets_discovery.py
RULES = {"title": ".story .hl", "body": ".story .para", "date": ".dateline", "authors": ".writers .byline-name",
         "drop": [".dossier", ".nav"]}
URL = "https://kasr-observer.test/article/88412"


def test_saved_page_gives_expected_article():
    html = (DATA / "kasr-observer.html").read_text(encoding="utf-8")
    expected = json.loads((DATA / "kasr-observer.json").read_text(encoding="utf-8"))
    assert expected == extract(html, URL, rules=RULES).to_dict()


def test_generic_extractor_alone_gets_this_outlet_wrong():
    html = (DATA / "kasr-observer.html").read_text(encoding="utf-8")
    expected = json.loads((DATA / "kasr-observer.json").read_text(encoding="utf-8"))
    generic = extract(html, URL)
    # The reason the outlet has rules: site name as title and the dossier box as body. (Its byline the
    # generic extractor now reads from the page's own byline element.)
    assert ("Kasr Observer", ["Mona Abdelrahman"], False) == (
        generic.title, generic.authors, expected["text"] in generic.text)


def test_selectors_that_match_nothing_leave_generic_values():
    page = ("<html><head><title>Shelling in Idlib</title><meta name='description' content='A short lede.'></head>"
            "<body><article><h1>Shelling in Idlib</h1><p>" + "Residents of Idlib said the shelling went on all night. " * 4 +
            "</p><aside class='promo'>Subscribe now for unlimited access to every story we publish.</aside></article></body></html>")
    tree = parse_html(page)
    found = apply_rules(tree, "https://x.test/a", {"title": ".missing", "drop": [".promo"]})
    assert "Subscribe now" not in tree.text_content()
    assert {"declares_lede": True} == found
    article = extract(page, "https://x.test/a", rules={"title": ".missing", "body": ".gone", "drop": [".promo"]})
    assert ("Shelling in Idlib", "A short lede.") == (article.title, article.lede)
    assert "Subscribe" not in article.text


def test_rules_do_not_skip_the_content_type_check():
    # A source with rules once went straight to its selectors: a PDF served with its own type was "read".
    html = (DATA / "kasr-observer.html").read_text(encoding="utf-8")
    with pytest.raises(NotHtmlError, match="is application/pdf"):
        extract(html.encode("utf-8"), URL, content_type="application/pdf", rules=RULES)


@pytest.mark.parametrize("text, iso", [
    ("Published: 09/03/2024 06:50 GMT", "2024-03-09T06:50:00+00:00"),
    ("Updated 11 March 2024, 07:40", "2024-03-11T07:40:00+00:00"),
    ("no date here", None),
])
def test_dateline(text, iso):
    parsed = parse_dateline(text)
    assert iso == (parsed.isoformat() if parsed else None)


def test_rules_table_checked():
    src = parse_sources('[[source]]\nname = "k"\nhomepage = "https://k.test/"\n[source.rules]\ntitle = ".hl"\n'
                        'drop = [".ad", "aside"]\n', "s.toml")[0]
    assert Rules(title=".hl", drop=(".ad", "aside")) == src.rules
    assert {"title": ".hl", "drop": [".ad", "aside"]} == src.as_dict()["rules"]
    with pytest.raises(SourcesError) as exc:
        parse_sources('[[source]]\nname = "k"\nhomepage = "https://k.test/"\nrules = { bdy = "div" }\n', "s.toml")
    assert 's.toml: source "k": field "rules": unknown key "bdy" (did you mean "body"?)' == str(exc.value)


@pytest.fixture(scope="module")
def web():
    with TestWeb(["kasr-observer"]) as web:
        yield web


def test_crawl_applies_the_rules(web: TestWeb, tmp_path: Path):
    sources, db = write_sources(web, tmp_path, ["kasr-observer"]), tmp_path / "db.sqlite"
    result = crawl(db, sources)
    assert 0 == result.returncode, result.stderr
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select url, title, authors, published, text from articles order by url").fetchall()
    expected = sorted((a["url"], a["title"], json.dumps(a["authors"]), a["published"], a["text"])
                      for a in web.articles("kasr-observer"))
    assert expected == rows
