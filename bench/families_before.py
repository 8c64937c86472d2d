"""FROZEN COPY of storage/families.py as it was before the run stores (main at a82e6c5), kept only so that
bench/bench_families.py can time today's indexer against it in one run. Do not edit or import it elsewhere.
It keeps its LSH pairs in the row tables migration 015 replaced, so it creates them when they are missing.

Copy families: syndicated wire copies and near-duplicates, found with MinHash-LSH persisted in SQLite.

Each call indexes only the articles added since the last one (family_index_state.last_article_id):
    1. count each article's edge sentences per source; a sentence at the edge of MIN_REPEAT or more of an
       outlet's articles is its boilerplate and is removed before shingling;
    2. MinHash signatures (crosswire.identity.similarity) -> LSH band keys, plus exact-sentence anchor keys, looked
       up in `lsh_buckets` (merged, big) and `lsh_recent` (small, merged in sorted order when it grows);
    3. candidates are verified by shingle containment, so a truncated copy still matches its origin;
    4. a verified pair joins (or founds, or merges) a family; the origin is the member from a source tagged
       "wire", else the earliest published; every other member is a copy.
Families are groupings: no article is deleted. Search and export hide copies with
`coalesce(family_role, '') != 'copy'`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import sqlite_utils

from crosswire.core.times import utcnow
import similarity_before as sim
from crosswire.storage.db import in_chunks, writing

MIN_REPEAT = 3            # articles of one outlet a sentence must open or close to count as boilerplate
CONTAINMENT_MIN = 0.5     # share of the smaller text's shingles found in the larger
MAX_CANDIDATES = 40       # per article, those sharing the most buckets first
BATCH = 2000
CACHE_KB = 128 * 1024      # SQLite page cache while indexing
MERGE_MIN_ROWS = 500_000  # lsh_recent rows before a merge into lsh_buckets (about 6 MB: stays in cache)
STATE_KEY = "last_article_id"


@dataclass
class IndexSummary:
    """What one indexing pass did."""

    indexed: int = 0
    matched: int = 0                      # new articles that joined or founded a family
    families_touched: set[int] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"indexed": self.indexed, "matched": self.matched, "families_touched": len(self.families_touched)}


def _state(db: sqlite_utils.Database) -> int:
    row = db.execute("select value from family_index_state where name = ?", [STATE_KEY]).fetchone()
    return row[0] if row else 0


def _boilerplate(db: sqlite_utils.Database, pairs: set[tuple[str, int]]) -> list[tuple[str, int]]:
    """Which (source, sentence hash) pairs are boilerplate: at the edge of MIN_REPEAT or more of its articles."""
    if not pairs:
        return []
    db.execute("create temp table if not exists edge_query (source text, sentence integer)")
    db.execute("delete from temp.edge_query")
    db.conn.executemany("insert into temp.edge_query (source, sentence) values (?, ?)", pairs)
    return [(source, h) for source, h in db.execute(
        "select q.source, q.sentence from temp.edge_query q cross join boilerplate_sentences b "
        "on b.source = q.source and b.sentence = q.sentence where b.articles >= ?", [MIN_REPEAT])]


def _shingles(db: sqlite_utils.Database, rows: list[tuple[int, str, str]], *, count: bool = False,
              analysis: sim.Analysis | None = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Shingle and anchor hashes of each (id, source, text), its outlet's boilerplate sentences skipped.
    With `count`, first add the texts' edge sentences to the per-outlet counts (new articles only)."""
    analysis = analysis or sim.analyse([text for _, _, text in rows])
    edges = analysis.edge_hashes()
    if count:
        db.conn.executemany(
            "insert into boilerplate_sentences (source, sentence, articles) values (?, ?, 1) "
            "on conflict (source, sentence) do update set articles = articles + 1",
            [(source, h) for (_, source, _), hashes in zip(rows, edges) for h in hashes.tolist()])
    index = {source: i for i, source in enumerate(sorted({source for _, source, _ in rows}))}
    pairs = {(source, h) for (_, source, _), hashes in zip(rows, edges) for h in hashes.tolist()}
    found = [index[source] * 2**31 + h for source, h in _boilerplate(db, pairs)]
    drop = np.zeros(len(analysis.sent_hash), dtype=bool)
    if found:
        doc_source = np.array([index[source] for _, source, _ in rows], dtype=np.int64)
        keys = doc_source[analysis.sent_doc] * 2**31 + analysis.sent_hash
        drop = analysis.edge & np.isin(keys, np.array(found, dtype=np.int64))
    return analysis.shingles(drop)


