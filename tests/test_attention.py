"""Attention over time: shares normalised by each group's output, by source/country/tag, per day/week; charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli.attention import table
from crosswire.exports.charts import chart
from crosswire.storage.attention import Cell, attention
from crosswire.cli import main
from crosswire.core.errors import QueryError
from testweb.outlets_events import store_events
from crosswire.storage.db import open_db


@pytest.fixture
def db():
    database = open_db(memory=True)
    store_events(database)
    return database


def test_by_source_per_day_normalises_by_each_outlets_output(db) -> None:
    cells = [c for c in attention(db, "Jabalia", by="source") if c.period == "2026-02-05"]
    assert [
        Cell("2026-02-05", "ev-atlantic-herald", 1, 1),
        Cell("2026-02-05", "ev-bosphorus-post", 1, 2),      # the derby story halves its share
        Cell("2026-02-05", "ev-crescent-24", 1, 1),
        Cell("2026-02-05", "ev-gulf-mirror", 1, 1),
        Cell("2026-02-05", "ev-lakeside-courier", 0, 1),
        Cell("2026-02-05", "ev-meridian-wire", 1, 1),
        Cell("2026-02-05", "ev-vostok-today", 0, 1),
    ] == cells
    assert 0.5 == cells[1].share
    assert {"2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"} == {c.period for c in attention(db, "Jabalia")}


def test_by_country_per_week_starts_weeks_on_monday(db) -> None:
    assert [
        ("2026-02-02", "CH", 1, 5), ("2026-02-02", "IR", 1, 3), ("2026-02-02", "QA", 1, 4),
        ("2026-02-02", "RU", 0, 4), ("2026-02-02", "SY", 0, 2), ("2026-02-02", "TR", 1, 5),
        ("2026-02-02", "US", 1, 7),
    ] == [(c.period, c.group, c.matches, c.total) for c in attention(db, "Jabalia", by="country", interval="week")]


def test_by_tag_counts_an_outlet_in_each_of_its_tags(db) -> None:
    cells = {(c.group): (c.matches, c.total) for c in attention(db, "Zamzam", by="tag", interval="week")}
    # the regional paper is tagged western and regional: its verbatim wire copy counts in both
    assert (1, 2) == cells["regional"]
    assert {"arab", "iranian", "regional", "russian-state", "syrian-state", "turkish", "western", "wire"} == set(cells)


def test_since_until_and_bad_arguments(db) -> None:
    assert {"2026-02-04"} == {c.period for c in attention(db, "Zaporizhzhia", since="2026-02-04", until="2026-02-05")}
    with pytest.raises(QueryError, match="--by must be one of source, country, tag"):
        attention(db, "Gaza", by="planet")
    with pytest.raises(QueryError, match="--interval"):
        attention(db, "Gaza", interval="year")


def test_table_text() -> None:
    assert ("period      group                    matches  total   share\n"
            "2026-02-05  wire                           1      2   50.0%") == table([Cell("2026-02-05", "wire", 1, 2)])


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_chart_files(db, tmp_path: Path, suffix: str, magic: bytes) -> None:
    path = chart(attention(db, "Gaza", by="tag"), tmp_path / f"gaza{suffix}", title="Gaza")
    assert magic == path.read_bytes()[:len(magic)]


def test_chart_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="must end in .png or .svg"):
        chart([], tmp_path / "x.txt", title="x")


def test_cli_json_and_chart(tmp_path: Path) -> None:
    path = tmp_path / "war.db"
    store_events(open_db(path))
    result = CliRunner().invoke(main, ["attention", "Ariha", "--db", str(path), "--by", "tag", "--interval", "week",
                                       "--json", "--chart", str(tmp_path / "a.svg")])
    assert 0 == result.exit_code, result.output
    rows = json.loads(result.stdout)
    assert {"period": "2026-02-02", "group": "syrian-state", "matches": 1, "total": 2, "share": 0.5} in rows
    assert (tmp_path / "a.svg").exists()
    bad = CliRunner().invoke(main, ["attention", "Ariha", "--db", str(path), "--chart", str(tmp_path / "a.gif")])
    assert (1, "Error: " + str(tmp_path / "a.gif") + ": the chart file must end in .png or .svg\n") == (
        bad.exit_code, bad.output)
