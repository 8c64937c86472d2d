"""Comparing one story across outlets: timeline, copies, distinctive words, missing facts, names, HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.core.errors import QueryError
from crosswire.analysis.facts import figures, sentences
from crosswire.exports.report import story_report, to_html, to_text
from testweb.outlets_events import EVENTS, store_events
from crosswire.storage.db import open_db
from crosswire.storage.stories import cluster_new


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    db = open_db(memory=True)
    ids = store_events(db)
    cluster_new(db)
    story_of = dict(db.execute("select id, story_id from articles").fetchall())
    return {event: story_report(db, story_of[ids[keys[0]]]) for event, keys in EVENTS.items()}


def facts(report: dict, kind: str) -> dict[str, tuple[list[str], list[str]]]:
    return {f["key"] if kind == "figure" else f["speaker"]: (f["present"], f["missing"])
            for f in report["facts"] if f["kind"] == kind}


def test_timeline_first_reporter_and_lags(reports) -> None:
    assert [
        ("ev-meridian-wire", "first", "own"), ("ev-crescent-24", "+38m", "own"),
        ("ev-bosphorus-post", "+1h 48m", "own"), ("ev-atlantic-herald", "+3h 23m", "own"),
        ("ev-vostok-today", "+4h 13m", "own"), ("ev-barada-news", "+5h 38m", "own"),
    ] == [(e["source"], e["lag"], e["role"]) for e in reports["ariha-market"]["timeline"]]
    assert "ev-vostok-today" == reports["zaporizhzhia-grid"]["timeline"][0]["source"]
    assert "ev-crescent-24" == reports["jabalia-hospital"]["timeline"][0]["source"]


def test_wire_copies_vs_own_reporting(reports) -> None:
    zamzam = reports["zamzam-camp"]
    assert [("ev-crescent-24", "ev-meridian-wire"), ("ev-lakeside-courier", "ev-meridian-wire")] == [
        (e["source"], e["copy_of"]) for e in zamzam["copies"]]
    assert {"ev-meridian-wire": "own", "ev-crescent-24": "copy", "ev-lakeside-courier": "copy",
            "ev-bosphorus-post": "own", "ev-atlantic-herald": "own", "ev-vostok-today": "own"} == {
        o["source"]: o["role"] for o in zamzam["outlets"]}
    # copies have no distinctive words of their own: their words are the wire's
    assert ["ev-meridian-wire", "ev-bosphorus-post", "ev-atlantic-herald", "ev-vostok-today"] == list(
        zamzam["distinctive"]["by_outlet"])


def test_casualty_figures_missing_from_some_outlets(reports) -> None:
    ariha = facts(reports["ariha-market"], "figure")
    assert (["ev-meridian-wire", "ev-crescent-24", "ev-bosphorus-post", "ev-atlantic-herald"],
            ["ev-vostok-today", "ev-barada-news"]) == ariha["14"]
    assert ["ev-bosphorus-post"] == facts(reports["zamzam-camp"], "figure")["23"][1]
    assert (["ev-meridian-wire", "ev-atlantic-herald"],
            ["ev-crescent-24", "ev-gulf-mirror", "ev-bosphorus-post"]) == facts(reports["jabalia-hospital"], "figure")["4"]
    assert ["ev-vostok-today"] == facts(reports["zaporizhzhia-grid"], "figure")["120000"][1]


def test_quotes_only_one_outlet_carries(reports) -> None:
    ariha = facts(reports["ariha-market"], "quote")
    assert {"Samer Haddad": ["ev-crescent-24"], "Kerem Aydemir": ["ev-bosphorus-post"],
            "Marta Kowalczyk": ["ev-atlantic-herald"], "Viktor Samsonov": ["ev-vostok-today"]} == {
        k: present for k, (present, _) in ariha.items()}
    assert (["ev-meridian-wire", "ev-crescent-24", "ev-lakeside-courier"],
            ["ev-bosphorus-post", "ev-atlantic-herald", "ev-vostok-today"]) == facts(
        reports["zamzam-camp"], "quote")["Claire Dumont"]


def test_distinctive_words_carry_the_framing(reports) -> None:
    top = {event: {g: [w["word"] for w in ws[:5]] for g, ws in r["distinctive"]["by_perspective"].items()}
           for event, r in reports.items()}
    assert "militants" in top["ariha-market"]["russian-state"]
    assert "terrorist" in top["ariha-market"]["syrian-state"]
    assert "warplanes" in top["ariha-market"]["arab"]
    assert "zionist" in top["jabalia-hospital"]["iranian"]
    assert "nato" in top["zaporizhzhia-grid"]["iranian"]
    assert "high-precision" in top["zaporizhzhia-grid"]["russian-state"]


def test_people_each_outlet_names(reports) -> None:
    ariha = {o["source"]: o["people"] for o in reports["ariha-market"]["outlets"]}
    assert {"ev-meridian-wire": [], "ev-crescent-24": ["Samer Haddad"], "ev-bosphorus-post": ["Kerem Aydemir"],
            "ev-atlantic-herald": ["Marta Kowalczyk"], "ev-vostok-today": ["Viktor Samsonov"],
            "ev-barada-news": []} == ariha
    assert {"Ariha": 6, "Idlib": 6} == {k: v for k, v in reports["ariha-market"]["places"].items() if v == 6}


def test_sentences_and_figures_ignore_datelines_and_years() -> None:
    text = 'AMMAN, Feb 3 (Meridian) - 14 were killed. "We ran out," he said. Since April 2023, 11 million fled.'
    assert ['AMMAN, Feb 3 (Meridian) - 14 were killed.', '"We ran out," he said.',
            'Since April 2023, 11 million fled.'] == sentences(text)
    assert [{14}, set(), {11}] == [figures(s) for s in sentences(text)]
    assert {24} == figures("He told Crescent 24 that 24 had died.")
    assert set() == figures("He told Crescent 24 by phone.")


def test_html_is_self_contained(reports) -> None:
    page = to_html(reports["ariha-market"])
    assert page.startswith("<!DOCTYPE html>")
    assert [] == re.findall(r"<(?:script|link|img|iframe)\b", page)     # nothing fetched when opened
    assert "Massacre in Ariha: warplanes hit crowded Idlib market, 14 killed" in page
    assert "ev-vostok-today, ev-barada-news" in page


def test_text_report_lists_missing_facts(reports) -> None:
    text = to_text(reports["ariha-market"])
    assert "  figure 14: missing from ev-vostok-today, ev-barada-news" in text.splitlines()


def test_cli_compare_json_html_and_unknown_story(tmp_path: Path) -> None:
    path = tmp_path / "war.db"
    db = open_db(path)
    store_events(db)
    cluster_new(db)
    result = CliRunner().invoke(main, ["compare", "1", "--db", str(path), "--json", "--html", str(tmp_path / "r.html")])
    assert 0 == result.exit_code, result.output
    assert "ev-meridian-wire" == json.loads(result.stdout)["story"]["first_source"]
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    missing = CliRunner().invoke(main, ["compare", "999", "--db", str(path)])
    assert (1, "Error: no story with id 999; list them with `crosswire stories`\n") == (missing.exit_code, missing.output)


def test_compare_unknown_story_raises() -> None:
    with pytest.raises(QueryError, match="no story with id 1;"):
        story_report(open_db(memory=True), 1)
