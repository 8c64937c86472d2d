"""Copy families: a wire story and its republished copies are one family; other stories stay apart."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from crawling import crawl, pin_hosts
from crosswire.identity import similarity as sim
from crosswire.core.article import Article
from crosswire.cli import main  # at collection, where trafilatura's import-time warning is not an error
from testweb import TestWeb
from testweb import outlets_identity as ident
from crosswire.storage.articles import store_article
from crosswire.storage import families, runstore
from crosswire.storage.db import open_db
from crosswire.storage.families import describe_families, index_new_articles

WIRE_TEXT = " ".join(
    f"Paragraph {n}: the governor said firefighters worked for {n + 2} hours at the terminal on the coast, "
    f"and shipping agents counted {n * 3} vessels waiting at anchor while insurers weighed premiums."
    for n in range(1, 9))


def test_crawl_builds_exactly_the_wire_family(tmp_path: Path) -> None:
    with TestWeb(outlets=ident.FAMILY_OUTLETS) as web:
        sources = tmp_path / "sources.toml"
        sources.write_text(web.sources_toml())
        crawled = crawl(tmp_path / "cw.db", sources, "--all", *pin_hosts(ident.hosts(web)))
        assert 0 == crawled.returncode, crawled.stderr
        url = {(name, a["path"]): a["url"] for name in ident.FAMILY_OUTLETS for a in web.articles(name)}
        listing = subprocess.run([sys.executable, "-m", "crosswire", "duplicates", "--db", str(tmp_path / "cw.db"),
                                  url[ident.COPIES[2]]], capture_output=True, text=True, timeout=60)
    db = open_db(tmp_path / "cw.db")
    rows = {r["url"]: (r["family_id"], r["family_role"]) for r in db.query("select * from articles")}
    family = rows[url[ident.WIRE_STORY]][0]
    assert [(family,)] == db.execute("select id from families").fetchall()   # the crawl's one family
    expected = {u: (None, None) for u in url.values()}
    expected[url[ident.WIRE_STORY]] = (family, "origin")   # the wire, though Harbour Times claims an earlier time
    for copy in ident.COPIES:
        expected[url[copy]] = (family, "copy")
    assert expected == rows
    assert [url[s] for s in ident.SAME_EVENT_OTHER_STORIES] == [
        u for u in url.values() if "dockworkers" in u or "analysis" in u]
    assert 0 == index_new_articles(db).indexed     # the crawl indexed everything already

    titles = {u: t for u, t in db.execute("select url, title from articles")}
    assert [
        f"Family {family}: 4 articles from 4 outlets (id-cedar-wire, id-eastern-herald, id-harbour-times, "
        "id-plains-courier)",
        f"  origin  [{_id(db, url[ident.WIRE_STORY])}] id-cedar-wire: {titles[url[ident.WIRE_STORY]]}",
        f"          {url[ident.WIRE_STORY]}",
        f"  copy    [{_id(db, url[ident.COPIES[0]])}] id-harbour-times: {titles[url[ident.COPIES[0]]]}  "
        "(similarity 0.96)",
        f"          {url[ident.COPIES[0]]}",
        f"  copy    [{_id(db, url[ident.COPIES[1]])}] id-plains-courier: {titles[url[ident.COPIES[1]]]}  "
        "(similarity 0.85)",
        f"          {url[ident.COPIES[1]]}",
        f"  copy    [{_id(db, url[ident.COPIES[2]])}] id-eastern-herald: {titles[url[ident.COPIES[2]]]}  "
        "(similarity 1.00)",
        f"          {url[ident.COPIES[2]]}",
    ] == listing.stdout.rstrip("\n").split("\n")


def _id(db, url: str) -> int:
    return db.execute("select id from articles where url = ?", [url]).fetchone()[0]


def _db_with_sources():
    db = open_db(memory=True)
    db["sources"].insert_all([
        {"name": "wire", "homepage": "https://wire.example/", "tags": '["wire"]'},
        {"name": "a", "homepage": "https://a.example/", "tags": "[]"},
        {"name": "b", "homepage": "https://b.example/", "tags": "[]"},
    ])
    return db


def _store(db, source: str, path: str, text: str, published: str | None = None) -> int:
    return store_article(db, Article(url=f"https://{source}.example/{path}", title=path, text=text,
                                     published=datetime.fromisoformat(published) if published else None),
                         source=source).article_id


def test_indexing_is_incremental_and_origin_is_the_earliest_without_a_wire() -> None:
    db = _db_with_sources()
    first = _store(db, "a", "1", WIRE_TEXT, "2026-04-12T08:00:00+00:00")
    other = _store(db, "a", "2", WIRE_TEXT.replace("governor", "mayor").replace("terminal", "bakery")
                   .replace("shipping agents", "reporters").replace("insurers", "bankers"))
    assert (2, 0) == (index_new_articles(db).indexed, index_new_articles(db).indexed)
    copy = _store(db, "b", "1", "Our correspondent adds context first. " + WIRE_TEXT[: len(WIRE_TEXT) // 2],
                  "2026-04-12T07:00:00+00:00")
    summary = index_new_articles(db)
    assert (1, 1) == (summary.indexed, summary.matched)
    roles = {r[0]: r[1] for r in db.execute("select id, family_role from articles")}
    assert {first: "copy", other: None, copy: "origin"} == roles     # b's copy claims the earlier time

    wire = _store(db, "wire", "1", WIRE_TEXT, "2026-04-12T09:00:00+00:00")
    index_new_articles(db)
    assert [{"origin": wire, "copies": [(copy, 0.92), (first, 1.0)]}] == [
        {"origin": f["origin"]["id"], "copies": [(c["id"], c["similarity"]) for c in f["copies"]]}
        for f in describe_families(db, None)]


def test_boilerplate_sentences_of_an_outlet_are_ignored() -> None:
    db = _db_with_sources()
    plea = " Support our reporting: subscribe today. Follow us on Telegram for live updates."
    # Three short, different articles of outlet a share a long closing plea: not a family.
    notes = ["Rain is forecast for the hills tomorrow, with snow above a thousand metres.",
             "The ferry timetable changes on Monday because of repairs at the northern pier.",
             "A new bakery opened on the market square and sold out of bread before noon."]
    for n, note in enumerate(notes):
        _store(db, "a", f"s{n}", note + plea * 3)
    assert 0 == index_new_articles(db).matched
    assert 0 == db.execute("select count(*) from families").fetchone()[0]


def test_shingles_ignore_case_punctuation_and_script() -> None:
    assert np.array_equal(sim.shingle_hashes("Five people, said «officials» — on Tuesday"),
                          sim.shingle_hashes("five people said officials on tuesday"))
    # 8 words make four 5-grams, in Cyrillic as in Latin script.
    assert 4 == len(sim.shingle_hashes("Пять человек погибли при обстреле рынка в городе"))
    assert 1.0 == sim.containment(sim.shingle_set("one two three four five six seven"),
                                  sim.shingle_set("zero one two three four five six seven eight"))


def test_duplicates_command_json_and_an_article_without_copies(tmp_path: Path) -> None:
    db = open_db(tmp_path / "cw.db")
    for row in ({"name": "wire", "homepage": "https://wire.example/", "tags": '["wire"]'},
                {"name": "a", "homepage": "https://a.example/", "tags": "[]"}):
        db["sources"].insert(row)
    wire = _store(db, "wire", "1", WIRE_TEXT, "2026-04-12T09:00:00+00:00")
    copy = _store(db, "a", "1", WIRE_TEXT[: len(WIRE_TEXT) // 2] + " Follow us for more.")
    alone = _store(db, "a", "2", "A different story about the ferry timetable changing on Monday next week.")
    index_new_articles(db)
    db.close()
    runner = CliRunner()
    listed = json.loads(runner.invoke(main, ["duplicates", "--db", str(tmp_path / "cw.db"), "--json"]).output)
    assert [{"id": 1, "origin": {"id": wire, "source": "wire", "title": "1", "url": "https://wire.example/1",
                                 "published": "2026-04-12T09:00:00+00:00"},
             "copies": [{"id": copy, "source": "a", "title": "1", "url": "https://a.example/1", "published": None,
                         "similarity": 0.93}]}] == listed
    single = runner.invoke(main, ["duplicates", "--db", str(tmp_path / "cw.db"), str(alone)])
    assert f"Article {alone} has no copies: no other stored article shares its text.\n" == single.output


# --- the same families however the articles are batched, and whether the LSH index is read whole or in part ---

SYLLABLES = "ka lo mi ra te su no vi da pe zo ri ba ge fu an el or".split()
PLEAS = {"a": "Follow the Valley Ledger for more.", "b": "The Hill Courier is funded by its readers."}


def _corpus(seed: int = 9) -> tuple[list[tuple[str, str, str]], set[frozenset[str]]]:
    """(source, path, text) of 12 wire stories, each republished (cut short, re-framed or edited) by outlet a or b,
    and 12 unrelated stories of a and b, every one closed by its outlet's plea; and the expected families."""
    rng = random.Random(seed)
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(400)]

    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(9, 14))).capitalize() + "."

    articles, families = [], set()
    for n in range(12):
        body = [sentence() for _ in range(14)]
        copy = [body[:9], ["Our desk sets the scene first."] + body[:-1], body[:4] + [sentence()] + body[5:]][n % 3]
        outlet, other = ("a", "b") if n % 2 else ("b", "a")
        articles += [("wire", f"s{n}", " ".join(body)), (outlet, f"c{n}", " ".join(copy + [PLEAS[outlet]])),
                     (other, f"o{n}", " ".join([sentence() for _ in range(12)] + [PLEAS[other]]))]
        families.add(frozenset({f"s{n}", f"c{n}"}))
    return articles, families


