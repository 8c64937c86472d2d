"""Topic sets and scope: keyword matching (English, Arabic, Russian), tags stored per article, include/exclude
and only_topics applied during a crawl."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crosswire.core.errors import SourcesError
from crosswire.core.sources import parse_sources
from testweb import TestWeb
from crosswire.core.topics import TextTokens, article_topics, compile_topic, load_topics, match_topics
from crawling import crawl
from discoverydata import requested, stored, truth, write_sources
from testweb.outlets_discovery import LISTING_PATH


@pytest.mark.parametrize("text, topics", [
    ("Shelling in Deir ez Zor and Deir-ez-Zor", ["syria"]),
    ("Talks in Damascus; Hezbollah responds from Beirut", ["syria", "lebanon"]),
    ("وقال مسؤول في حلب إن القصف استمر", ["syria"]),                   # Aleppo behind the prefix و... as a word
    ("القصف على وحلب", ["syria"]),                                        # attached "and"
    ("Удары по Сирии и сирийской армии", ["syria"]),                     # Russian inflections through stems
    ("Обстрел Харькова и Донецка", ["ukraine"]),
    ("Hamas and Israel agree a pause in Gaza", ["gaza"]),               # "Hama" must not match inside "Hamas"
    ("Rain in Hamburg", []),
    ("RSF fighters entered El Fasher", ["sudan"]),
    ("Houthi drones over the Bab el-Mandeb", ["yemen"]),
])
def test_bundled_topics(text, topics):
    assert topics == [t for t in match_topics(text, load_topics().values())]


def test_article_topics_read_title_lede_keywords_and_text():
    article = {"title": "Water crisis", "lede": None, "keywords": ["Mosul"], "text": "Families in Basra..."}
    assert ["iraq"] == article_topics(article)


def test_compile_topic_needs_terms():
    with pytest.raises(SourcesError):
        compile_topic("empty", "Empty", [], [])
    assert compile_topic("x", "X", ["Al-Bab"]).matches("fighting near al bab")


def test_topic_keys_checked():
    base = '[[source]]\nname = "s"\nhomepage = "https://s.test/"\n'
    assert ("syria",) == parse_sources(base + 'topics = ["syria"]\nonly_topics = true\n', "s.toml")[0].topics
    cases = [
        ('topics = ["syira"]', 'field "topics": item 1: unknown topic "syira" (did you mean "syria"?)'),
        ("only_topics = true", 'field "only_topics": needs a "topics" list to keep articles by'),
        ('include = ["(unclosed"]', 'field "include": item 1: invalid regular expression "(unclosed"'),
    ]
    for line, message in cases:
        with pytest.raises(SourcesError) as exc:
            parse_sources(base + line + "\n", "s.toml")
        assert str(exc.value).startswith(f's.toml: source "s": {message}')


@pytest.fixture(scope="module")
def web():
    with TestWeb(["harbinger-review"]) as web:
        yield web


def test_exclude_pattern_keeps_articles_out(web: TestWeb, tmp_path: Path):
    sources = write_sources(web, tmp_path, ["harbinger-review"], {"harbinger-review": 'exclude = ["drone"]'})
    db = tmp_path / "db.sqlite"
    result = crawl(db, sources)
    assert 0 == result.returncode, result.stderr
    assert [a for a in truth(web, "harbinger-review") if "drone" not in a[0]] == stored(db)
    assert "skipped 1 out of scope" in result.stdout


def test_only_topics_keeps_matching_articles_and_tags_them(web: TestWeb, tmp_path: Path):
    sources = write_sources(web, tmp_path, ["harbinger-review"],
                            {"harbinger-review": 'topics = ["ukraine"]\nonly_topics = true'})
    db = tmp_path / "db.sqlite"
    result = crawl(db, sources)
    assert 0 == result.returncode, result.stderr
    assert [a for a in truth(web, "harbinger-review") if "ukraine" in a[0]] == stored(db)
    assert "skipped 6 off topic" in result.stdout
    with sqlite3.connect(db) as conn:
        assert [("ukraine",)] == conn.execute("select topic from article_topics").fetchall()


def test_off_topic_articles_are_not_fetched_again(web: TestWeb, tmp_path: Path):
    newest = [a["path"] for a in sorted(web.articles("harbinger-review"), key=lambda a: a["published"])[-2:]]
    state = web.site("harbinger-review").state
    state.hide(*newest)
    try:
        sources = write_sources(web, tmp_path, ["harbinger-review"],
                                {"harbinger-review": 'topics = ["ukraine"]\nonly_topics = true'})
        db = tmp_path / "db.sqlite"
        assert 0 == crawl(db, sources).returncode
        state.reveal(*newest)
        web.clear_log()
        result = crawl(db, sources, "--all")
        assert 0 == result.returncode, result.stderr
        # Only the two new posts are fetched (and dropped); page 2 holds nothing new, so page 3 is not read.
        assert sorted([LISTING_PATH, f"{LISTING_PATH}page/2/"] + newest) == requested(web, "harbinger-review")
        assert "skipped 5 off topic" in result.stdout   # 2 fetched and dropped, 3 remembered from the first crawl
        assert [a for a in truth(web, "harbinger-review") if "ukraine" in a[0]] == stored(db)
    finally:
        state.hidden.clear()
        state.revealed.clear()


def test_a_stem_begins_a_word_or_not() -> None:
    toks = TextTokens.of("Syrians, zebra and the Aleppo road")
    stems = ["syri", "yri", "zeb", "zebras", "zz", "a", "aleppos", "road", "roads", ""]
    assert ([True, False, True, False, False, True, False, True, False, True]
            == [toks.begins_a_word(stem) for stem in stems])
