"""Copy families: syndicated wire copies and near-duplicates, found with MinHash-LSH persisted in SQLite.

Each call indexes only the articles added since the last one (family_index_state.last_article_id):
    1. count each article's edge sentences per source; a sentence at the edge of MIN_REPEAT or more of an
       outlet's articles is its boilerplate and is removed before shingling;
    2. MinHash signatures (crosswire.similarity) -> LSH bucket keys, looked up in `lsh_buckets`;
    3. candidates are verified by shingle containment, so a truncated copy still matches its origin;
    4. a verified pair joins (or founds, or merges) a family; the origin is the member from a source tagged
       "wire", else the earliest published; every other member is a copy.
Families are groupings: no article is deleted. Search and export hide copies with
`coalesce(family_role, '') != 'copy'`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import sqlite_utils

from crosswire import similarity as sim
from storage.db import utcnow

MIN_REPEAT = 3            # articles of one outlet a sentence must open or close to count as boilerplate
CONTAINMENT_MIN = 0.5     # share of the smaller text's shingles found in the larger
MAX_CANDIDATES = 40       # per article, those sharing the most buckets first
BATCH = 2000
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


def _boilerplate(db: sqlite_utils.Database, source: str, hashes: Iterable[int]) -> set[int]:
    """Which of `hashes` are boilerplate sentences of `source`."""
    hashes = list(set(hashes))
    found: set[int] = set()
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        marks = ",".join("?" * len(chunk))
        found.update(h for (h,) in db.execute(
            f"select sentence from boilerplate_sentences where source = ? and articles >= ? "
            f"and sentence in ({marks})", [source, MIN_REPEAT, *chunk]))
    return found


def _cleaned(db: sqlite_utils.Database, rows: list[tuple[int, str, str]]) -> list[str]:
    """Each (id, source, text)'s text without its outlet's boilerplate sentences."""
    edges = [sim.edge_sentences(text) for _, _, text in rows]
    by_source: dict[str, set[int]] = defaultdict(set)
    for (_, source, _), hashes in zip(rows, edges):
        by_source[source].update(hashes)
    boiler = {source: _boilerplate(db, source, hashes) for source, hashes in by_source.items()}
    out = []
    for (_, source, text), hashes in zip(rows, edges):
        found = boiler[source].intersection(hashes)
        out.append(sim.strip_boilerplate(text, found) if found else text)
    return out


def _count_edges(db: sqlite_utils.Database, rows: list[tuple[int, str, str]]) -> None:
    params = [(source, h) for _, source, text in rows for h in sim.edge_sentences(text)]
    db.conn.executemany(
        "insert into boilerplate_sentences (source, sentence, articles) values (?, ?, 1) "
        "on conflict (source, sentence) do update set articles = articles + 1", params)


def _bucket_members(db: sqlite_utils.Database, keys: np.ndarray) -> dict[int, list[int]]:
    unique = np.unique(keys).tolist()
    out: dict[int, list[int]] = defaultdict(list)
    for i in range(0, len(unique), 900):
        chunk = unique[i:i + 900]
        marks = ",".join("?" * len(chunk))
        for bucket, article_id in db.execute(
                f"select bucket, article_id from lsh_buckets where bucket in ({marks})", chunk):
            out[bucket].append(article_id)
    return out


def index_new_articles(db: sqlite_utils.Database, batch_size: int = BATCH) -> IndexSummary:
    """Index the articles stored since the last call and place them in copy families."""
    summary = IndexSummary()
    last = _state(db)
    while True:
        rows = [(r[0], r[1] or "", r[2] or "") for r in db.execute(
            "select id, source, text from articles where id > ? order by id limit ?", [last, batch_size])]
        if not rows:
            break
        with db.atomic():
            _index_batch(db, rows, summary)
            last = rows[-1][0]
            db.execute("insert into family_index_state (name, value) values (?, ?) "
                       "on conflict(name) do update set value = excluded.value", [STATE_KEY, last])
        summary.indexed += len(rows)
    if summary.families_touched:
        with db.atomic():
            refresh_families(db, summary.families_touched)
    return summary


def _index_batch(db: sqlite_utils.Database, rows: list[tuple[int, str, str]], summary: IndexSummary) -> None:
    _count_edges(db, rows)
    texts = _cleaned(db, rows)
    shingles = sim.batch_shingle_hashes(texts)
    full, lead = sim.signatures(shingles)
    keys = sim.bucket_keys(full, lead)
    stored = _bucket_members(db, keys)
    in_batch: dict[int, list[int]] = defaultdict(list)      # bucket -> positions in this batch
    ids = [r[0] for r in rows]
    candidates: list[list[int]] = []
    for pos, row_keys in enumerate(keys.tolist()):
        votes: dict[int, int] = defaultdict(int)
        if len(shingles[pos]) >= sim.MIN_SHINGLES:
            for key in row_keys:
                for other in stored.get(key, ()):
                    votes[other] += 1
                for other_pos in in_batch.get(key, ()):
                    votes[ids[other_pos]] += 1
            for key in set(row_keys):
                in_batch[key].append(pos)
        candidates.append(sorted(votes, key=lambda a: (-votes[a], a))[:MAX_CANDIDATES])
    position = {article_id: pos for pos, article_id in enumerate(ids)}
    wanted = {c for cs in candidates for c in cs}
    sets = {ids[pos]: frozenset(shingles[pos].tolist()) for pos, c in enumerate(candidates)
            if c or ids[pos] in wanted}
    sets.update(_shingle_sets(db, sorted(wanted - set(position))))
    for pos, cands in enumerate(candidates):
        if not cands:
            continue
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
    params = sorted((key, ids[pos]) for pos, row_keys in enumerate(keys.tolist())
                    if len(shingles[pos]) >= sim.MIN_SHINGLES for key in set(row_keys))
    db.conn.executemany("insert or ignore into lsh_buckets (bucket, article_id) values (?, ?)", params)


def _shingle_sets(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, frozenset[int]]:
    """Shingle sets of stored articles (boilerplate removed), for verifying candidates."""
    out: dict[int, frozenset[int]] = {}
    for i in range(0, len(article_ids), 500):
        chunk = article_ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        rows = [(r[0], r[1] or "", r[2] or "") for r in db.execute(
            f"select id, source, text from articles where id in ({marks})", chunk)]
        for (article_id, _, _), hashes in zip(rows, sim.batch_shingle_hashes(_cleaned(db, rows))):
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
        sets = dict(zip([m[0] for m in members], (frozenset(h.tolist()) for h in
                                                  sim.batch_shingle_hashes(_cleaned(db, members)))))
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