def _families(db) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for family, title, role in db.execute("select family_id, title, family_role from articles "
                                          "where family_id is not null"):
        groups.setdefault(family, set()).add(title)
        assert (role == "origin") == title.startswith("s")     # the wire's story is the origin
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize("load_share", [0.0, 1e9])   # the index read whole into memory / a segment at a time
def test_families_do_not_depend_on_batches_passes_or_reading(monkeypatch: pytest.MonkeyPatch,
                                                             load_share: float) -> None:
    articles, expected = _corpus()
    whole = _db_with_sources()
    for source, path, text in articles:
        _store(whole, source, path, text)
    assert len(articles) == index_new_articles(whole).indexed
    assert expected == _families(whole)

    # Small runs and segments, a pass after every five articles, two articles per batch: many runs, merges
    # and segments, and copies found in earlier batches, earlier passes and the same batch alike.
    monkeypatch.setattr(runstore, "SEGMENT", 8)
    monkeypatch.setattr(runstore, "BASE", 16)
    monkeypatch.setattr(runstore, "FANOUT", 2)
    monkeypatch.setattr(families, "LOAD_SHARE", load_share)
    db = _db_with_sources()
    for start in range(0, len(articles), 5):
        for source, path, text in articles[start:start + 5]:
            _store(db, source, path, text)
        index_new_articles(db, batch_size=2)
    assert expected == _families(db)
    assert 1 < db.execute("select count(*) from lsh_runs").fetchone()[0]
