"""Sorted runs of keys in blobs (the copy-family index): merged by level, read whole or a segment at a time."""

from __future__ import annotations

import numpy as np
import pytest
import sqlite_utils

from crosswire.storage import runstore, schema
from crosswire.storage.db import open_db
from crosswire.storage.runstore import RunStore, lsh_keys, merge, outlet_key, sentence_keys

MASK = np.uint64(0xFFFFFFFF)


def _pairs(seed: int, count: int, first_article: int) -> tuple[np.ndarray, np.ndarray]:
    """Random (bucket, article) pairs over few buckets, so buckets are shared within and across runs; bucket 7 is
    crowded and the highest bucket there is holds one article."""
    rng = np.random.default_rng(seed)
    buckets = np.concatenate([rng.integers(0, 300, count), [7] * 40, [2**32 - 1]])
    articles = np.concatenate([rng.integers(first_article, first_article + 50, count),
                               np.arange(first_article, first_article + 40), [first_article]])
    return buckets, articles


def _members(store: RunStore, buckets: list[int]) -> list[tuple[int, int]]:
    low = np.array(buckets, dtype=np.uint64) << np.uint64(32)
    at, keys, _ = store.find(low, low | MASK)
    return list(zip(at.tolist(), (keys & MASK).tolist()))


@pytest.fixture
def small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of 8 keys, and runs that merge by twos from 16 keys up: many segments, runs and merges."""
    monkeypatch.setattr(runstore, "SEGMENT", 8)
    monkeypatch.setattr(runstore, "BASE", 16)
    monkeypatch.setattr(runstore, "FANOUT", 2)


def test_found_alike_in_memory_from_segments_and_after_merges(small_runs: None) -> None:
    db = open_db(memory=True)
    store = RunStore(db, "lsh", group_bits=32)
    stored: set[tuple[int, int]] = set()
    for n in range(9):
        buckets, articles = _pairs(n, 20 + 30 * n, 1000 * n)
        store.add(*merge([lsh_keys(buckets, articles)]))
        stored |= set(zip(buckets.tolist(), articles.tolist()))
    query = [7, 2**32 - 1, 5, 123, 299, 300, 100_000]
    expected = sorted((i, a) for i, q in enumerate(query) for b, a in stored if b == q)
    reopened, loaded = RunStore(db, "lsh", group_bits=32), RunStore(db, "lsh", group_bits=32)
    loaded.load()
    assert [expected] * 3 == [_members(s, query) for s in (store, reopened, loaded)]
    # Merged as they filled: no two runs left at one level, every pair stored once.
    levels = [run.level for run in reopened.runs]
    assert (len(levels), len(stored)) == (len(set(levels)), reopened.size)
    assert [reopened.size] == [r[0] for r in db.execute("select sum(keys) from lsh_runs")]


def test_counts_add_up_across_runs_and_merges(small_runs: None) -> None:
    db = open_db(memory=True)
    store = RunStore(db, "boilerplate", counted=True)
    keys = sentence_keys(np.array([outlet_key("a")] * 3 + [outlet_key("b")]), np.array([5, 6, 2**31 - 1, 5]))
    totals = dict.fromkeys(keys.tolist(), 0)
    for n in range(12):    # key n % 4 once more each time, and 30 other keys seen once
        extra = np.arange(30, dtype=np.uint64) + np.uint64(10**6 * (n + 1))
        store.add(*merge([keys[n % 4: n % 4 + 1], extra], [np.array([1], dtype=np.uint32),
                                                           np.ones(30, dtype=np.uint32)]))
        totals[int(keys[n % 4])] += 1
    for reader in (store, RunStore(db, "boilerplate", counted=True)):
        at, found, counts = reader.find(keys, keys)
        assert [totals[k] for k in keys.tolist()] == np.bincount(at, weights=counts, minlength=4).tolist()
        assert set(keys.tolist()) == set(found.tolist())


def test_a_bucket_is_never_split_between_segments(small_runs: None) -> None:
    db = open_db(memory=True)
    buckets, articles = _pairs(1, 30, 1)
    RunStore(db, "lsh", group_bits=32).add(*merge([lsh_keys(buckets, articles)]))
    seen: dict[int, int] = {}
    crowded: set[int] = set()
    for rowid, blob in db.execute("select id, keys from lsh_segments order by id"):
        keys = np.frombuffer(blob, dtype="<u8")
        for bucket in set((keys >> np.uint64(32)).tolist()):
            assert seen.setdefault(bucket, rowid) == rowid
        crowded |= {int(k) & 0xFFFFFFFF for k in keys if int(k) >> 32 == 7}
    # Bucket 7 holds five segments' worth of articles, all of them in one (longer) segment.
    assert {int(a) for b, a in zip(buckets, articles) if b == 7} == crowded
    assert 40 <= len(crowded)


def test_article_ids_beyond_32_bits_are_refused() -> None:
    with pytest.raises(ValueError, match="2\\*\\*32"):
        lsh_keys(np.array([1]), np.array([2**32]))


def test_migration_moves_the_row_tables_into_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    db = sqlite_utils.Database(memory=True)
    monkeypatch.setattr(schema, "MIGRATIONS", [m for m in schema.MIGRATIONS if m[0] < "015"])
    schema.migrate(db)
    db.conn.executemany("insert into lsh_buckets (bucket, article_id) values (?, ?)", [(5, 1), (5, 2), (2**31 + 9, 1)])
    db.conn.executemany("insert into lsh_recent (bucket, article_id) values (?, ?)", [(5, 3), (11, 3)])
    db.conn.executemany("insert into boilerplate_sentences (source, sentence, articles) values (?, ?, ?)",
                        [("a", 77, 4), ("b", 77, 1), ("a", 2**31 - 1, 2)])
    db.execute("insert into family_index_state (name, value) values ('recent_rows', 2), ('last_article_id', 3)")
    monkeypatch.undo()
    assert ["015_run_stores", "016_article_embeddings", "017_filter_index", "018_story_features"] == schema.migrate(db)
    lsh = RunStore(db, "lsh", group_bits=32)
    assert ([5], [(0, 1), (0, 2), (0, 3), (1, 3), (2, 1)]) == (
        [run.size for run in lsh.runs], _members(lsh, [5, 11, 2**31 + 9, 6]))
    counts = RunStore(db, "boilerplate", counted=True)
    keys = sentence_keys(np.array([outlet_key("a"), outlet_key("b"), outlet_key("a"), outlet_key("b")]),
                         np.array([77, 77, 2**31 - 1, 78]))
    at, _, found = counts.find(keys, keys)
    assert [4, 1, 2, 0] == np.bincount(at, weights=found, minlength=4).astype(int).tolist()
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    assert set() == {"lsh_buckets", "lsh_recent", "boilerplate_sentences"} & tables
    assert [("last_article_id", 3)] == list(db.execute("select name, value from family_index_state"))
