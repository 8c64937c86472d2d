"""Stories: groupings of articles from different outlets about one event, built by online clustering.

`cluster_new(db)` assigns articles that have no story yet (run after each crawl); `recluster(db)` rebuilds
every story from scratch. Stories are groupings over articles: nothing here deletes an article.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit

import sqlite_utils

from crosswire.analysis import embedding
from crosswire.analysis.clustering import WINDOW_HOURS, Clusterer, mark_copies
from crosswire.analysis.storyvec import (
    Features,
    build_docs,
    content_key,
    features_from_blob,
    features_to_blob,
    features_version,
    row_features,
    row_key,
    rows_features,
)
from crosswire.core.times import utcnow
from crosswire.storage.db import in_chunks, writing

_ARTICLE_COLUMNS = ("id, source, title, lede, text, language, published, first_seen, family_id, family_role, "
                    "body_hash, word_count, story_id")


@dataclass(frozen=True)
class ClusterReport:
    """What one clustering pass did."""

    articles: int          # articles assigned now
    new_stories: int
    joined: int            # articles that joined an existing story (copies included)
    copies: int            # of those, copies of a text already in a story

    def line(self) -> str:
        """One line for the CLI."""
        return (f"{self.articles} articles clustered: {self.new_stories} new stories, "
                f"{self.joined} joined existing stories ({self.copies} as copies)")


def article_time(row: dict[str, Any]) -> float:
    """Seconds since the epoch of an article's publication (its first sighting when undated)."""
    value = row.get("published") or row.get("first_seen")
    if not value:
        return 0.0
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def copy_key(row: dict[str, Any]) -> str | None:
    """Articles sharing this key carry one text: the same copy family, else the same (non-empty) body."""
    if row.get("family_id") is not None:
        return f"family:{row['family_id']}"
    if row.get("body_hash") and (row.get("word_count") or 0) >= 20:
        return f"hash:{row['body_hash']}"
    return None


def _rows(db: sqlite_utils.Database, where: str, params: list[Any], limit: int | None = None,
          offset: int = 0) -> list[dict[str, Any]]:
    order = (f" order by coalesce(published, first_seen), family_role = 'copy', id limit {int(limit)} "
             f"offset {int(offset)}" if limit else "")
    cursor = db.execute(f"select {_ARTICLE_COLUMNS} from articles where {where}{order}", params)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values)) for values in cursor.fetchall()]
    for row in rows:
        row["time"] = article_time(row)
        row["group"] = copy_key(row)
    # Origins before copies at equal times, so a family's first member is its original.
    rows.sort(key=lambda r: (r["time"], r.get("family_role") == "copy", r["id"]))
    return rows


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def cluster_new(db: sqlite_utils.Database, *, window_hours: float = WINDOW_HOURS, threshold: float | None = None,
                progress: Callable[[int, int], None] | None = None, batch: int | None = None,
                known: Mapping[tuple[int, int], Features] | None = None, **model: Any) -> ClusterReport:
    """Give every article without a story one: join a story active in the window, or start a new story.
    `progress(done, total)` hears how far the assignment is (every 1,000 articles and at the end); `model`
    overrides crosswire.analysis.clustering.Clusterer's fitted weights (bench/fit_stories.py uses it). With
    `batch`, the articles go in time-ordered batches of that many, each committed on its own and clustered
    against the stories active around it, so memory stays bounded however large the archive and no writer
    waits on one long transaction. `known`: articles' row_features computed already, by storyvec.row_key
    (a crawl's embedder computes those of its new articles); the rest are computed here."""
    if not batch:
        return _cluster_batch(db, None, window_hours, threshold, progress, model, known=known)
    total = db.execute("select count(*) from articles where story_id is null").fetchone()[0]
    reports: list[ClusterReport] = []
    with Ahead(PREFETCH and total > batch) as ahead:
        while True:
            done = sum(r.articles for r in reports)
            step = None if progress is None else (lambda n, _t, done=done: progress(done + n, total))
            report = _cluster_batch(db, batch, window_hours, threshold, step, model, ahead)
            if not report.articles:
                break
            reports.append(report)
    return ClusterReport(*(sum(getattr(r, f) for r in reports) for f in ("articles", "new_stories", "joined", "copies")))


PREFETCH = True   # in batches, the next batch's features are computed in a worker process (bench: False = before)


