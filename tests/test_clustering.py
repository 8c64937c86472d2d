"""Story clustering on the events test web: exact clusters, first reporters, copies counted once, incremental."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawling import crawl
from crosswire.analysis.clustering import Clusterer, Doc, shared_people
from crosswire.analysis.entities import extract
from crosswire.cli import main
from crosswire.storage.articles import find_article_id
from testweb import TestWeb
from testweb.outlets_events import EVENT_OUTLETS, EVENTS, event_articles, store_events
from crosswire.storage.db import open_db
from crosswire.storage.stories import cluster_new, list_stories, recluster


@pytest.fixture
def db_ids():
    db = open_db(memory=True)
    return db, store_events(db)


def partition(db, ids) -> set[frozenset[tuple[str, str]]]:
    """The stories as sets of (outlet, path); copies stored as one row land with their original."""
    story_of = dict(db.execute("select id, story_id from articles").fetchall())
    groups: dict[int, set[tuple[str, str]]] = {}
    for key, article_id in ids.items():
        groups.setdefault(story_of[article_id], set()).add(key)
    return {frozenset(g) for g in groups.values()}


def expected_partition() -> set[frozenset[tuple[str, str]]]:
    in_events = {key for keys in EVENTS.values() for key in keys}
    singles = {frozenset([(o, p)]) for o, p, _ in event_articles() if (o, p) not in in_events}
    return {frozenset(keys) for keys in EVENTS.values()} | singles


def test_events_cluster_exactly(db_ids) -> None:
    db, ids = db_ids
    report = cluster_new(db)
    assert 30 == len(ids)
    assert expected_partition() == partition(db, ids)
    assert 12 == report.new_stories   # 4 events + 8 unrelated articles


def test_first_reporter_label_and_counts_per_event(db_ids) -> None:
    db, ids = db_ids
    cluster_new(db)
    rows = {s["first_article_id"]: s for s in list_stories(db, min_sources=4)}
    got = {}
    for event, keys in EVENTS.items():
        story = rows[ids[keys[0]]]
        got[event] = (story["first_source"], story["source_count"], story["text_count"])
    assert {
        "ariha-market": ("ev-meridian-wire", 6, 6),
        "zaporizhzhia-grid": ("ev-vostok-today", 5, 5),
        "jabalia-hospital": ("ev-crescent-24", 5, 5),
        # six outlets, four texts: the wire's story ran verbatim at the Arab channel and the regional paper
        "zamzam-camp": ("ev-meridian-wire", 6, 4),
    } == got


def test_incremental_batches_give_the_same_stories_as_one_pass(db_ids) -> None:
    db, ids = db_ids
    cutoff = "2026-02-05T00:00:00+00:00"
    later = [r[0] for r in db.execute("select id from articles where published >= ?", [cutoff])]
    db.execute(f"update articles set story_id = -1 where id in ({','.join('?' * len(later))})", later)
    first = cluster_new(db)
    db.execute("update articles set story_id = null where story_id = -1")
    second = cluster_new(db)
    assert (15, 15) == (first.articles, second.articles)
    assert expected_partition() == partition(db, ids)
    assert 0 == cluster_new(db).articles          # nothing new: nothing to do


def test_recluster_rebuilds_from_scratch(db_ids) -> None:
    db, ids = db_ids
    cluster_new(db)
    db.execute("update articles set story_id = 999")
    report = recluster(db)
    assert (30, 12) == (report.articles, report.new_stories)
    assert expected_partition() == partition(db, ids)
    assert 12 == db["stories"].count


def test_query_and_since_filter_the_story_list(db_ids) -> None:
    db, ids = db_ids
    cluster_new(db)
    jabalia = {ids[k] for k in EVENTS["jabalia-hospital"]}
    listed = list_stories(db, article_ids=jabalia)
    assert [("ev-crescent-24", ["ev-crescent-24", "ev-meridian-wire", "ev-gulf-mirror", "ev-atlantic-herald",
                                "ev-bosphorus-post"])] == [(s["first_source"], s["sources"]) for s in listed]
    assert ["Shelling of Darfur displacement camp kills 23, thousands flee, aid group says",
            "Tehran book fair opens with record number of publishers"] == [
        s["label"] for s in list_stories(db, since="2026-02-06T00:00:00", min_sources=1)]


def _doc(doc_id: int, hours: float, words: str, places: tuple[str, ...] = (), group: str | None = None) -> Doc:
    vector = {w: 1.0 / len(words.split()) ** 0.5 for w in words.split()}
    start = datetime(2026, 2, 1, tzinfo=timezone.utc).timestamp()
    return Doc(doc_id, start + hours * 3600, vector, frozenset(f"place:{p}" for p in places), group, words)


def test_shared_people_counts_the_people_both_name_and_no_places() -> None:
    german = frozenset({"person:Heiko Maas", "person:Ende Mai", "place:Berlin", "person:Josep Borrell"})
    english_story = Counter({"person:Heiko Maas": 2, "place:Berlin": 3, "person:Josep Borrell": 1, "person:Tusk": 1})
    assert (2, 0) == (shared_people(german, english_story), shared_people(german, Counter({"place:Berlin": 1})))


def test_same_words_in_another_town_start_another_story() -> None:
    clusterer = Clusterer()
    text = "strike market vegetable stalls rescuers killed wounded bakery"
    similar = "strike market vegetable stalls rescuers shoppers crowded morning"   # cosine 0.625
    assert [1, 1, 2] == [clusterer.add(d).story_id for d in (
        _doc(1, 0, text, ("Ariha",)), _doc(2, 1, similar, ("Ariha", "Idlib")), _doc(3, 2, similar, ("Saraqib",)))]


def test_the_window_is_anchored_to_the_first_report() -> None:
    clusterer = Clusterer(window_hours=72)
    text = "hospital fuel generators newborns incubators"
    stories = [clusterer.add(_doc(i, h, text)).story_id for i, h in enumerate([0, 40, 70, 80], start=1)]
    assert [1, 1, 1, 2] == stories


def test_a_copy_joins_its_original_without_moving_the_centroid() -> None:
    clusterer = Clusterer()
    first = clusterer.add(_doc(1, 0, "camp shelling displaced fled aid", group="family:7"))
    story = clusterer.stories[first.story_id]
    centroids = {lang: dict(c.vector) for lang, c in story.centroids.items()}
    copy = clusterer.add(_doc(2, 3, "camp shelling displaced fled aid agency", group="family:7"))
    assert (True, first.story_id) == (copy.copy, copy.story_id)
    assert centroids == {lang: c.vector for lang, c in story.centroids.items()}
    assert [1, 2] == clusterer.stories[first.story_id].members


def test_a_family_member_that_reads_differently_is_clustered_on_its_own() -> None:
    # e.g. two outlets' pages grouped as copies because of shared reader comments: not the same text
    clusterer = Clusterer()
    clusterer.add(_doc(1, 0, "camp shelling displaced fled aid", group="family:7"))
    other = clusterer.add(_doc(2, 3, "tanker shipping insurers premiums route", group="family:7"))
    assert (False, True, 2) == (other.copy, other.new_story, other.story_id)


def test_entities_map_arabic_and_russian_spellings_and_find_people() -> None:
    found = extract("Удары по Запорожью и Херсону. قصف على إدلب وحلب. Foreign Ministry spokesman Kerem Aydemir "
                    "said trucks crossed at Kerem Shalom near Khan Younis; Dr Samer Haddad of Ariha hospital.")
    assert ("Zaporizhzhia", "Kherson", "Idlib", "Aleppo", "Kerem Shalom", "Khan Younis", "Ariha") == found.places
    assert ("Kerem Aydemir", "Samer Haddad") == found.people


def test_crawl_of_the_events_outlets_clusters_stories_end_to_end(tmp_path) -> None:
    """A real crawl (subprocess: one reactor per process) stores the events and clusters them after the crawl."""
    db_path, sources = tmp_path / "war.db", tmp_path / "sources.toml"
    with TestWeb(outlets=EVENT_OUTLETS) as web:
        sources.write_text(web.sources_toml(), encoding="utf-8")
        result = crawl(db_path, sources, timeout=300)
        assert 0 == result.returncode, result.stderr[-2000:]
        urls = {(o, a["path"]): a["url"] for o in EVENT_OUTLETS for a in web.articles(o)}
    db = open_db(db_path)
    ids = {key: find_article_id(db, url) for key, url in urls.items()}
    assert [] == [key for key, article_id in ids.items() if article_id is None]
    assert expected_partition() == partition(db, ids)
    listed = CliRunner().invoke(main, ["stories", "--db", str(db_path), "--min-outlets", "4", "--json"])
    assert 0 == listed.exit_code, listed.output
    assert [("ev-meridian-wire", 6), ("ev-crescent-24", 5), ("ev-vostok-today", 5), ("ev-meridian-wire", 6)] == [
        (s["first_source"], s["source_count"]) for s in json.loads(listed.stdout)]


def test_stories_command_lists_reclusters_and_updates(tmp_path) -> None:
    path = tmp_path / "war.db"
    store_events(open_db(path))
    runner = CliRunner()
    listed = runner.invoke(main, ["stories", "--db", str(path), "--min-outlets", "5", "--since", "2026-02-04"])
    assert 0 == listed.exit_code, listed.output
    assert [
        "   id  outlets  languages  first report      first by                 span  label",
        "   12        6  en         2026-02-06T09:00  ev-meridian-wire         5.0h  "
        "Shelling of Darfur displacement camp kills 23, thousands flee, aid group says",
        "    7        5  en         2026-02-05T04:50  ev-crescent-24           5.5h  "
        "Gaza hospital generators stop after fuel runs out, health ministry says",
        "    2        5  en         2026-02-04T03:15  ev-vostok-today          5.9h  "
        "Russian drone attack cuts power in Ukraine's Zaporizhzhia, governor says",
    ] == listed.stdout.splitlines()
    assert "0 articles clustered: 0 new stories, 0 joined existing stories (0 as copies)\n" == runner.invoke(
        main, ["stories", "--db", str(path), "update"]).stdout
    assert "30 articles clustered: 12 new stories, 18 joined existing stories (2 as copies)\n" == runner.invoke(
        main, ["stories", "--db", str(path), "recluster"]).stdout


def test_recluster_reports_progress_on_stderr_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    store_events(open_db(path))
    runner = CliRunner()
    quiet = runner.invoke(main, ["stories", "--db", str(path), "recluster"])   # stderr is no terminal here
    assert (0, "") == (quiet.exit_code, quiet.stderr)
    asked = runner.invoke(main, ["stories", "--db", str(path), "recluster", "--progress"])
    assert 0 == asked.exit_code, asked.output
    assert "clustering: 30 of 30 articles\n" == asked.stderr
    assert "30 articles clustered: 12 new stories, 18 joined existing stories (2 as copies)\n" == asked.stdout


def test_recluster_in_small_batches_gives_the_same_stories_and_reports_progress(db_ids) -> None:
    db, ids = db_ids
    seen: list[tuple[int, int]] = []
    report = recluster(db, batch=7, progress=lambda done, total: seen.append((done, total)))
    assert (30, 12) == (report.articles, report.new_stories)
    assert expected_partition() == partition(db, ids)
    assert (30, 30) == seen[-1] and all(total == 30 for _, total in seen)