def _bucket_members(db: sqlite_utils.Database, keys: np.ndarray) -> dict[int, list[int]]:
    """Stored articles in each of these buckets (the merged index and the recent part)."""
    unique = np.unique(keys).tolist()
    out: dict[int, list[int]] = defaultdict(list)
    if not unique:
        return out
    # One join against a temporary table of the batch's keys beats thousands of `in (...)` queries; CROSS
    # JOIN keeps SQLite from scanning the big table and probing the small one.
    db.execute("create temp table if not exists lsh_query (bucket integer primary key)")
    db.execute("delete from temp.lsh_query")
    db.conn.executemany("insert into temp.lsh_query (bucket) values (?)", ((k,) for k in unique))
    for table in ("lsh_buckets", "lsh_recent"):
        for bucket, article_id in db.execute(
                f"select q.bucket, b.article_id from temp.lsh_query q cross join {table} b on b.bucket = q.bucket"):
            out[bucket].append(article_id)
    return out


def _add_buckets(db: sqlite_utils.Database, params: list[tuple[int, int]]) -> None:
    """Append bucket rows to the small `lsh_recent` table; merge it into `lsh_buckets` when it has grown to a
    quarter of it. Random inserts into one big B-tree would rewrite most of its pages on every commit;
    a small table stays in cache, and a sorted merge writes each page of the big one once (an LSM tree)."""
    db.conn.executemany("insert or ignore into lsh_recent (bucket, article_id) values (?, ?)", params)
    recent = _counter(db, "recent_rows") + len(params)
    merged = _counter(db, "merged_rows")
    if recent >= max(MERGE_MIN_ROWS, merged // 4):
        db.execute("insert or ignore into lsh_buckets (bucket, article_id) "
                   "select bucket, article_id from lsh_recent order by bucket, article_id")
        db.execute("delete from lsh_recent")
        merged, recent = merged + recent, 0
        _set_counter(db, "merged_rows", merged)
    _set_counter(db, "recent_rows", recent)


def _counter(db: sqlite_utils.Database, name: str) -> int:
    row = db.execute("select value from family_index_state where name = ?", [name]).fetchone()
    return row[0] if row else 0


def _set_counter(db: sqlite_utils.Database, name: str, value: int) -> None:
    db.execute("insert into family_index_state (name, value) values (?, ?) "
               "on conflict(name) do update set value = excluded.value", [name, value])


def index_new_articles(db: sqlite_utils.Database, batch_size: int = BATCH) -> IndexSummary:
    """Index the articles stored since the last call and place them in copy families."""
    for table in ("lsh_buckets", "lsh_recent"):
        db.execute(f"create table if not exists {table} (bucket integer not null, article_id integer not null, "
                   "primary key (bucket, article_id)) without rowid")
    db.execute("create table if not exists boilerplate_sentences (source text not null, sentence integer not null, "
               "articles integer not null, primary key (source, sentence)) without rowid")
    summary = IndexSummary()
    # The recent part of the index and the pages a merge touches stay in memory (SQLite's default is 2 MB).
    cache = db.execute("pragma cache_size").fetchone()[0]
    db.execute(f"pragma cache_size = {-CACHE_KB}")
    try:
        _index_all(db, batch_size, summary)
    finally:
        db.execute(f"pragma cache_size = {cache}")
    if summary.families_touched:
        with writing(db):
            refresh_families(db, summary.families_touched)
    return summary


def _index_all(db: sqlite_utils.Database, batch_size: int, summary: IndexSummary) -> None:
    def fetch(after: int) -> list[tuple[int, str, str]]:
        return [(r[0], r[1] or "", r[2] or "") for r in db.execute(
            "select id, source, text from articles where id > ? order by id limit ?", [after, batch_size])]

    # The next batch's text analysis (numpy, mostly outside the GIL) runs in a thread while this batch's
    # SQLite work (also outside the GIL) runs here: two cores instead of one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        rows = fetch(_state(db))
        analysis = pool.submit(sim.analyse, [text for _, _, text in rows]) if rows else None
        while rows and analysis is not None:
            current = analysis.result()
            following = fetch(rows[-1][0])
            analysis = pool.submit(sim.analyse, [text for _, _, text in following]) if following else None
            with writing(db):
                _index_batch(db, rows, summary, current)
                db.execute("insert into family_index_state (name, value) values (?, ?) "
                           "on conflict(name) do update set value = excluded.value", [STATE_KEY, rows[-1][0]])
            summary.indexed += len(rows)
            rows = following


def _index_batch(db: sqlite_utils.Database, rows: list[tuple[int, str, str]], summary: IndexSummary,
                 analysis: sim.Analysis | None = None) -> None:
    shingles, anchors = _shingles(db, rows, count=True, analysis=analysis)
    keys = sim.bucket_keys(sim.signatures(shingles), anchors)
    ids = [r[0] for r in rows]
    eligible = [pos for pos in range(len(rows)) if len(shingles[pos]) >= sim.MIN_SHINGLES]
    counts = np.array([len(keys[pos]) for pos in eligible], dtype=np.int64)
    flat = np.fromiter((k for pos in eligible for k in keys[pos]), dtype=np.int64, count=int(counts.sum()))
    owner = np.repeat(np.array(eligible, dtype=np.int64), counts)
    stored = _bucket_members(db, flat)
    # Only the few articles with a key some other article has need a look: most share none.
    unique, seen = np.unique(flat, return_counts=True)
    shared = unique[seen > 1]
    hit = np.isin(flat, shared) | np.isin(flat, np.fromiter(stored, dtype=np.int64, count=len(stored)))
    in_batch: dict[int, list[int]] = defaultdict(list)      # bucket -> positions in this batch, in order
    for key, pos in zip(flat[hit].tolist(), owner[hit].tolist()):
        in_batch[key].append(pos)
    candidates: dict[int, list[int]] = {}
    for pos in sorted(set(owner[hit].tolist())):
        votes: dict[int, int] = defaultdict(int)
        for key in keys[pos]:
            for other in stored.get(key, ()):
                votes[other] += 1
            for other_pos in in_batch.get(key, ()):
                if other_pos < pos:
                    votes[ids[other_pos]] += 1
        if votes:
            candidates[pos] = sorted(votes, key=lambda a: (-votes[a], a))[:MAX_CANDIDATES]
    position = {article_id: pos for pos, article_id in enumerate(ids)}
    wanted = {c for cs in candidates.values() for c in cs}
    sets = {ids[pos]: frozenset(shingles[pos].tolist()) for pos in set(candidates) | {
        position[c] for c in wanted if c in position}}
    sets.update(_shingle_sets(db, sorted(wanted - set(position))))
    for pos, cands in sorted(candidates.items()):
        mine = sets[ids[pos]]
        matches = []
        for other in cands:
            theirs = sets.get(other)
            if not theirs or min(len(theirs), len(mine)) < sim.MIN_SHINGLES:
                continue
            score = sim.containment(mine, theirs)
            if score >= CONTAINMENT_MIN:
                matches.append((other, score, sim.jaccard(mine, theirs)))
        if matches:
            summary.matched += 1
            summary.families_touched.add(_join(db, ids[pos], matches))
    order = np.lexsort((owner, flat))
    article_of = np.array(ids, dtype=np.int64)[owner[order]]
    _add_buckets(db, list(zip(flat[order].tolist(), article_of.tolist())))


def _shingle_sets(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, frozenset[int]]:
    """Shingle sets of stored articles (boilerplate removed), for verifying candidates."""
    out: dict[int, frozenset[int]] = {}
    for marks, chunk in in_chunks(article_ids):
        rows = [(r[0], r[1] or "", r[2] or "") for r in db.execute(
            f"select id, source, text from articles where id in ({marks})", chunk)]
        for (article_id, _, _), hashes in zip(rows, _shingles(db, rows)[0]):
            out[article_id] = frozenset(hashes.tolist())
    return out


def family_of(db: sqlite_utils.Database, article_id: int) -> int | None:
    """The family an article belongs to, if any."""
    row = db.execute("select family_id from articles where id = ?", [article_id]).fetchone()
    return row[0] if row else None


def _join(db: sqlite_utils.Database, article_id: int, matches: list[tuple[int, float, float]]) -> int:
    """Put `article_id` in the family of its matches (founding or merging families as needed)."""
    now = utcnow()
    best = max(matches, key=lambda m: (m[1], m[2]))
    families = sorted({f for f in (family_of(db, m[0]) for m in matches) if f is not None})
    if families:
        target = families[0]
        for other in families[1:]:   # the new article bridges two families: they are one
            db.execute("update articles set family_id = ? where family_id = ?", [target, other])
            db.execute("update family_links set family_id = ? where family_id = ?", [target, other])
            db.execute("delete from families where id = ?", [other])
    else:
        target = db["families"].insert({"origin_id": best[0], "size": 0, "created": now, "updated": now}).last_pk
    for other, _, _ in matches:
        if family_of(db, other) is None:
            db.execute("update articles set family_id = ? where id = ?", [target, other])
            db.execute("insert or replace into family_links (article_id, family_id, matched_id, containment, "
                       "jaccard) values (?, ?, null, null, null)", [other, target])
    db.execute("update articles set family_id = ? where id = ?", [target, article_id])
    db.execute("insert or replace into family_links (article_id, family_id, matched_id, containment, jaccard) "
               "values (?, ?, ?, ?, ?)", [article_id, target, best[0], round(best[1], 4), round(best[2], 4)])
    return target


def refresh_families(db: sqlite_utils.Database, family_ids: Iterable[int]) -> None:
    """Choose each family's origin (a wire's copy, else the earliest) and mark the rest as copies."""
    now = utcnow()
    for family_id in sorted(set(family_ids)):
        members = list(db.execute(
            "select a.id, a.published, a.first_seen, s.tags from articles a "
            "left join sources s on s.name = a.source where a.family_id = ?", [family_id]))
        if not members:
            db.execute("delete from families where id = ?", [family_id])
            continue

        def rank(member: tuple) -> tuple:
            article_id, published, first_seen, tags = member
            is_wire = "wire" in (json.loads(tags) if tags else [])
            return (0 if is_wire else 1, published or first_seen or "", article_id)

        origin = min(members, key=rank)[0]
        db.execute("update articles set family_role = case when id = ? then 'origin' else 'copy' end "
                   "where family_id = ?", [origin, family_id])
        db.execute("update families set origin_id = ?, size = ?, updated = ? where id = ?",
                   [origin, len(members), now, family_id])


def describe_families(db: sqlite_utils.Database, family_ids: list[int] | None, *,
                      limit: int = 20) -> list[dict[str, Any]]:
    """Families as dicts: id, origin and copies (id, source, title, url, published, similarity to the origin:
    the share of the shorter text's shingles the two share, boilerplate removed)."""
    if family_ids is None:
        family_ids = [r[0] for r in db.execute("select id from families order by updated desc, id desc limit ?",
                                               [limit])]
    out = []
    for family_id in family_ids:
        members = [(r[0], r[1] or "", r[2] or "") for r in db.execute(
            "select id, source, text from articles where family_id = ? order by id", [family_id])]
        if not members:
            continue
        sets = dict(zip([m[0] for m in members], (frozenset(h.tolist()) for h in _shingles(db, members)[0])))
        rows = {r["id"]: r for r in db.query(
            "select id, source, title, url, published, family_role from articles where family_id = ?", [family_id])}
        origin_id = next((i for i, r in rows.items() if r["family_role"] == "origin"), min(rows))

        def card(article_id: int) -> dict[str, Any]:
            row = rows[article_id]
            return {"id": article_id, "source": row["source"], "title": row["title"], "url": row["url"],
                    "published": row["published"]}

        copies = [{**card(i), "similarity": round(sim.containment(sets[i], sets[origin_id]), 2)}
                  for i in sorted(rows, key=lambda i: (rows[i]["published"] or "", i)) if i != origin_id]
        out.append({"id": family_id, "origin": card(origin_id), "copies": copies})
    return out


def find_copies(db: sqlite_utils.Database, text: str, *, source: str | None = None) -> list[tuple[int, float]]:
    """Stored articles `text` is a copy of (or that copy it): (id, containment), best first. Read-only."""
    shingles, anchors = _shingles(db, [(0, source or "", text)])
    if len(shingles[0]) < sim.MIN_SHINGLES:
        return []
    keys = sim.bucket_keys(sim.signatures(shingles), anchors)[0]
    members = _bucket_members(db, np.array(keys, dtype=np.int64))
    candidates = sorted({a for ids in members.values() for a in ids})[:MAX_CANDIDATES * 4]
    mine = frozenset(shingles[0].tolist())
    scored = [(other, sim.containment(mine, theirs)) for other, theirs in _shingle_sets(db, candidates).items()
              if len(theirs) >= sim.MIN_SHINGLES]
    return sorted(((a, round(c, 4)) for a, c in scored if c >= CONTAINMENT_MIN), key=lambda x: (-x[1], x[0]))
