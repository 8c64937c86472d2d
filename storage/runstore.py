"""Sorted runs of uint64 keys (with counts, optionally) kept as blobs in SQLite: a small LSM tree for the
copy-family index, where keys arrive at random and by the million.

Two stores use it (crosswire.storage.families): `lsh`, whose keys are (bucket << 32 | article id) pairs, and
`boilerplate`, whose keys are (outlet, sentence) hashes counted over articles. A run is a sorted array of
keys, written once and cut into segments of about SEGMENT keys, one row each in `<name>_segments`
(rowid = run << 24 | segment number), never splitting a group of keys (keys with equal key >> group_bits:
one bucket); the run's row in `<name>_runs` holds the first key of every segment, so a lookup reads only
the segments that can hold what it looks for. Each indexing transaction adds one run; a run's level
grows with its size (x FANOUT per level above BASE keys) and FANOUT runs of one level are merged into one,
so a lookup visits a few runs whatever the archive's size and each key is rewritten about
log_FANOUT(keys / BASE) times. A pass over many new articles reads every run into memory once (`load`)
and looks up there; a pass over a few reads only the segments it needs.

Why not one row per key, as before migration 015: at a million articles that is 24 million LSH rows and 5
million sentence counts in B-trees keyed by random hashes; inserting into them (each commit rewrote pages
all over both) and probing them took most of the indexing time (BENCHMARKS.md, "Copy families"), while a
run of the same keys is a few hundred blob writes and a lookup is a binary search.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import sqlite_utils

SEGMENT = 256          # keys per segment: 2 KB (3 KB with counts), under a page, so one page read each
FANOUT = 4             # runs of one level merged into one
BASE = 4096            # runs below FANOUT x BASE keys are level 0 (a crawl of up to ~700 articles)
_SEGMENT_BITS = 24     # segment numbers within a run's rowid range
_KEY, _COUNT = np.dtype("<u8"), np.dtype("<u4")
# A store read whole keeps a bitmap of which groups may be present (by the low bits of the group, hashes
# both): about nine in ten lookups of an absent group then end there, without a binary search per run.
# Sized to the keys it will hold, ~16 bits a key, between 8 KB and 32 MB: at 24 million groups (a million
# articles' LSH keys) 1 in 12 bits is set. A fixed 32 MB bitmap cost a crawl of a few pages up to 0.15 s:
# numpy asks for huge pages for it and the kernel may compact memory to find them.
_FILTER_BITS_MIN, _FILTER_BITS_MAX, _FILTER_BITS_PER_KEY = 16, 28, 16
STORES = ("lsh", "boilerplate")


def create_tables(db: sqlite_utils.Database, name: str) -> None:
    """The two tables of one store (for a migration)."""
    db.execute(f"create table {name}_runs (id integer primary key, level integer not null, keys integer not null, "
               "first_keys blob not null)")
    db.execute(f"create table {name}_segments (id integer primary key, keys blob not null, counts blob)")


@dataclass
class Run:
    """One sorted run: its row, the first key of each segment, and (once read) its keys and counts."""

    id: int
    level: int
    size: int
    first: np.ndarray                   # uint64 first key of each segment
    keys: np.ndarray | None = None      # every key of the run, once loaded or written in this pass
    counts: np.ndarray | None = None    # uint32 per key, in a counted store


def level_of(size: int) -> int:
    """A run's level: 0 below FANOUT x BASE keys, one more for each further factor of FANOUT."""
    level, rest = 0, size // BASE
    while rest >= FANOUT:
        rest //= FANOUT
        level += 1
    return level