class Ahead:
    """The next batch's article features (storyvec.row_features: language, names, counts; ~30% of clustering's
    CPU), computed in one worker process while this batch is assigned, so a recluster uses both cores."""

    def __init__(self, on: bool) -> None:
        # spawn, not fork: the caller may hold threads (a crawl's reactor) that a forked child would inherit
        self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) if on else None
        self.cache: dict[tuple[int, int], Features] = {}
        self.pending: tuple[list[tuple[int, int]], Future[list[Features]]] | None = None

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def take(self, rows: list[dict[str, Any]]) -> list[Features | None]:
        """The features known of rows (waiting for the worker's batch), None where not; known: these only."""
        if self.pending is not None:
            keys, future = self.pending
            self.cache.update(zip(keys, future.result()))
            self.pending = None
        found = [self.cache.get(row_key(r)) for r in rows]
        self.cache = {}
        return found

    def keep(self, rows: list[dict[str, Any]], features: list[Features]) -> None:
        """Keep features of this batch's articles: the next batch sees the latest of them as its context."""
        self.cache.update((row_key(r), f) for r, f in zip(rows, features))

    def submit(self, rows: list[dict[str, Any]]) -> None:
        """Start computing the features of the next batch's articles."""
        if self.pool is not None and rows:
            fields = [{k: r.get(k) for k in ("title", "lede", "text", "language")} for r in rows]
            self.pending = [row_key(r) for r in rows], self.pool.submit(rows_features, fields)


def _cluster_batch(db: sqlite_utils.Database, limit: int | None, window_hours: float, threshold: float | None,
                   progress: Callable[[int, int], None] | None, model: dict[str, Any],
                   ahead: Ahead | None = None, known: Mapping[tuple[int, int], Features] | None = None,
                   ) -> ClusterReport:
    """Cluster the (first `limit`, in time order) articles without a story."""
    new = _rows(db, "story_id is null", [], limit=limit)
    if not new:
        return ClusterReport(0, 0, 0, 0)
    window = window_hours * 3600
    start, end = _iso(new[0]["time"] - window), _iso(new[-1]["time"] + window)
    context = _rows(db, "story_id is not null and coalesce(published, first_seen) between ? and ?", [start, end])
    rows = context + new
    if ahead is not None:
        found = ahead.take(rows)
        if limit:
            ahead.submit(_rows(db, "story_id is null", [], limit=limit, offset=limit))
    else:
        # A crawl's clustering: the features of the open stories' articles were stored by the crawls before
        # (computing them again cost 6.6 ms an article, every crawl, for every article of the last ten days).
        found = [known.get(row_key(r)) for r in rows] if known else [None] * len(rows)
        found = _stored_features(db, rows, found)
    attach_embeddings(db, rows)
    computed = [i for i, f in enumerate(found) if f is None]
    features = [f or row_features(r) for r, f in zip(rows, found)]
    docs = build_docs(rows, features=features)
    if ahead is not None and features is not None:
        ahead.keep(new, features[len(context):])
    max_id = db.execute("select coalesce(max(id), 0) from stories").fetchone()[0]
    kwargs = {"threshold": threshold} if threshold is not None else {}
    clusterer = Clusterer(next_id=max_id + 1, window_hours=window_hours, **kwargs, **model)
    for row, doc in zip(context, docs[:len(context)]):
        clusterer.seed(doc, row["story_id"])
    decisions = []
    for doc in docs[len(context):]:
        decisions.append(clusterer.add(doc))
        if progress is not None and len(decisions) % 1000 == 0:
            progress(len(decisions), len(new))
    if progress is not None:
        progress(len(decisions), len(new))
    touched = {d.story_id for d in decisions}
    with writing(db):
        db.conn.executemany("update articles set story_id = ? where id = ?",
                            [(d.story_id, d.doc_id) for d in decisions])
        refresh_stories(db, touched, {s: clusterer.label(s) for s in touched})
        if ahead is None:
            _keep_features(db, [rows[i] for i in computed] + [r for r, f in zip(new, found[len(context):])
                                                              if f is not None], features, rows,
                           new[-1]["time"] - window)
    joined = sum(1 for d in decisions if not d.new_story)
    return ClusterReport(len(decisions), len(decisions) - joined, joined, sum(1 for d in decisions if d.copy))


