"""Full-text search over the archive: FTS5 MATCH, filters, bm25 ranking, snippets, copy families collapsed.

Tokenizer (crosswire.storage.schema m002): `unicode61 remove_diacritics 2`, kept after measuring the alternatives.
It splits and case-folds Latin, Cyrillic and Arabic words alike (УДАРЫ finds удары), folds Latin accents
(cafe finds café), and a prefix query covers Russian declension (дейр* finds Дейр-эз-Зором). It does not fold
ё to е or strip Arabic vowel marks (they act as word breaks), so the query parser strips harakat and tatweel
from the user's terms; articles are almost always written unvowelled. `trigram` would also match inside words
(Arabic clitics, Russian endings) but built a 6.8x larger index 3.6x slower on the same 20,000 articles, needs
3+ characters per term, and turns "war" into a match for "software"; porter stemming helps English only.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Iterator

import sqlite_utils

from crosswire.storage.db import in_chunks, marks
from crosswire.storage.export import article_record
from crosswire.storage.query import Query, parse_query
from crosswire.storage.snippets import best_snippet

# bm25 column weights for (title, lede, text): a word in the headline says more about what an article is
# about than the same word deep in the body; the lede is the writer's own summary, so it sits in between.
BM25_WEIGHTS = (10.0, 4.0, 1.0)
_BM25 = "bm25(articles_fts, {}, {}, {})".format(*BM25_WEIGHTS)
# Undated articles sort by when we first saw them, so they are neither lost at the end nor dated wrongly.
_DATE = "coalesce(a.published, a.first_seen)"
SORTS = ("rank", "date")
SNIPPET_TOKENS = 24


@dataclass(frozen=True)
class Hit:
    """One search result."""

    id: int
    url: str
    source: str | None
    title: str | None
    published: str | None
    language: str | None
    snippet: str
    score: float | None      # bm25 (lower is better); None unless ranked by text (--sort rank with words)
    copies: int              # other copies of this article in its family (0 when expanded or none)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def _as_query(query: str | Query) -> Query:
    return parse_query(query) if isinstance(query, str) else query


def filter_sql(query: Query, *, all_copies: bool) -> tuple[list[str], list[Any]]:
    """WHERE clauses (over `articles a`) and their parameters for a query's filters."""
    clauses: list[str] = []
    params: list[Any] = []

    def member(expr: str, values: tuple[str, ...], close: str = "") -> None:
        clauses.append(f"{expr} in ({marks(values)}){close}")
        params.extend(values)

    if query.sources:
        member("a.source", query.sources)
    if query.countries:
        member("a.source in (select name from sources where upper(country)", query.countries, ")")
    if query.languages:
        # An article without a detected language inherits its outlet's.
        member("lower(substr(coalesce(a.language, (select language from sources where name = a.source)), 1, 2))",
               query.languages)
    if query.tags:
        member("a.source in (select s.name from sources s, json_each(s.tags) t where t.value", query.tags, ")")
    if query.since:
        clauses.append(f"{_DATE} >= ?")
        params.append(query.since)
    if query.until:
        clauses.append(f"{_DATE} < ?")
        params.append(query.until)
    if query.exclude_only:
        clauses.append("a.id not in (select rowid from articles_fts where articles_fts match ?)")
        params.append(query.exclude_only)
    if not all_copies:
        clauses.append("coalesce(a.family_role, '') != 'copy'")
    return clauses, params


# Above this many text matches, "newest first" walks the date index and probes the match set, instead of
# looking up and sorting every matching article (which costs microseconds per match on a large archive).
DATE_WALK_THRESHOLD = 2000
# bm25 costs a few microseconds per match, and a common word matches 6% of a million-article archive:
# ranking is done within the RANK_WINDOW most recently stored matches first, then among the older ones, so a
# page costs at most a window's worth of scoring while every match stays reachable.
RANK_WINDOW = 10_000
_BATCH_MAX = 5000


def matching_ids(db: sqlite_utils.Database, query: str | Query, *, sort: str = "rank", limit: int | None = None,
                 offset: int = 0, all_copies: bool = False) -> list[tuple[int, float | None]]:
    """(id, bm25 score or None) of the matching articles, in result order."""
    q = _as_query(query)
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    if q.match and sort == "rank":
        return _ranked(db, q, limit=limit, offset=offset, all_copies=all_copies)
    clauses, params = filter_sql(q, all_copies=all_copies)
    sql = "select a.id, null as score from articles a"
    if q.match:
        many = db.execute("select count(*) from (select 1 from articles_fts where articles_fts match ? limit ?)",
                          [q.match, DATE_WALK_THRESHOLD]).fetchone()[0] >= DATE_WALK_THRESHOLD
        # The date index holds each row's id, so the match-set probe happens before any row is read.
        sql += " indexed by articles_date" if many else ""
        clauses.insert(0, "a.id in (select rowid from articles_fts where articles_fts match ?)")
        params.insert(0, q.match)
    if clauses:
        sql += " where " + " and ".join(clauses)
    sql += f" order by {_DATE} desc, a.id desc"
    if limit is not None or offset:
        sql += " limit ? offset ?"
        params += [-1 if limit is None else limit, offset]
    return [(row[0], row[1]) for row in db.execute(sql, params)]


