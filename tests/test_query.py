"""The query language parser: terms, operators, filters and one-line errors (no database)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from crosswire.core.errors import QueryError
from crosswire.storage.query import Query, Term, parse_query

NOW = datetime(2026, 2, 6, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "match"), [
    ("deir ezzor", '"deir" AND "ezzor"'),
    ('"deir ezzor"', '"deir ezzor"'),
    ("shelling OR strikes", '("shelling" OR "strikes")'),
    # OR binds tighter than the implicit AND, as in web search engines.
    ("deir shelling OR strikes", '"deir" AND ("shelling" OR "strikes")'),
    ("a OR b OR c", '("a" OR "b" OR "c")'),
    ("deir -aid", '("deir") NOT "aid"'),
    ('deir -"aid convoy" -drill', '("deir") NOT "aid convoy" NOT "drill"'),
    ("strik*", '"strik" *'),
    # Inside a phrase, '*' and quotes-as-FTS5-syntax are plain text.
    ('"deir* ezzor" x', '"deir* ezzor" AND "x"'),
    # User text can never be FTS5 syntax: operators and parentheses inside words are quoted.
    ("NEAR (x) x:y*", '"NEAR" AND "(x)" AND "x:y" *'),
    ("or and not", '"or" AND "and" AND "not"'),
    # NOT (upper case, as OR) leaves out the next word or phrase, like '-'; AND may be written, and is implied.
    ("deir NOT aid", '("deir") NOT "aid"'),
    ('deir NOT "aid convoy" NOT drill', '("deir") NOT "aid convoy" NOT "drill"'),
    ("deir AND aid", '"deir" AND "aid"'),
    # Vowel marks are stripped so a vowelled query finds the usual spelling.
    ("دَيْرِ", '"دير"'),
    ("— deir", '"deir"'),
])
def test_match_expression(text: str, match: str) -> None:
    assert match == parse_query(text, now=NOW).match


def test_terms_and_filters_are_parsed_into_fields() -> None:
    query = parse_query('"deir ezzor" strik* -drill source:Volga-Herald source:tass country:ru lang:AR '
                        'tag:wire since:2026-01 until:2026-01-31', now=NOW)
    assert Query(
        groups=((Term("deir ezzor", phrase=True),), (Term("strik", prefix=True),)),
        excluded=(Term("drill"),),
        sources=("volga-herald", "tass"), countries=("RU",), languages=("ar",), tags=("wire",),
        since="2026-01-01T00:00:00+00:00", until="2026-02-01T00:00:00+00:00",
    ) == query


def test_quoted_filter_value() -> None:
    assert ("state-media",) == parse_query('tag:"state-media"', now=NOW).tags


@pytest.mark.parametrize(("value", "since", "until"), [
    ("2026", "2026-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00"),
    ("2026-02", "2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"),
    ("2026-01-14", "2026-01-14T00:00:00+00:00", "2026-01-15T00:00:00+00:00"),
    ("24h", "2026-02-05T12:00:00+00:00", "2026-02-05T12:00:00+00:00"),
    ("7d", "2026-01-30T12:00:00+00:00", "2026-01-30T12:00:00+00:00"),
    ("2w", "2026-01-23T12:00:00+00:00", "2026-01-23T12:00:00+00:00"),
    ("1m", "2026-01-06T12:00:00+00:00", "2026-01-06T12:00:00+00:00"),
    ("1y", "2025-02-06T12:00:00+00:00", "2025-02-06T12:00:00+00:00"),
])
def test_dates_absolute_and_relative(value: str, since: str, until: str) -> None:
    assert (since, until) == (parse_query(f"since:{value}", now=NOW).since, parse_query(f"until:{value}", now=NOW).until)


def test_month_arithmetic_clamps_the_day() -> None:
    assert "2026-02-28T00:00:00+00:00" == parse_query("since:1m", now=datetime(2026, 3, 31, tzinfo=timezone.utc)).since


def test_only_excluded_terms_become_an_exclusion_filter() -> None:
    query = parse_query("-drill -\"naval exercise\" source:tass", now=NOW)
    assert (None, '"drill" OR "naval exercise"') == (query.match, query.exclude_only)


def test_empty_query_selects_everything() -> None:
    assert (True, None) == (parse_query("   ", now=NOW).is_empty, parse_query("", now=NOW).match)


@pytest.mark.parametrize(("text", "message"), [
    ('"deir ezzor', 'unclosed quote in query: "deir ezzor'),
    ('deir -"aid', 'unclosed quote in query: -"aid'),
    ("OR deir", "OR needs a word or phrase on each side"),
    ("deir OR", "OR needs a word or phrase on each side"),
    ("deir OR OR aid", "OR needs a word or phrase on each side"),
    ("deir OR -aid", "OR cannot join an excluded term"),
    ("deir OR source:tass", "OR cannot join a filter (source:); repeat the filter instead"),
    ("sorce:tass", 'unknown filter sorce: (did you mean source:?); filters are source:, country:, lang:, tag:, '
                   'since:, until: (to search for the text, quote it: "sorce:tass")'),
    ("source:", "filter source: needs a value, e.g. source:tass"),
    ("since:2026-13-01", "since: 2026-13-01 is not a real date"),
    ("until:last-week", "until: expects a date like 2026-01-31 or a span like 7d, 24h, 2w, 1m; got 'last-week'"),
    ("since:7d since:2d", "since: given more than once"),
    ("since:2026-02 until:2026-01", "since: is not before until: (2026-02-01T00:00:00+00:00 >= 2026-02-01T00:00:00+00:00)"),
    ("*", "a prefix needs letters before '*': *"),
    ("de*ir", "'*' only works at the end of a word: de*ir"),
    ("deir -", "'-' must be followed by a word or phrase to leave out"),
    ('deir ""', 'empty phrase in query: ""'),
])
def test_malformed_queries_give_one_line(text: str, message: str) -> None:
    with pytest.raises(QueryError) as excinfo:
        parse_query(text, now=NOW)
    assert message == str(excinfo.value)
    assert "\n" not in str(excinfo.value)