def _stored_features(db: sqlite_utils.Database, rows: list[dict[str, Any]],
                     found: list[Features | None]) -> list[Features | None]:
    """`found`, with the stored features of rows that have none, where stored by this code for the same text."""
    wanted = {r["id"]: i for i, (r, f) in enumerate(zip(rows, found)) if f is None}
    out = list(found)
    version = features_version()
    try:
        for marks, chunk in in_chunks(list(wanted)):
            for article_id, content, blob in db.execute(
                    f"select article_id, content, features from story_features where version = ? "
                    f"and article_id in ({marks})", [version, *chunk]):
                i = wanted[article_id]
                if content == content_key(rows[i]):
                    out[i] = features_from_blob(blob)
    except sqlite3.OperationalError:    # an archive from before migration 018 (opened read-only): none stored
        pass
    return out


def _keep_features(db: sqlite_utils.Database, keep: list[dict[str, Any]], features: list[Features],
                   rows: list[dict[str, Any]], oldest: float) -> None:
    """Store the features of the `keep` rows (of `rows`, whose features are `features`) dated from `oldest`
    (a time) on, inside the caller's transaction, and forget those of older articles: the next crawl's stories
    reach back one window from its first new article, no further (a recluster computes everything again)."""
    at = {id(r): i for i, r in enumerate(rows)}
    version = features_version()
    db.conn.executemany(
        "insert or replace into story_features (article_id, version, content, features) values (?, ?, ?, ?)",
        [(r["id"], version, content_key(r), features_to_blob(features[at[id(r)]])) for r in keep
         if r["time"] >= oldest])
    # Through the few kept rows, not the whole archive: each looks its article up by id.
    db.execute("delete from story_features where article_id in (select f.article_id from story_features f "
               "join articles a on a.id = f.article_id where coalesce(a.published, a.first_seen) < ?)", [_iso(oldest)])


EMBED_BATCH = 8000   # articles embedded (on both cores when this many) and committed at a time