def _ranked(db: sqlite_utils.Database, q: Query, *, limit: int | None, offset: int,
            all_copies: bool) -> list[tuple[int, float | None]]:
    """Ranked results, scored inside the FTS index alone (newest RANK_WINDOW matches first, then the rest),
    with filters and copy collapsing checked on ranked batches until the page is full — or, when few matches
    pass the user's filters, checked first so only those are scored."""
    want = None if limit is None else offset + limit
    row = db.execute("select rowid from articles_fts where articles_fts match ? order by rowid desc "
                     "limit 1 offset ?", [q.match, RANK_WINDOW - 1]).fetchone()
    # Rowids grow as articles are stored, so the window is "the newest matches" without reading any article.
    passes = [("", [])] if row is None else [("and {} >= ?", [row[0]]), ("and {} < ?", [row[0]])]
    clauses, params = filter_sql(q, all_copies=all_copies)
    by_id = _by_id(db)
    kept: list[tuple[int, float | None]] = []
    for bound, bound_params in passes:
        if _has_user_filters(q) and _filters_first(*_pass_sample(db, q, bound, bound_params, clauses, params, by_id),
                                                   None if want is None else want - len(kept)):
            cursor = db.execute(
                f"select articles_fts.rowid, {_BM25} as score from articles_fts "
                f"join articles a {by_id} on a.id = articles_fts.rowid "
                f"where articles_fts match ? {bound.format('articles_fts.rowid')} and {' and '.join(clauses)} "
                f"order by score, articles_fts.rowid", [q.match, *bound_params, *params])
            kept.extend(cursor.fetchall() if want is None else cursor.fetchmany(max(want - len(kept), 0)))
            cursor.close()
        else:
            _ranked_then_checked(db, q, bound.format("rowid"), bound_params, clauses, params, want, kept, by_id)
        if want is not None and len(kept) >= want:
            break
    return [(r[0], r[1]) for r in kept[offset:want]]


# Every column a filter reads, keyed by id (storage.schema m_filter_index): checking an article against the
# filters reads a few bytes of this index instead of its row, whose later columns lie past its text.
FILTER_INDEX = "articles_filter"
_SAMPLE_EVERY = 61   # a prime, so the sample does not follow any regular spacing of rowids
_SAMPLE_MAX = 512
_SAMPLE_MIN = 8      # below this the pass is small enough that either way is cheap


def _by_id(db: sqlite_utils.Database) -> str:
    """How to look articles up by id for a filter check: through the filter index, or — in a read-only
    archive from before it, which is searched unmigrated — by rowid alone (NOT INDEXED: left to itself the
    planner may walk a filter's own index, all of a source's dates say, once per check)."""
    found = db.execute("select 1 from sqlite_master where type = 'index' and name = ?", [FILTER_INDEX]).fetchone()
    return f"indexed by {FILTER_INDEX}" if found else "not indexed"


def _has_user_filters(q: Query) -> bool:
    """Whether the query filters by more than collapsing copies (which nearly every article passes)."""
    return bool(q.sources or q.countries or q.languages or q.tags or q.since or q.until or q.exclude_only)


def _pass_sample(db: sqlite_utils.Database, q: Query, bound: str, bound_params: list[Any], clauses: list[str],
                 params: list[Any], by_id: str) -> tuple[float, int]:
    """The share of a pass's matches that pass the filters and how many matches the pass has, both estimated
    from a sample spread across its rowids (read without scoring); (1.0, 0) when the pass is too small to
    sample, where either way is cheap."""
    sample = [r[0] for r in db.execute(
        f"select rowid from articles_fts where articles_fts match ? {bound.format('rowid')} "
        f"and rowid % {_SAMPLE_EVERY} = 0 limit {_SAMPLE_MAX}", [q.match, *bound_params])]
    if len(sample) < _SAMPLE_MIN:
        return 1.0, 0
    passing = db.execute(
        f"select count(*) from articles a {by_id} where a.id in (select value from json_each(?)) "
        f"and {' and '.join(clauses)}", [json.dumps(sample), *params]).fetchone()[0]
    return passing / len(sample), len(sample) * _SAMPLE_EVERY


def _filters_first(share: float, matches: int, want: int | None) -> bool:
    """Whether to check a pass's matches against the filters before scoring them. Scoring every match and
    checking in ranked order checks about 2 * want / share of them (the batches double); checking first checks
    every match and scores only the share that passes. A check and a bm25 score cost about the same (1.5-4 us
    each on a 1M archive, bench/bench_search.py), so checking first wins when share^2 * matches < 2 * want —
    and always when every result is wanted."""
    return want is None or share * share * matches < 2 * want


