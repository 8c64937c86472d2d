"""Search over a known archive: every syntax feature and filter, ranking, snippets, copies, paging, the CLIs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.storage.query import parse_query
from crosswire.storage.db import open_db
from crosswire.storage.saved import add_search, list_searches
from crosswire.core.article import Article
from crosswire.storage.articles import store_article
from crosswire.core.errors import QueryError
from crosswire.storage.articles import resolve_article
from crosswire.storage.search import get_article, matching_ids, search
from searchdata import NOW, build_archive


@pytest.fixture(scope="module")
def db():
    return build_archive(open_db(memory=True))


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    build_archive(open_db(path))
    return path


def ids(db, text: str, sort: str = "date", **kwargs) -> list[int]:
    return [hit.id for hit in search(db, parse_query(text, now=NOW), sort=sort, **kwargs)]


# Ids: 1 NW depot (origin) · 2 HP aid convoy · 3 VH Russian strikes · 4 LD Arabic strikes · 5 NW shelling ·
# 6 HP copy of 1 · 7 VH Russian naval drill · 8 HP undated ceasefire (first seen 02-04) · 9 NW naval drill
@pytest.mark.parametrize(("text", "expected"), [
    ("", [7, 8, 5, 9, 4, 3, 2, 1]),                   # everything, newest first, copy 6 folded into 1
    ("deir ezzor", [2, 1]),
    ("fuel depot", [2, 1]),                            # both words, anywhere
    ('"fuel depot"', [1]),                             # the phrase: article 2 has both words apart
    ("shelling OR ceasefire", [8, 5]),
    ("deir shelling OR smoke", [1]),                   # deir AND (shelling OR smoke)
    ("deir -aid", [1]),
    ('deir -"aid workers"', [1]),
    ("strik*", [5, 1]),                                # strikes, strike
    ("STRIKES", [1]),                                  # case folded
    ("дейр*", [3]),                                    # Russian prefix across declension (Дейр-эз-Зором)
    ("УДАРЫ", [3]),                                    # Cyrillic case folded
    ("دير الزور", [4]),
    ("دَيْر", [4]),                                      # vowelled Arabic query finds unvowelled text
    ("source:volga-herald", [7, 3]),
    ("source:volga-herald source:levant-daily", [7, 4, 3]),
    ("country:ru", [7, 3]),
    ("country:GB country:LB", [5, 9, 4, 1]),
    ("lang:ar", [4]),
    ("lang:en", [8, 5, 9, 2, 1]),
    ("tag:western", [8, 5, 9, 2, 1]),
    ("tag:state-media", [7, 3]),
    ("since:2026-02-02", [7, 8, 5]),
    ("until:2026-01-15", [2, 1]),                      # until a date includes that whole day
    ("since:2026-01-15 until:2026-01-17", [4, 3, 2]),
    ("since:7d", [7, 8, 5]),                           # relative to NOW; 8 counts by when it was first seen
    ("since:1m until:2w", [9, 4, 3, 2, 1]),
    ("naval OR учения", [7, 9]),
    ("drill tag:wire", [9]),
    ("-drill -учения source:northwind-wire", [5, 1]),  # only exclusions: a filter on everything else
    ('"fuel depot" country:US', []),                  # 6 is harbor-post's, but only a copy
])
def test_query_features_and_filters(db, text: str, expected: list[int]) -> None:
    assert expected == ids(db, text)


def test_rank_weights_title_above_text(db) -> None:
    # Article 5 says "convoy" four times in its body, article 2 once in its title: plain bm25 prefers 5.
    plain = [r[0] for r in db.execute("select rowid from articles_fts where articles_fts match 'convoy' "
                                      "order by bm25(articles_fts)")]
    assert ([5, 2], [2, 5]) == (plain, ids(db, "convoy", sort="rank"))


def test_rank_order(db) -> None:
    assert [1, 2] == ids(db, "deir ezzor", sort="rank")


def test_copies_collapsed_by_default_and_expanded_on_request(db) -> None:
    collapsed = search(db, "drone strikes")
    assert [(1, 1)] == [(h.id, h.copies) for h in collapsed]
    assert [(1, 0), (6, 0)] == [(h.id, h.copies) for h in search(db, "drone strikes", all_copies=True)]


def test_limit_and_offset(db) -> None:
    assert ([7, 8, 5], [9, 4], []) == (ids(db, "", limit=3), ids(db, "", limit=2, offset=3),
                                       ids(db, "", limit=5, offset=20))


def test_snippet_highlights_matches(db) -> None:
    hit = search(db, "depot", mark=("[", "]"))[0]
    assert ("Drone strikes hit a fuel [depot] on the southern edge of Deir Ezzor before dawn on Wednesday, "
            "residents said.\n\nSmoke rose over the river…") == hit.snippet


def test_snippet_without_text_match_is_the_lede(db) -> None:
    assert "Корабли отработали стрельбы у побережья." == search(db, "source:volga-herald")[0].snippet


def test_saved_search_requires_a_valid_query_and_name(db_file: Path) -> None:
    database = open_db(db_file)
    assert add_search(database, "deir", "deir ezzor") is True
    assert add_search(database, "deir", "deir OR ezzor") is False
    assert ["deir OR ezzor"] == [r["query"] for r in list_searches(database)]


def test_get_article_by_id_and_url_variant(db) -> None:
    by_id = get_article(db, resolve_article(db, "1"))
    by_url = get_article(db, resolve_article(db, "https://northwind.example/2026/01/14/depot?utm_source=feed"))
    assert (1, 1, [{"id": 6, "source": "harbor-post", "url": "https://harborpost.example/wire/drone-strikes-depot",
                    "family_role": "copy"}]) == (by_id["id"], by_url["id"], by_id["family"])
    assert None is get_article(db, 999)


@pytest.mark.parametrize("ref", ["999", "#999", "https://nowhere.example/x", "depot", ""])
def test_resolve_article_refuses_what_is_not_stored(db, ref: str) -> None:
    with pytest.raises(QueryError, match=f"no stored article {ref!r} \\(give an id"):
        resolve_article(db, ref)


# --- the commands ----------------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_cli_search_plain_output(db_file: Path) -> None:
    assert (0, "1. Drone strikes hit fuel depot near Deir Ezzor  [northwind-wire · 2026-01-14 · #1] (+1 copy)\n"
               "   Drone strikes hit a fuel *depot* on the southern edge of Deir Ezzor before dawn on Wednesday, "
               "residents said. Smoke rose over the river…\n"
               "   https://northwind.example/2026/01/14/depot\n\n"
               "2. Aid convoy reaches Hasakah after week of delays  [harbor-post · 2026-01-15 · #2]\n"
               "   …province a week ago. Drivers said the *depot* where they loaded was short of fuel. Aid workers said "
               "the convoy would return next month.\n"
               "   https://harborpost.example/world/aid-convoy-hasakah\n\n") == run("search", "depot", "--db", str(db_file))


def test_cli_search_json(db_file: Path) -> None:
    code, out = run("search", '"fuel depot" OR ceasefire', "--db", str(db_file), "--sort", "date", "--json")
    assert 0 == code
    assert [(8, None, "Ceasefire talks stall in Geneva", 0), (1, "2026-01-14T08:00:00+00:00",
             "Drone strikes hit fuel depot near Deir Ezzor", 1)] == [
        (h["id"], h["published"], h["title"], h["copies"]) for h in json.loads(out)]
    assert ("Talks on a <mark>ceasefire</mark> stalled in Geneva after envoys failed to agree on the agenda."
            == json.loads(out)[0]["snippet"])


def test_cli_search_paging_and_all_copies(db_file: Path) -> None:
    code, out = run("search", "drone", "--db", str(db_file), "--all-copies", "--limit", "1", "--offset", "1",
                    "--json")
    assert (0, [6]) == (code, [h["id"] for h in json.loads(out)])


def test_cli_malformed_query_is_one_line(db_file: Path) -> None:
    assert (1, 'Error: unclosed quote in query: "deir ezzor\n') == run("search", '"deir ezzor', "--db", str(db_file))


def test_cli_searches_add_list_remove(db_file: Path) -> None:
    db = ["--db", str(db_file)]
    assert (0, "saved search deir: deir ezzor\n") == run("searches", "add", "deir", "deir ezzor", *db)
    assert (0, "saved search ru: country:RU\n") == run("searches", "add", "ru", "country:RU", *db)
    assert (0, "deir  deir ezzor\nru    country:RU\n") == run("searches", "list", *db)
    assert (0, "removed search ru\n") == run("searches", "remove", "ru", *db)
    code, out = run("searches", "list", "--json", *db)
    assert (0, [("deir", "deir ezzor")]) == (code, [(r["name"], r["query"]) for r in json.loads(out)])
    assert (1, 'Error: no saved search named "ru"; saved searches: deir\n') == run("searches", "remove", "ru", *db)
    assert (1, "Error: OR needs a word or phrase on each side\n") == run("searches", "add", "x", "a OR", *db)
    assert (1, 'Error: saved search name must be a lowercase slug like "deir-ezzor" (a-z, 0-9, "-", "_", '
               'at most 64 characters), got "Bad Name"\n') == run("searches", "add", "Bad Name", "x", *db)


def test_cli_show_reading_view(db_file: Path) -> None:
    assert (0, "Aid convoy reaches Hasakah after week of delays\n\n"
               "Harbor Post · 2026-01-15 10:30:00 UTC · by Tom Reyes, Aisha Bar\n"
               "https://harborpost.example/world/aid-convoy-hasakah\n\n"
               "The convoy left Deir Ezzor province a week ago. Drivers said the depot\n"
               "where they loaded was short of fuel.\n\n"
               "Aid workers said the convoy would return next month.\n") == run(
        "show", "2", "--db", str(db_file), "--width", "70")


def test_cli_show_by_url_json_and_family(db_file: Path) -> None:
    code, out = run("show", "https://harborpost.example/wire/drone-strikes-depot", "--db", str(db_file), "--json")
    record = json.loads(out)
    assert (0, 6, "Harbor Post", ["Mara Quill"], "copy", [1]) == (
        code, record["id"], record["outlet"], record["authors"], record["family_role"],
        [m["id"] for m in record["family"]])
    code, out = run("show", "#6", "--db", str(db_file), "--width", "200")
    assert "copy in a copy family with #1 (northwind-wire)" == out.splitlines()[4]


def test_cli_show_unknown_article(db_file: Path) -> None:
    assert (1, "Error: no stored article '42' (give an id from `crosswire search` or a URL)\n") == run(
        "show", "42", "--db", str(db_file))


PAGED = ["deir ezzor", "strik*", "drone strikes", "convoy", "naval OR учения", "deir -aid", "drone country:US",
         "strik* OR convoy tag:western since:2026-01-15", "d* -convoy lang:en"]


def joined_ranking(db, text: str, all_copies: bool) -> list[int]:
    """The plain one-query ranking (join, filters, order by bm25) the batched ranking must reproduce."""
    from crosswire.storage.search import _BM25, filter_sql

    q = parse_query(text, now=NOW)
    clauses, params = filter_sql(q, all_copies=all_copies)
    sql = ("select a.id from articles_fts join articles a on a.id = articles_fts.rowid where articles_fts match ? "
           + "".join(f" and {c}" for c in clauses) + f" order by {_BM25}, a.id")
    return [r[0] for r in db.execute(sql, [q.match, *params])]


@pytest.mark.parametrize("text", PAGED)
@pytest.mark.parametrize("all_copies", [False, True])
def test_batched_ranking_equals_the_joined_query_on_every_page(db, text: str, all_copies: bool) -> None:
    full = joined_ranking(db, text, all_copies)
    q = parse_query(text, now=NOW)
    assert [full[i:i + 2] for i in range(0, 6, 2)] + [full] == [
        [i for i, _ in matching_ids(db, q, limit=2, offset=o, all_copies=all_copies)] for o in range(0, 6, 2)
    ] + [[i for i, _ in matching_ids(db, q, all_copies=all_copies)]]


def test_rank_window_ranks_the_newest_matches_first(db, monkeypatch: pytest.MonkeyPatch) -> None:
    # "d* OR convoy" matches most English articles; with a window of 3 the three newest stored matches are
    # ranked first, then the older ones, each group by bm25.
    everything = joined_ranking(db, "d* OR convoy", all_copies=True)
    newest = sorted(everything)[-3:]
    monkeypatch.setattr("crosswire.storage.search.RANK_WINDOW", 3)
    expected = [i for i in everything if i in newest] + [i for i in everything if i not in newest]
    assert expected != everything
    assert expected == [i for i, _ in matching_ids(db, "d* OR convoy", all_copies=True)]
    assert expected[2:5] == [i for i, _ in matching_ids(db, "d* OR convoy", all_copies=True, limit=3, offset=2)]


@pytest.mark.parametrize("text", PAGED)
def test_date_walk_equals_the_sorted_lookup(db, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    by_lookup = matching_ids(db, text, sort="date")
    monkeypatch.setattr("crosswire.storage.search.DATE_WALK_THRESHOLD", 1)   # every query now walks the date index
    assert by_lookup == matching_ids(db, text, sort="date")


@pytest.mark.parametrize("text", PAGED)
@pytest.mark.parametrize("filters_first", [False, True])
def test_checking_filters_first_gives_the_same_pages_as_checking_ranked_batches(
        db, text: str, filters_first: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # A window of 3 makes two passes; every pass is sampled whole, and one way or the other is always taken.
    monkeypatch.setattr("crosswire.storage.search.RANK_WINDOW", 3)
    monkeypatch.setattr("crosswire.storage.search._SAMPLE_EVERY", 1)
    monkeypatch.setattr("crosswire.storage.search._SAMPLE_MIN", 1)
    monkeypatch.setattr("crosswire.storage.search._filters_first", lambda share, matches, want: filters_first)
    q = parse_query(text, now=NOW)
    newest = sorted(r[0] for r in db.execute("select rowid from articles_fts where articles_fts match ?", [q.match]))[-3:]
    everything = joined_ranking(db, text, all_copies=False)
    expected = [i for i in everything if i in newest] + [i for i in everything if i not in newest]
    assert [expected[:2], expected[2:4], expected] == [
        [i for i, _ in matching_ids(db, q, limit=2)], [i for i, _ in matching_ids(db, q, limit=2, offset=2)],
        [i for i, _ in matching_ids(db, q)]]


def test_a_read_only_archive_from_before_the_filter_index_is_searched(db_file: Path) -> None:
    plain = open_db(db_file)
    before = [i for i, _ in matching_ids(plain, "strik* OR convoy tag:western")]
    plain.execute("drop index articles_filter")
    plain.conn.close()
    assert before == [i for i, _ in matching_ids(open_db(db_file, readonly=True), "strik* OR convoy tag:western")]


def test_ranked_page_fetches_more_when_copies_fill_the_first_batch() -> None:
    db = open_db(memory=True)
    for n in range(40):
        store_article(db, Article(url=f"https://wire.example/{n}", title=f"Convoy report {n}",
                                  text="convoy " * (40 - n)), source=None)
    db.execute("update articles set family_id = 1, family_role = 'copy' where id between 2 and 36")
    assert [1, 37, 38] == [i for i, _ in matching_ids(db, "convoy", limit=3)]
    assert [1, 37, 38, 39, 40] == [i for i, _ in matching_ids(db, "convoy")]


# --- snippets ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "query", "expected"), [
    ("Drone strikes hit a depot.", "strik*", "Drone [strikes] hit a depot."),
    ("Drone strikes hit a depot.", '"drone strikes" drone', "[Drone strikes] hit a depot."),  # merged, once
    ("Officials in CAFÉ Ḥasakah said", "cafe hasakah", "Officials in [CAFÉ] [Ḥasakah] said"),
    ("قصفٌ عنيفٌ على دَيْرِ الزور", "دير", "قصفٌ عنيفٌ على [دَيْرِ] الزور"),
    ("Удары по Дейр-эз-Зору", "дейр*", "Удары по [Дейр]-эз-Зору"),
    ("Nothing relevant here.", "depot", None),
    ("Excluded words are not marked: geneva talks", "talks -geneva", "Excluded words are not marked: geneva [talks]"),
])
def test_snippet_highlights_like_the_index_matches(text: str, query: str, expected: str | None) -> None:
    from crosswire.storage.snippets import best_snippet

    assert expected == best_snippet([text], parse_query(query, now=NOW), ("[", "]"))


def test_snippet_window_centres_on_the_densest_hits() -> None:
    from crosswire.storage.snippets import best_snippet

    words = [f"w{i}" for i in range(60)]
    words[40] = "convoy"
    words[44] = "convoy"
    assert "…w37 w38 w39 [convoy] w41 w42 w43 [convoy] w45 w46…" == best_snippet(
        [" ".join(words)], parse_query("convoy"), ("[", "]"), size=10)


def _spans_one_token_at_a_time(text: str, terms: list) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """match_spans written plainly (a match object per token, every start tried): the reference it must equal."""
    from crosswire.storage.snippets import _TOKEN, _term_words, fold

    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    folded = [fold(text[s:e]) for s, e in tokens]
    hits = []
    for term in terms:
        words = _term_words(term)
        for i in range(len(folded) - len(words) + 1) if words else ():
            last = folded[i + len(words) - 1]
            if folded[i:i + len(words) - 1] == words[:-1] and (
                    last == words[-1] or (term.prefix and last.startswith(words[-1]))):
                hits.append((i, i + len(words) - 1))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(hits):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tokens, merged


@pytest.mark.parametrize("query", ['strik*', '"drone strikes" drone', "cafe hasakah", "дейр*", "دير", "a", "strikes",
                                   '"fuel depot depot"', "x* depot OR strikes"])
def test_match_spans_equals_the_plain_token_walk(query: str) -> None:
    from crosswire.storage.snippets import match_spans, query_terms

    text = ("  Drone strikes hit a depot. Strikes, STRIKES; striking depot depot fuel depot depot!\n"
            "Officials in CAFÉ Ḥasakah said قصفٌ عنيفٌ على دَيْرِ الزور and Удары по Дейр-эз-Зору, дейр. x "
            "a a a xylophone ﬁre Straße… drone\u0301 strikes")
    terms = query_terms(parse_query(query, now=NOW))
    assert _spans_one_token_at_a_time(text, terms) == match_spans(text, terms)
    assert ([], []) == match_spans(" … ", terms)