def attach_embeddings(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> int:
    """Set each row's `embedding`: the stored one, else computed now and stored (once per article: it costs
    ~7 ms of CPU). Returns how many were computed."""
    ids = [r["id"] for r in rows]
    stored: dict[int, bytes] = {}
    for marks, chunk in in_chunks(ids):
        stored.update(db.execute(f"select article_id, vector from article_embeddings where model = ? "
                                 f"and article_id in ({marks})", [embedding.MODEL, *chunk]).fetchall())
    missing = []
    for row in rows:
        blob = stored.get(row["id"])
        row["embedding"] = embedding.from_blob(blob) if blob is not None else None
        if blob is None:
            missing.append(row)
    # the same two worker processes for every part: each loads the encoder once and keeps its pieces' rows
    with ExitStack() as stack:
        pool = stack.enter_context(embedding.worker_pool(2)) if len(missing) > EMBED_BATCH else None
        for start in range(0, len(missing), EMBED_BATCH):   # committed as it goes: an interrupted run keeps its work
            part = missing[start:start + EMBED_BATCH]
            vectors = embedding.embed(part, workers=2, pool=pool)
            with writing(db):
                db.conn.executemany("insert or replace into article_embeddings (article_id, model, vector) values "
                                    "(?, ?, ?)", [(r["id"], embedding.MODEL, embedding.to_blob(v))
                                                  for r, v in zip(part, vectors)])
            for row, vector in zip(part, vectors):
                row["embedding"] = embedding.from_blob(embedding.to_blob(vector))   # as a later run will read it
    return len(missing)


RECLUSTER_BATCH = 20_000   # articles per batch: a 100,000-article archive reclusters in well under 1 GB


def recluster(db: sqlite_utils.Database, **kwargs: Any) -> ClusterReport:
    """Forget every story and cluster the whole archive again, in time order and in batches (options as for
    cluster_new)."""
    with writing(db):
        db.execute("update articles set story_id = null where story_id is not null")
        db.execute("delete from stories")
    return cluster_new(db, **{"batch": RECLUSTER_BATCH, **kwargs})


def refresh_stories(db: sqlite_utils.Database, story_ids: Iterable[int], labels: dict[int, str]) -> None:
    """Recompute the summary row (span, counts, first report, label) of each story from its articles."""
    now = utcnow()
    for story_id in story_ids:
        rows = _rows(db, "story_id = ?", [story_id])
        if not rows:
            db.execute("delete from stories where id = ?", [story_id])
            continue
        first = rows[0]
        mark_copies(rows)
        record = {
            "id": story_id, "label": labels.get(story_id) or first["title"],
            "first_published": _iso(first["time"]), "last_published": _iso(rows[-1]["time"]),
            "first_article_id": first["id"], "first_source": first["source"],
            "article_count": len(rows), "source_count": len({r["source"] for r in rows}),
            "text_count": sum(1 for r in rows if r["role"] == "own"), "updated": now,
        }
        db["stories"].upsert(record, pk="id")


def list_stories(db: sqlite_utils.Database, *, since: str | None = None, article_ids: set[int] | None = None,
                 min_sources: int = 1, limit: int | None = None) -> list[dict[str, Any]]:
    """Stories newest first, optionally only those since a date or containing one of `article_ids`."""
    where, params = ["source_count >= ?"], [min_sources]
    if since:
        where.append("last_published >= ?")
        params.append(since)
    sql = f"select * from stories where {' and '.join(where)} order by first_published desc, id desc"
    stories = [dict(r) for r in db.query(sql, params)]
    if article_ids is not None:
        wanted: set[int] = set()
        ids = sorted(article_ids)
        for marks, chunk in in_chunks(ids):
            wanted.update(r[0] for r in db.execute(
                f"select distinct story_id from articles where id in ({marks}) and story_id is not null", chunk))
        stories = [s for s in stories if s["id"] in wanted]
    if limit:  # before the per-story query below: a list of 100 should not cost one query per story ever made
        stories = stories[:limit]
    for story in stories:
        story["sources"] = [r[0] for r in db.execute(
            "select source from articles where story_id = ? group by source order by min(coalesce(published, "
            "first_seen))", [story["id"]])]
    return stories


def get_story(db: sqlite_utils.Database, story_id: int) -> dict[str, Any] | None:
    """The stories row, or None."""
    rows = list(db.query("select * from stories where id = ?", [story_id]))
    return dict(rows[0]) if rows else None


def story_articles(db: sqlite_utils.Database, story_id: int) -> list[dict[str, Any]]:
    """A story's articles in time order, each with its source's country and tags."""
    rows = _rows(db, "story_id = ?", [story_id])
    ids = [r["id"] for r in rows]
    extra = {r[0]: r[1:] for id_marks, chunk in in_chunks(ids) for r in db.execute(
        f"select a.id, a.url, s.country, s.tags, s.title from articles a left join sources s on s.name = a.source "
        f"where a.id in ({id_marks})", chunk)}
    for row in rows:
        url, country, tags, title = extra.get(row["id"], (None, None, None, None))
        row.update(url=url, country=country, tags=json.loads(tags) if tags else [], source_title=title)
    return rows


def carriers(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, list[str]]:
    """Other sources that carried the very same stored article: seen in their feeds or under their URLs."""
    if not article_ids:
        return {}
    hosts = {urlsplit(home).netloc: name for name, home in db.execute("select name, homepage from sources")
             if home}
    owner = {article_id: source for id_marks, chunk in in_chunks(article_ids) for article_id, source in db.execute(
        f"select id, source from articles where id in ({id_marks})", chunk)}
    found: dict[int, list[str]] = {}

    def add(article_id: int, source: str | None) -> None:
        if source and source != owner.get(article_id) and source not in found.setdefault(article_id, []):
            found[article_id].append(source)

    # Chunked by article, so each article's rows still come in their order.
    for id_marks, chunk in in_chunks(article_ids):
        for article_id, source in db.execute(
                f"select s.article_id, f.source from sightings s join feeds f on f.id = s.feed_id "
                f"where s.article_id in ({id_marks}) order by s.first_seen", chunk):
            add(article_id, source)
    for id_marks, chunk in in_chunks(article_ids):
        for article_id, url in db.execute(
                f"select article_id, url from article_urls where article_id in ({id_marks}) "
                f"order by first_seen, url", chunk):
            add(article_id, hosts.get(urlsplit(url).netloc))
    return {k: v for k, v in found.items() if v}


def load_story(db: sqlite_utils.Database, story_id: int) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                                   dict[int, list[str]]] | None:
    """What a comparison reads of one story: its row, its articles in time order with each one's role
    ('own' | 'copy'), and the other outlets that carried each article; None when there is no such story."""
    story = get_story(db, story_id)
    if story is None:
        return None
    rows = story_articles(db, story_id)
    mark_copies(rows)
    return story, rows, carriers(db, [r["id"] for r in rows])
