"""Copy families: syndicated wire copies and near-duplicates, found with MinHash-LSH persisted in SQLite.

Each call indexes only the articles added since the last one (family_index_state.last_article_id):
    1. count each article's edge sentences per source; a sentence at the edge of MIN_REPEAT or more of an
       outlet's articles is its boilerplate and is removed before shingling;
    2. MinHash signatures (crosswire.identity.similarity) -> LSH band keys, plus exact-sentence anchor keys, looked
       up in the LSH index and among the earlier articles of the same batch;
    3. candidates (those sharing the most keys first) are verified by shingle containment, so a truncated
       copy still matches its origin;
    4. a verified pair joins (or founds, or merges) a family; the origin is the member from a source tagged
       "wire", else the earliest published; every other member is a copy.
The sentence counts and the LSH index are kept as sorted runs of keys (crosswire.storage.runstore): stores
`boilerplate` (outlet, sentence) -> articles, and `lsh` (bucket << 32 | article id).
Families are groupings: no article is deleted. Search and export hide copies with
`coalesce(family_role, '') != 'copy'`.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import sqlite_utils

from crosswire.core.times import utcnow
from crosswire.identity import similarity as sim
from crosswire.storage.db import in_chunks, writing
from crosswire.storage.runstore import RunStore, distinct, lsh_keys, outlet_key, ranks, sentence_keys

MIN_REPEAT = 3            # articles of one outlet a sentence must open or close to count as boilerplate
CONTAINMENT_MIN = 0.5     # share of the smaller text's shingles found in the larger
MAX_CANDIDATES = 40       # per article, those sharing the most buckets first
BATCH = 2000
# A pass reads a whole store into memory (and maps which groups it holds) when its articles' keys (about 24
# LSH keys and 5 edge sentences each) number at least this share of the keys stored; otherwise it reads only
# the segments its keys fall in. Reading and mapping a key costs about a thirtieth of looking one up alone.
LOAD_SHARE = 1 / 30
KEYS_PER_ARTICLE = {"lsh": sim.BANDS + sim.ANCHOR_SENTENCES, "boilerplate": sim.EDGE_HEAD + sim.EDGE_TAIL}
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


def _stores(db: sqlite_utils.Database) -> tuple[RunStore, RunStore]:
    """The sentence counts and the LSH index of this database."""
    return RunStore(db, "boilerplate", counted=True), RunStore(db, "lsh", group_bits=32)


def _boilerplate(store: RunStore, rows: list[tuple[int, str, str]], analysis: sim.Analysis, *,
                 count: bool) -> np.ndarray:
    """Which sentences of the analysed texts are their outlet's boilerplate (bool per sentence). With `count`,
    first add the texts' edge sentences to the per-outlet counts (new articles only)."""
    outlets = np.array([outlet_key(source) for _, source, _ in rows], dtype=np.uint64)
    docs, hashes = analysis.edge_pairs()
    keys = np.sort(sentence_keys(outlets[docs], hashes))
    firsts = np.flatnonzero(distinct(keys))
    keys, batch = keys[firsts], np.diff(np.append(firsts, len(keys)))    # a sentence in n texts counts n
    if count:
        store.add(keys, batch.astype(np.uint32))
    at, _, counts = store.find(keys, keys)
    totals = np.bincount(at, weights=counts, minlength=len(keys)) if len(at) else np.zeros(len(keys))
    common = keys[totals >= MIN_REPEAT]
    if not len(common):
        return np.zeros(len(analysis.sent_hash), dtype=bool)
    return analysis.edge & np.isin(sentence_keys(outlets[analysis.sent_doc], analysis.sent_hash), common)