class RunStore:
    """The runs of one store of one database, for one indexing pass (or one query)."""

    def __init__(self, db: sqlite_utils.Database, name: str, *, group_bits: int = 0, counted: bool = False) -> None:
        if name not in STORES:
            raise ValueError(f"no run store {name!r}")
        self.db, self.name, self.group_bits, self.counted = db, name, group_bits, counted
        self.runs = [Run(run_id, level, size, np.frombuffer(first, dtype=_KEY).astype(np.uint64))
                     for run_id, level, size, first in db.execute(
                         f"select id, level, keys, first_keys from {name}_runs order by id")]
        self._segments: dict[int, tuple[bytes, bytes | None]] = {}   # segments read so far, when not loaded
        self._filter: np.ndarray | None = None                                 # once loaded
        self._filter_bits = _FILTER_BITS_MAX

    @property
    def size(self) -> int:
        """Keys stored in every run."""
        return sum(run.size for run in self.runs)

    def load(self, adding: int = 0) -> None:
        """Read every run into memory now, for a pass over many articles that will add about `adding` keys."""
        wanted = (self.size + adding) * _FILTER_BITS_PER_KEY
        self._filter_bits = min(max(wanted.bit_length(), _FILTER_BITS_MIN), _FILTER_BITS_MAX)
        self._filter = np.zeros(1 << (self._filter_bits - 3), dtype=np.uint8)
        for run in self.runs:
            if run.keys is None:
                run.keys, run.counts = self._read_run(run)
            self._mark(run.keys)
        self._segments.clear()

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return ((keys >> np.uint64(self.group_bits)) & np.uint64((1 << self._filter_bits) - 1)).astype(np.int64)

    def _mark(self, keys: np.ndarray) -> None:
        if self._filter is not None:
            slots = self._slots(keys)
            np.bitwise_or.at(self._filter, slots >> 3, (1 << (slots & 7)).astype(np.uint8))

    def find(self, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Every stored key k with low[i] <= k <= high[i], for ranges inside one group each: (i, k, its count),
        sorted by i then k when the store is uncounted (a counted store's runs each give their own count)."""
        low, high = low.astype(np.uint64), high.astype(np.uint64)
        asked = np.arange(len(low))
        if self._filter is not None:
            slots = self._slots(high)
            asked = np.flatnonzero((self._filter[slots >> 3] >> (slots & 7)) & 1)
            low, high = low[asked], high[asked]
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []
        parts = self._read_segments(high) if any(run.keys is None for run in self.runs) else {}
        for run in self.runs:
            keys, counts = (run.keys, run.counts) if run.keys is not None else parts[run.id]
            if not len(keys):
                continue
            lo = np.searchsorted(keys, low, side="left")
            some = np.flatnonzero(keys[np.minimum(lo, len(keys) - 1)] <= high)    # most groups are absent
            hits = np.searchsorted(keys, high[some], side="right") - lo[some]
            positions = np.repeat(lo[some], hits) + ranks(hits)
            found.append((asked[np.repeat(some, hits)], keys[positions],
                          counts[positions] if counts is not None else None))
        at = np.concatenate([f[0] for f in found]) if found else np.zeros(0, dtype=np.int64)
        keys = np.concatenate([f[1] for f in found]) if found else np.zeros(0, dtype=np.uint64)
        if self.counted:
            counts = np.concatenate([f[2] for f in found]) if found else np.zeros(0, dtype=np.uint32)
            return at, keys, counts
        order = np.lexsort((keys, at))
        return at[order], keys[order], None

    def add(self, keys: np.ndarray, counts: np.ndarray | None = None) -> None:
        """Store sorted distinct keys (and their counts) as a new run, inside the caller's transaction; then merge
        every level that holds FANOUT runs."""
        if not len(keys):
            return
        self.runs.append(self._write(keys, counts))
        self._mark(keys)
        while True:
            level = next((lv for lv in sorted({r.level for r in self.runs})
                          if sum(r.level == lv for r in self.runs) >= FANOUT), None)
            if level is None:
                return
            merging = [r for r in self.runs if r.level == level]
            parts = [(r.keys, r.counts) if r.keys is not None else self._read_run(r) for r in merging]
            keys, counts = merge([k for k, _ in parts], [c for _, c in parts] if self.counted else None)
            for run in merging:
                self._delete(run)
            self.runs = [r for r in self.runs if r.level != level] + [self._write(keys, counts)]

    def _write(self, keys: np.ndarray, counts: np.ndarray | None) -> Run:
        groups = keys >> np.uint64(self.group_bits)
        starts = np.searchsorted(groups, groups[::SEGMENT], side="left")
        starts = starts[distinct(starts)]
        first = keys[starts]
        level = level_of(len(keys))
        run_id = self.db.execute(f"insert into {self.name}_runs (level, keys, first_keys) values (?, ?, ?)",
                                 [level, len(keys), first.astype(_KEY).tobytes()]).lastrowid
        bounds = np.append(starts, len(keys)).tolist()
        little = keys.astype(_KEY, copy=False)
        tallies = counts.astype(_COUNT, copy=False) if counts is not None else None
        self.db.conn.executemany(f"insert into {self.name}_segments (id, keys, counts) values (?, ?, ?)", (
            ((run_id << _SEGMENT_BITS) | n, little[bounds[n]:bounds[n + 1]].tobytes(),
             tallies[bounds[n]:bounds[n + 1]].tobytes() if tallies is not None else None)
            for n in range(len(starts))))
        return Run(run_id, level, len(keys), first, keys, counts)

    def _delete(self, run: Run) -> None:
        self.db.execute(f"delete from {self.name}_runs where id = ?", [run.id])
        self.db.execute(f"delete from {self.name}_segments where id >= ? and id < ?",
                        [run.id << _SEGMENT_BITS, (run.id + 1) << _SEGMENT_BITS])
        for n in range(len(run.first)):
            self._segments.pop((run.id << _SEGMENT_BITS) | n, None)

    def _read_run(self, run: Run) -> tuple[np.ndarray, np.ndarray | None]:
        rows = self.db.execute(f"select keys, counts from {self.name}_segments where id >= ? and id < ? order by id",
                               [run.id << _SEGMENT_BITS, (run.id + 1) << _SEGMENT_BITS]).fetchall()
        keys = np.frombuffer(b"".join(k for k, _ in rows), dtype=_KEY).astype(np.uint64, copy=False)
        if not self.counted:
            return keys, None
        return keys, np.frombuffer(b"".join(c for _, c in rows), dtype=_COUNT).astype(np.uint32, copy=False)

    def _read_segments(self, high: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray | None]]:
        """For each run not in memory, the keys (and counts) of its segments that may hold keys up to `high`, in
        order; segments are read once per pass, all those missing in one statement."""
        wanted: dict[int, list[int]] = {}
        for run in self.runs:
            if run.keys is None:
                numbers = np.searchsorted(run.first, high, side="right") - 1
                numbers = np.sort(numbers[numbers >= 0])
                wanted[run.id] = ((run.id << _SEGMENT_BITS) | numbers[distinct(numbers)]).tolist()
        missing = [r for rowids in wanted.values() for r in rowids if r not in self._segments]
        # One statement for any number of segments (schema.py imports this module: db.in_chunks cannot be).
        for rowid, keys, counts in self.db.execute(f"select id, keys, counts from {self.name}_segments where id in "
                                                   "(select value from json_each(?))", [json.dumps(missing)]):
            self._segments[rowid] = (keys, counts)
        out: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
        for run_id, rowids in wanted.items():
            keys = np.frombuffer(b"".join(self._segments[r][0] for r in rowids), dtype=_KEY).astype(np.uint64)
            counts = np.frombuffer(b"".join(self._segments[r][1] for r in rowids), dtype=_COUNT).astype(np.uint32) \
                if self.counted else None
            out[run_id] = (keys, counts)
        return out


def merge(keys: list[np.ndarray], counts: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Sorted runs (or any arrays) of keys as one sorted run of distinct keys; with counts, equal keys' counts
    added up."""
    merged = np.concatenate(keys)
    if counts is None:
        merged.sort(kind="stable")       # timsort: sorted runs back to back merge in linear time
        return merged[distinct(merged)], None
    order = np.argsort(merged, kind="stable")
    merged, tallies = merged[order], np.concatenate(counts)[order]
    starts = np.flatnonzero(distinct(merged))
    return merged[starts], np.add.reduceat(tallies.astype(np.uint64), starts).astype(np.uint32) \
        if len(starts) else tallies


def distinct(ordered: np.ndarray) -> np.ndarray:
    """Of a sorted array: True where a value differs from the one before it (the first of each value)."""
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return first


def ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... counts[0] - 1, 0, 1, ... counts[1] - 1, ...: each item's place within its group."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def lsh_keys(buckets: np.ndarray, articles: np.ndarray) -> np.ndarray:
    """The `lsh` store's keys of (bucket, article id) pairs: bucket << 32 | article (both below 2**32)."""
    if len(articles) and int(articles.max()) > 0xFFFFFFFF:
        raise ValueError("article ids above 2**32 do not fit the LSH index")
    return (buckets.astype(np.uint64) << np.uint64(32)) | articles.astype(np.uint64)


def outlet_key(source: str) -> int:
    """A 32-bit key of an outlet's name for the `boilerplate` store (two outlets sharing one would only pool
    their sentence counts; among a thousand outlets the chance is about one in ten thousand)."""
    return zlib.crc32(source.encode("utf-8"))


def sentence_keys(outlets: np.ndarray, sentences: np.ndarray) -> np.ndarray:
    """The `boilerplate` store's keys: outlet key << 31 | the sentence's 31-bit hash."""
    return (outlets.astype(np.uint64) << np.uint64(31)) | sentences.astype(np.uint64)


def convert_rows(db: sqlite_utils.Database) -> None:
    """Move the one-row-per-key tables of migrations 006 and 011 into one run each of the stores (migration 015)."""
    parts = [lsh_keys(block[:, 0], block[:, 1]) for table in ("lsh_buckets", "lsh_recent")
             for block in _blocks(db, f"select bucket, article_id from {table}")]
    if parts:
        RunStore(db, "lsh", group_bits=32).add(merge(parts)[0])
    keys, counts = [], []
    outlets: dict[str, int] = {}
    cursor = db.execute("select source, sentence, articles from boilerplate_sentences")
    while rows := cursor.fetchmany(1 << 16):
        outlet = np.array([outlets.setdefault(r[0], outlet_key(r[0])) for r in rows], dtype=np.uint64)
        keys.append(sentence_keys(outlet, np.array([r[1] for r in rows], dtype=np.uint64)))
        counts.append(np.array([min(r[2], 0xFFFFFFFF) for r in rows], dtype=np.uint32))
    if keys:
        RunStore(db, "boilerplate", counted=True).add(*merge(keys, counts))


def _blocks(db: sqlite_utils.Database, select: str) -> Iterator[np.ndarray]:
    cursor = db.execute(select)
    while rows := cursor.fetchmany(1 << 16):
        yield np.array(rows, dtype=np.int64).reshape(len(rows), -1)
