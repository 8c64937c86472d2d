"""What readers see: every series of an attention chart visible when shares coincide;
a facts table whose rows each quote their own clause; an article page that uses a wide screen; and an old-style
site laid out with tables extracted without its masthead and sidebar."""

from __future__ import annotations

import re
import urllib.request

import pytest
from starlette.testclient import TestClient

from crosswire.analysis.facts import compare_facts, figure_clause
from crosswire.exports.charts import MARKERS, render, series
from crosswire.extraction import extract
from crosswire.storage.attention import Cell
from crosswire.storage.db import open_db
from crosswire.web import create_app
from testweb import TestWeb
from testweb.outlets_events import store_events
from webdata import NOW, build_web_archive

# Five outlets, three with exactly the same shares every day: drawn plainly, only the last of the three shows.
COINCIDING = [Cell(day, group, matches, total)
              for day in ("2026-02-03", "2026-02-04", "2026-02-05")
              for group, matches, total in (("alpha", 1, 2), ("bravo", 1, 2), ("charlie", 1, 2), ("delta", 0, 3),
                                            ("echo", 2, 2))]


def test_series_with_equal_shares_are_drawn_side_by_side() -> None:
    periods, points = series(COINCIDING)
    assert ["2026-02-03", "2026-02-04", "2026-02-05"] == periods
    assert ["echo", "alpha", "bravo", "charlie", "delta"] == list(points)      # most matches first
    positions = [(round(x, 6), y) for xy in points.values() for x, y in xy]
    assert len(positions) == len(set(positions))      # no point of one series on top of another's
    assert [[50.0] * 3] * 3 == [[y for _, y in points[g]] for g in ("alpha", "bravo", "charlie")]


def test_every_series_is_in_the_svg_with_its_own_marker() -> None:
    svg = render(COINCIDING, "svg", "coinciding").decode()
    for n in range(5):
        assert f'id="series-{n}"' in svg
    assert 5 <= len(MARKERS)


def test_a_fact_quotes_the_clause_of_its_figure() -> None:
    sentence = "Civil defence teams said at least 14 people, including three children, were killed in Ariha."
    assert ("Civil defence teams said at least 14 people…", "…including three children…") == (
        figure_clause(sentence, 14), figure_clause(sentence, 3))
    assert "…on Feb 3 at least 14 people…" == figure_clause("In Ariha, on Feb 3 at least 14 people, said rescuers.", 14)
    assert "…cutting power to about 120,000 households…" == figure_clause(
        "Drones hit the substation, cutting power to about 120,000 households, officials said.", 120000)


def test_no_two_facts_of_a_story_read_the_same() -> None:
    db = open_db(memory=True)
    store_events(db)
    texts = {}
    for source, text in db.execute("select source, text from articles where text like '%Ariha%' order by id"):
        texts.setdefault(source, text)
    facts = compare_facts(texts)
    shown = [f.excerpt for f in facts]
    assert len(facts) >= 3 and len(shown) == len(set(shown))
    assert {"14": "…killing at least 14 people…", "3": "…including three children…",
            "31": "…and wounding 31…"} == {
        f.key: f.excerpt for f in facts if f.kind == "figure"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    path = tmp_path_factory.mktemp("views") / "web.db"
    build_web_archive(path)
    return TestClient(create_app(path, clock=lambda: NOW))


def test_the_story_page_shows_each_figure_with_its_clause(client: TestClient) -> None:
    html = client.get("/story/1").text
    assert ('<span class="badge">figure 14</span> <q title="Civil defence teams said at least 14 people, including '
            'three children, were killed in Ariha.">Civil defence teams said at least 14 people…</q>') in html


def test_the_article_page_has_a_side_column_beside_the_text(client: TestClient) -> None:
    html = client.get("/article/1").text
    layout = html[html.index('<div class="article-layout">'):]
    assert layout.index('<article class="reading"') < layout.index('<aside class="article-side">')
    aside = layout[layout.index('<aside class="article-side">'):layout.index("</aside>")]
    assert ["About this article", "Copies of this text"] == re.findall(r"<h2>([^<]+)</h2>", aside)
    css = client.get("/static/style.css").text
    assert ".article-layout { grid-template-columns: minmax(0, 42rem) minmax(16rem, 1fr); }" in css


def test_a_site_laid_out_in_tables_gives_its_article_without_the_chrome() -> None:
    with TestWeb(outlets=["vestnik-frontira"]) as web:
        for article in web.articles("vestnik-frontira"):
            body = urllib.request.urlopen(article["url"]).read()
            text = extract(body, article["url"], content_type="text/html").text
            assert "\n\n".join(article["paragraphs"]) == text
            assert "|" not in text and "Вестник Фронтира" not in text