def _ranked_then_checked(db: sqlite_utils.Database, q: Query, bound: str, bound_params: list[Any],
                         clauses: list[str], params: list[Any], want: int | None,
                         kept: list[tuple[int, float | None]], by_id: str) -> None:
    """Add to `kept`, in ranked order, the matches of one pass that pass the filters, scoring every match and
    checking them in growing ranked batches until `want` are kept."""
    cursor = db.execute(f"select rowid, {_BM25} as score from articles_fts where articles_fts match ? "
                        f"{bound} order by score, rowid", [q.match, *bound_params])
    batch = (want or 0) + (want or 0) // 4 + 10   # most candidates pass without filters; grow when not
    while want is None or len(kept) < want:
        rows = cursor.fetchmany(batch)
        if not rows:
            break
        if clauses:
            # one statement per batch, each article looked up by id (see _by_id)
            passing = {r[0] for r in db.execute(
                f"select a.id from articles a {by_id} where a.id in (select value from json_each(?)) "
                f"and " + " and ".join(clauses), [json.dumps([r[0] for r in rows]), *params])}
            rows = [r for r in rows if r[0] in passing]
        kept.extend((r[0], r[1]) for r in rows)
        batch = min(batch * 2, _BATCH_MAX)
    cursor.close()


def search(db: sqlite_utils.Database, query: str | Query, *, sort: str = "rank", limit: int = 20, offset: int = 0,
           all_copies: bool = False, mark: tuple[str, str] = ("<mark>", "</mark>")) -> list[Hit]:
    """One page of results with highlighted snippets; copies collapsed into their family's origin by default."""
    q = _as_query(query)
    ranked = matching_ids(db, q, sort=sort, limit=limit, offset=offset, all_copies=all_copies)
    if not ranked:
        return []
    ids = [article_id for article_id, _ in ranked]
    rows = {row["id"]: row for id_marks, chunk in in_chunks(ids) for row in db.query(
        f"select id, url, source, title, published, language, lede, text, family_id, family_role "
        f"from articles where id in ({id_marks})", chunk)}
    snippets: dict[int, str] = {}
    if q.match:
        for article_id in ids:
            row = rows[article_id]
            found = best_snippet([row["text"], row["lede"], row["title"]], q, mark, SNIPPET_TOKENS)
            if found:
                snippets[article_id] = found
    copies: dict[int, int] = {}
    families = [r["family_id"] for r in rows.values() if r["family_id"] is not None and r["family_role"] != "copy"]
    if families and not all_copies:
        copies = {family: count for fmarks, chunk in in_chunks(families) for family, count in db.execute(
            f"select family_id, count(*) from articles where family_role = 'copy' "
            f"and family_id in ({fmarks}) group by family_id", chunk)}
    hits = []
    for article_id, score in ranked:
        row = rows[article_id]
        snippet = snippets.get(article_id) or _plain_snippet(row["lede"] or row["text"] or "")
        hits.append(Hit(id=article_id, url=row["url"], source=row["source"], title=row["title"],
                        published=row["published"], language=row["language"], snippet=snippet,
                        score=round(score, 4) if score is not None else None,
                        copies=copies.get(row["family_id"], 0) if row["family_role"] != "copy" else 0))
    return hits


def _plain_snippet(text: str, words: int = SNIPPET_TOKENS) -> str:
    """The first `words` words of a text, with an ellipsis when cut."""
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def iter_matching(db: sqlite_utils.Database, query: str | Query, *, sort: str = "date", limit: int | None = None,
                  all_copies: bool = False) -> Iterator[dict[str, Any]]:
    """Export records (crosswire.storage.export shape) of the matching articles, in result order, fetched in chunks."""
    ids = [article_id for article_id, _ in matching_ids(db, query, sort=sort, limit=limit, all_copies=all_copies)]
    for id_marks, chunk in in_chunks(ids):
        rows = {row["id"]: row for row in db.query(f"select * from articles where id in ({id_marks})", chunk)}
        for article_id in chunk:
            yield article_record(rows[article_id])


def get_article(db: sqlite_utils.Database, article_id: int) -> dict[str, Any] | None:
    """One article for reading, by id (crosswire.storage.articles.resolve_article finds it from what a user
    typed): the export record plus outlet and family; None when there is no such article."""
    rows = list(db.query("select a.*, s.title as outlet from articles a left join sources s on s.name = a.source "
                         "where a.id = ?", [article_id]))
    if not rows:
        return None
    row = rows[0]
    record = article_record(row)
    record["outlet"] = row["outlet"] or row.get("site_name") or row["source"]
    record["family"] = []
    if row.get("family_id") is not None:
        record["family"] = [dict(r) for r in db.query(
            "select id, source, url, family_role from articles where family_id = ? and id != ? order by id",
            [row["family_id"], article_id])]
    return record
