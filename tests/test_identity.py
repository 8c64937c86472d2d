"""One article, one record: URL variants and exact duplicates map to the stored article."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from crawling import crawl, pin_hosts
from crosswire.core.article import Article
from testweb import TestWeb
from testweb import outlets_identity as ident
from crosswire.storage.articles import find_article_id, known_urls, store_article
from crosswire.storage.db import open_db

BODY = " ".join(f"Sentence number {i} of a long enough report about the shelling of a river town." for i in range(8))


@pytest.fixture
def identity_web() -> Iterator[TestWeb]:
    """The identity outlets, with their run-time routes installed (a fresh web: tests switch its state)."""
    with TestWeb(outlets=ident.IDENTITY_OUTLETS) as web:
        ident.install(web)
        yield web


def test_url_variants_and_print_view_map_to_one_article(identity_web: TestWeb, tmp_path: Path) -> None:
    db_path, sources = tmp_path / "cw.db", tmp_path / "sources.toml"
    sources.write_text(ident.sources_toml(identity_web))
    urls = ident.variant_urls(identity_web)

    first = crawl(db_path, sources, "--all", "--source", ident.VARIANTS, *pin_hosts(ident.hosts(identity_web)))
    assert 0 == first.returncode, first.stderr
    db = open_db(db_path)
    rows = list(db.query("select id, url, title from articles where source = ? order by url", [ident.VARIANTS]))
    assert [
        (urls["canonical"], "Evacuation buses leave Kalmar Ridge as shelling closes in"),
        (f"http://{ident.WWW_HOST}:{urls['canonical'].split(':')[2].split('/')[0]}"
         "/news/2026/04/rail-bridge-repairs-finished", "Repairs to the Vistula rail bridge finished ahead of schedule"),
    ] == [(r["url"], r["title"]) for r in rows]
    main_id = rows[0]["id"]
    variants = [urls[k] for k in ("canonical", "tracking", "mobile", "amp", "short")]
    assert {main_id} == {find_article_id(db, u) for u in variants}
    mapped = {r[0] for r in db.execute("select url from article_urls where article_id = ?", [main_id])}
    assert {urls["canonical"], urls["mobile"], urls["amp"].replace("/amp/", "/"), urls["short"]} == mapped
    assert 4 == db.execute("select count(*) from sightings where article_id = ?", [main_id]).fetchone()[0]

    # Later the outlet lists its print view: the same body under another URL is linked, not stored.
    ident.show_print(identity_web)
    again = crawl(db_path, sources, "--all", "--source", ident.VARIANTS, *pin_hosts(ident.hosts(identity_web)))
    assert 0 == again.returncode, again.stderr
    db = open_db(db_path)
    assert 2 == db.execute("select count(*) from articles where source = ?", [ident.VARIANTS]).fetchone()[0]
    assert main_id == find_article_id(db, urls["print"])


def test_store_links_same_body_in_one_source_but_keeps_other_outlets_copies() -> None:
    db = open_db(memory=True)
    for name in ("a", "b"):
        db["sources"].insert({"name": name, "homepage": f"https://{name}.example/"})
    first = store_article(db, Article(url="https://a.example/news/1", title="One", text=BODY), source="a")
    print_view = store_article(db, Article(url="https://a.example/print/1", title="One", text=BODY.upper()),
                               source="a")
    other_outlet = store_article(db, Article(url="https://b.example/x", title="One", text=BODY), source="b")
    short = store_article(db, Article(url="https://a.example/short", title="Short", text="Live updates follow."),
                          source="a")
    again = store_article(db, Article(url="https://a.example/short", title="Short", text="Live updates follow."),
                          source="a")
    assert [("new", 1), ("same-body", 1), ("new", 2), ("new", 3), ("duplicate", 3)] == [
        (r.status, r.article_id) for r in (first, print_view, other_outlet, short, again)]
    assert {"https://a.example/print/1", "https://www.a.example/news/1/?utm_source=x"} == known_urls(
        db, ["https://a.example/print/1", "https://www.a.example/news/1/?utm_source=x", "https://a.example/2"])


def test_redirect_source_url_is_a_variant() -> None:
    db = open_db(memory=True)
    db["sources"].insert({"name": "a", "homepage": "https://a.example/"})
    stored = store_article(db, Article(url="https://a.example/news/final", title="T", text=BODY), source="a",
                           entry_url="https://a.example/s/123")
    assert (stored.article_id, stored.article_id) == (find_article_id(db, "https://a.example/s/123"),
                                                      find_article_id(db, "http://m.a.example/news/final#top"))


def test_rel_canonical_on_another_site_is_not_trusted() -> None:
    db = open_db(memory=True)
    db["sources"].insert({"name": "a", "homepage": "https://a.example/"})
    stored = store_article(db, Article(url="https://a.example/copy", canonical_url="https://wire.example/orig",
                                       title="T", text=BODY), source="a")
    amp = store_article(db, Article(url="https://a.example/amp/story", canonical_url="https://www.a.example/story",
                                    title="T2", text=BODY + " Another."), source="a")
    assert ("https://a.example/copy", "https://www.a.example/story") == (stored.url, amp.url)