def _shingles(store: RunStore, rows: list[tuple[int, str, str]]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Shingle and anchor hashes of each stored (id, source, text), its outlet's boilerplate sentences skipped."""
    analysis = sim.analyse([text for _, _, text in rows])
    return analysis.shingles(_boilerplate(store, rows, analysis, count=False))


def index_new_articles(db: sqlite_utils.Database, batch_size: int = BATCH) -> IndexSummary:
    """Index the articles stored since the last call and place them in copy families."""
    summary = IndexSummary()
    _index_all(db, batch_size, summary)
    if summary.families_touched:
        with writing(db):
            refresh_families(db, summary.families_touched)
    return summary


def _index_all(db: sqlite_utils.Database, batch_size: int, summary: IndexSummary) -> None:
    def fetch(after: int) -> list[tuple[int, str, str]]:
        return [(r[0], r[1] or "", r[2] or "") for r in db.execute(
            "select id, source, text from articles where id > ? order by id limit ?", [after, batch_size])]

    done = _state(db)
    rows = fetch(done)
    if not rows:
        return
    stores = _stores(db)
    pending = db.execute("select max(id) from articles").fetchone()[0] - done
    for store in stores:
        if pending * KEYS_PER_ARTICLE[store.name] >= store.size * LOAD_SHARE:
            store.load(adding=pending * KEYS_PER_ARTICLE[store.name])
    # The next batch's text analysis (numpy, mostly outside the GIL) runs in a thread while this batch's
    # SQLite and numpy work runs here: two cores instead of one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        analysis = pool.submit(sim.analyse, [text for _, _, text in rows])
        while rows:
            current = analysis.result()
            following = fetch(rows[-1][0])
            if following:
                analysis = pool.submit(sim.analyse, [text for _, _, text in following])
            with writing(db):
                if _state(db) != done:      # another pass indexed these meanwhile: its runs are not ours
                    return
                _index_batch(db, stores, rows, summary, current)
                done = rows[-1][0]
                db.execute("insert into family_index_state (name, value) values (?, ?) "
                           "on conflict(name) do update set value = excluded.value", [STATE_KEY, done])
            summary.indexed += len(rows)
            rows = following


def _index_batch(db: sqlite_utils.Database, stores: tuple[RunStore, RunStore], rows: list[tuple[int, str, str]],
                 summary: IndexSummary, analysis: sim.Analysis) -> None:
    boilerplate, lsh = stores
    shingled = analysis.shingled(_boilerplate(boilerplate, rows, analysis, count=True))
    docs, keys = sim.flat_bucket_keys(sim.flat_signatures(shingled.values, shingled.offsets),
                                      shingled.anchors, shingled.anchor_offsets)
    keep = (shingled.sizes >= sim.MIN_SHINGLES)[docs]     # shorter texts are never put in a family
    docs, keys = docs[keep], keys[keep]
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    candidates = _candidates(lsh, ids, docs, keys)
    position = {article_id: pos for pos, article_id in enumerate(ids.tolist())}
    wanted = {c for cs in candidates.values() for c in cs}
    shingles = shingled.lists()[0]
    sets = {int(ids[pos]): frozenset(shingles[pos].tolist()) for pos in set(candidates) | {
        position[c] for c in wanted if c in position}}
    sets.update(_shingle_sets(db, boilerplate, sorted(wanted - set(position))))
    for pos, cands in sorted(candidates.items()):
        mine = sets[int(ids[pos])]
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
            summary.families_touched.add(_join(db, int(ids[pos]), matches))
    codes = np.sort(lsh_keys(keys, ids[docs]))
    lsh.add(codes[distinct(codes)])


def _members(lsh: RunStore, buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every stored article in each bucket: (position in `buckets`, article id), by position then id."""
    low = buckets.astype(np.uint64) << np.uint64(32)
    at, keys, _ = lsh.find(low, low | np.uint64(0xFFFFFFFF))
    return at, (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)


def _candidates(lsh: RunStore, ids: np.ndarray, docs: np.ndarray, keys: np.ndarray) -> dict[int, list[int]]:
    """For each text of the batch (by position) that shares a key with a stored article or with an earlier text
    of the batch: those articles, most keys shared first (then the lowest id), at most MAX_CANDIDATES."""
    by_key = np.argsort(keys, kind="stable")
    firsts = distinct(keys[by_key])
    buckets = keys[by_key][firsts]
    at = np.empty(len(keys), dtype=np.int64)
    at[by_key] = np.cumsum(firsts) - 1                 # each pair's bucket, as a position in `buckets`
    where, stored = _members(lsh, buckets)             # grouped by bucket
    per_bucket = np.bincount(where, minlength=len(buckets))
    # Every (text, key) pair meets each stored member of its bucket...
    meets = per_bucket[at]
    first = (np.cumsum(per_bucket) - per_bucket)[at]
    voter = np.repeat(docs, meets)
    voted = stored[np.repeat(first, meets) + ranks(meets)]
    # ...and each earlier text of the batch with the same key (texts sorted by bucket, then position).
    order = np.lexsort((docs, at))
    by_bucket, by_doc = at[order], docs[order]
    group_start = np.searchsorted(by_bucket, by_bucket, side="left")
    earlier = np.arange(len(order)) - group_start
    voter = np.concatenate([voter, np.repeat(by_doc, earlier)])
    voted = np.concatenate([voted, ids[by_doc[np.repeat(group_start, earlier) + ranks(earlier)]]])
    pairs = np.sort((voter << 32) | voted)
    firsts = np.flatnonzero(distinct(pairs))
    pairs, votes = pairs[firsts], np.diff(np.append(firsts, len(pairs)))
    voter, voted = pairs >> 32, pairs & 0xFFFFFFFF
    order = np.lexsort((voted, -votes, voter))
    voter, voted = voter[order], voted[order]
    best = (np.arange(len(voter)) - np.searchsorted(voter, voter, side="left")) < MAX_CANDIDATES
    out: dict[int, list[int]] = {}
    for pos, other in zip(voter[best].tolist(), voted[best].tolist()):
        out.setdefault(pos, []).append(other)
    return out


def _shingle_sets(db: sqlite_utils.Database, boilerplate: RunStore, article_ids: list[int]
                  ) -> dict[int, frozenset[int]]:
    """Shingle sets of stored articles (boilerplate removed), for verifying candidates."""
    out: dict[int, frozenset[int]] = {}
    for marks, chunk in in_chunks(article_ids):
        rows = [(r[0], r[1] or "", r[2] or "") for r in db.execute(
            f"select id, source, text from articles where id in ({marks})", chunk)]
        for (article_id, _, _), hashes in zip(rows, _shingles(boilerplate, rows)[0]):
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
        shingles = _shingles(RunStore(db, "boilerplate", counted=True), members)[0]
        sets = dict(zip([m[0] for m in members], (frozenset(h.tolist()) for h in shingles)))
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
    boilerplate, lsh = _stores(db)
    shingles, anchors = _shingles(boilerplate, [(0, source or "", text)])
    if len(shingles[0]) < sim.MIN_SHINGLES:
        return []
    keys = sim.bucket_keys(sim.signatures(shingles), anchors)[0]
    _, members = _members(lsh, np.unique(np.array(keys, dtype=np.int64)))
    candidates = sorted(set(members.tolist()))[:MAX_CANDIDATES * 4]
    mine = frozenset(shingles[0].tolist())
    scored = [(other, sim.containment(mine, theirs)) for other, theirs in _shingle_sets(db, boilerplate, candidates).items()
              if len(theirs) >= sim.MIN_SHINGLES]
    return sorted(((a, round(c, 4)) for a, c in scored if c >= CONTAINMENT_MIN), key=lambda x: (-x[1], x[0]))
