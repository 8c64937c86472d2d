"""Values that overflow or confuse: a span of 10^11 days, a NUL byte, a
20-digit id, a query of punctuation or emoji, a word starting with '-', and NOT. Each is a 400 with a message
in the web reader and one line with exit 1 (or 2 for a malformed option) in the CLI, never a 500 or a
traceback; '-water' and NOT work as a word to leave out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from crosswire.cli import main
from crosswire.core.errors import QueryError
from crosswire.storage.db import open_db
from crosswire.storage.query import parse_date, parse_query
from crosswire.web import create_app
from searchdata import NOW, build_archive

BIG = "99999999999999999999"     # 20 digits: more than SQLite's largest integer


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("edges") / "news.db"
    build_archive(open_db(path)).close()
    return path


@pytest.fixture(scope="module")
def client(db_file: Path) -> TestClient:
    return TestClient(create_app(db_file, clock=lambda: NOW))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="crosswire")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("value, message", [
    ("99999999999d", "since: 99999999999d ago is before the year 1; use a smaller span"),
    ("9" * 5000 + "h", "since: " + "9" * 39 + "… ago is before the year 1; use a smaller span"),
    ("9999999y", "since: 9999999y ago is before the year 1; use a smaller span"),
    ("0000-01-01", "since: 0000-01-01 is not a real date"),
])
def test_date_spans_that_overflow_are_one_query_error(value: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_date(value, now=NOW, key="since")
    assert message == str(info.value)


def test_the_end_of_the_calendar_is_a_valid_bound() -> None:
    assert ("9999-12-31T23:59:59+00:00", "9999-12-31T00:00:00+00:00") == (
        parse_query("until:9999-12-31", now=NOW).until, parse_query("since:9999-12-31", now=NOW).since)


@pytest.mark.parametrize("text, message", [
    ("water\x00", "the query holds a control character (U+0000); type words, phrases and filters only"),
    ("a\x1b[2Jb", "the query holds a control character (U+001B); type words, phrases and filters only"),
    ("!!!", "nothing to search for in '!!!': search needs letters or digits (punctuation and emoji are not indexed)"),
    ("🙂 🕊", "nothing to search for in '🙂 🕊': search needs letters or digits (punctuation and emoji are not "
             "indexed)"),
    ("water NOT", "NOT needs a word or phrase after it"),
    ("NOT -water", "NOT and '-' both leave a word out; use one of them"),
    ("NOT source:tass", 'NOT cannot leave out a filter (source:); to leave out the text, quote it: '
                        'NOT "source:tass"'),
    ("AND water", "AND needs a word or phrase on each side"),
])
def test_queries_that_cannot_be_searched_say_why(text: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text, now=NOW)
    assert message == str(info.value)


def test_a_query_with_punctuation_and_a_filter_lists_the_filter(db_file: Path) -> None:
    code, out, _ = run("search", "— source:volga-herald", "--db", str(db_file), "--json")
    assert (0, [7, 3]) == (code, [hit["id"] for hit in json.loads(out)])


@pytest.mark.parametrize("args", [["-convoy", "drone"], ["drone", "-convoy"], ["drone", "NOT", "convoy"],
                                  ["--", "-convoy drone"], ["drone -convoy"]])
def test_a_word_to_leave_out_may_start_the_command_line(db_file: Path, args: list[str]) -> None:
    code, out, err = run("search", "--db", str(db_file), "--json", "--all-copies", "--sort", "date", *args)
    assert (0, [6, 1]) == (code, [hit["id"] for hit in json.loads(out)]), err


def test_a_mistyped_long_option_is_still_reported(db_file: Path) -> None:
    code, _, err = run("search", "--limt", "5", "drone", "--db", str(db_file))
    assert (2, "Error: No such option '--limt'. Did you mean '--limit'? (see `crosswire search --help`)\n") == (
        code, err)


def test_attention_and_saved_searches_take_words_to_leave_out_too(db_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "news.db"
    copy.write_bytes(db_file.read_bytes())
    assert (0, "saved search dronesonly: drone -convoy\n", "") == run("searches", "add", "dronesonly", "drone",
                                                                     "-convoy", "--db", str(copy))
    assert 0 == run("attention", "-convoy", "drone", "--db", str(copy))[0]


@pytest.mark.parametrize("args, code, message", [
    (["search", "since:99999999999d"], 1, "Error: since: 99999999999d ago is before the year 1; use a smaller span"),
    (["search", "water\x00"], 1, "Error: the query holds a control character (U+0000); type words, phrases and "
                                 "filters only"),
    (["show", BIG], 1, f"Error: no stored article '{BIG}' (give an id from `crosswire search` or a URL)"),
    (["history", f"#{BIG}"], 1, f"Error: no stored article '#{BIG}' (give an id from `crosswire search` or a URL)"),
    (["compare", BIG], 2, f"Error: Invalid value for 'STORY': {BIG} is not in the range 0<=x<=9223372036854775807. "
                          "(see `crosswire compare --help`)"),
    (["stories", "--since", "99999999999d"], 1, "Error: --since: 99999999999d ago is before the year 1; use a "
                                                "smaller span"),
    (["attention", "water", "--until", "99999999999w"], 1, "Error: --until: 99999999999w ago is before the year 1; "
                                                           "use a smaller span"),
    (["search", "--offset", BIG, "water"], 2, f"Error: Invalid value for '--offset': {BIG} is not in the range "
                                              "0<=x<=10000000. (see `crosswire search --help`)"),
])
def test_cli_overflows_are_one_line(db_file: Path, args: list[str], code: int, message: str) -> None:
    assert (code, "", message + "\n") == run(*args, "--db", str(db_file))


@pytest.mark.parametrize("url, message", [
    (f"/article/{BIG}", f"article id {BIG} is out of range"),
    (f"/story/{BIG}", f"story id {BIG} is out of range"),
    (f"/feeds/story/{BIG}.atom", f"story id {BIG} is out of range"),
    ("/search?q=since:99999999999d", "since: 99999999999d ago is before the year 1; use a smaller span"),
    ("/search?q=water%00", "the query holds a control character (U+0000); type words, phrases and filters only"),
    ("/search?q=%F0%9F%99%82", "nothing to search for in &#39;🙂&#39;: search needs letters or digits (punctuation "
                               "and emoji are not indexed)"),
    ("/?since=99999999999d", "since: 99999999999d ago is before the year 1; use a smaller span"),
    ("/stories?since=99999999999d", "since: 99999999999d ago is before the year 1; use a smaller span"),
    ("/attention?q=water&since=99999999999d", "since: 99999999999d ago is before the year 1; use a smaller span"),
    ("/attention.png?q=water&until=99999999999d", "until: 99999999999d ago is before the year 1; use a smaller span"),
    ("/feeds/search.atom?q=since:99999999999d", "since: 99999999999d ago is before the year 1; use a smaller span"),
])
def test_web_overflows_are_a_400_with_the_message(client: TestClient, url: str, message: str) -> None:
    page = client.get(url)
    assert (400, True) == (page.status_code, message in page.text), page.text[-2000:]
