"""Stories across languages as a reader sees them: compare and the story page group outlets by language and
perspective and show what other-language reports share; `stories --blindspot` and the Blindspots page list
what one perspective left out. The events test web in English, Arabic and Russian (webdata.build_language_archive)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from crawling import crawl
from crosswire.analysis.coverage import Groups, Outlet, Rule, blindspot, language_code, members, ordered_languages
from crosswire.analysis.coverage import publishing
from crosswire.analysis.facts import figures
from crosswire.cli import main
from crosswire.exports.report import story_report, to_html, to_text
from crosswire.storage.articles import find_article_id
from crosswire.storage.db import open_db
from crosswire.web import create_app
from testweb import TestWeb
from testweb.outlets_events import ALL_EVENT_OUTLETS, all_events
from tests.webdata import build_language_archive

ARIHA_LABEL = "Air strike on market in Syria's Idlib province kills 14, rescuers say"
GAZA_LABEL = "Gaza hospital generators stop after fuel runs out, health ministry says"
GRID_LABEL = "Russian drone attack cuts power in Ukraine's Zaporizhzhia, governor says"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("languages") / "war.db"
    return path, build_language_archive(path)


@pytest.fixture(scope="module")
def reports(archive) -> dict[str, dict]:
    path, stories = archive
    db = open_db(path)
    return {event: story_report(db, story) for event, story in stories.items()}


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="crosswire")
    return result.exit_code, result.stdout, result.stderr


def test_each_event_is_one_story_in_every_language_it_was_told_in(archive) -> None:
    path, stories = archive
    db = open_db(path)
    story_of = dict(db.execute("select id, story_id from articles").fetchall())
    ids = {(source, url.split(".test", 1)[1]): article_id for article_id, source, url in
           db.execute("select id, source, url from articles")}
    assert {event: {stories[event]} for event in stories} == {
        event: {story_of[ids[key]] for key in keys} for event, keys in all_events().items()}


def test_the_comparison_groups_outlets_by_language_and_perspective(reports) -> None:
    ariha = reports["ariha-market"]
    assert ["en", "ar", "ru"] == ariha["story"]["languages"]
    assert {"en": ["ev-meridian-wire", "ev-crescent-24", "ev-bosphorus-post", "ev-atlantic-herald",
                   "ev-vostok-today", "ev-barada-news"],
            "ar": ["ev-sahil-news"], "ru": ["ev-neva-telegraf"]} == ariha["languages"]
    assert [("wire", {"en": ["ev-meridian-wire"]}),
            ("arab", {"en": ["ev-crescent-24"], "ar": ["ev-sahil-news"]}),
            ("turkish", {"en": ["ev-bosphorus-post"]}),
            ("western", {"en": ["ev-atlantic-herald"]}),
            ("russian-state", {"en": ["ev-vostok-today"], "ru": ["ev-neva-telegraf"]}),
            ("syrian-state", {"en": ["ev-barada-news"]})] == [(r["perspective"], r["languages"]) for r in ariha["grid"]]
    assert ["en", "en", "en", "ar", "en", "en", "en", "ru"] == [e["language"] for e in ariha["timeline"]]
    assert ["en", "ar"] == reports["jabalia-hospital"]["story"]["languages"]
    assert ["en"] == reports["zamzam-camp"]["story"]["languages"]
    assert [] == reports["zamzam-camp"]["non_english"]


def test_other_language_reports_show_the_names_and_figures_they_share(reports) -> None:
    def shown(report: dict) -> dict[str, tuple[str, list[tuple[str, str]]]]:
        return {o["source"]: (o["headline"], [(i["kind"], i["label"]) for i in o["shares"] if i["kind"] != "name"])
                for o in report["non_english"]}

    assert {
        "ev-sahil-news": ("إدلب: 14 قتيلاً بغارة على سوق أريحا",
                          [("place", "Ariha"), ("place", "Idlib"), ("figure", "14"), ("date", "3 February"),
                           ("figure", "31")]),
        "ev-neva-telegraf": ("ВКС России нанесли удар по командному пункту боевиков у Арихи в Идлибе",
                             [("place", "Ariha"), ("place", "Idlib"), ("figure", "14"), ("date", "3 February"),
                              ("place", "Russia")]),
    } == shown(reports["ariha-market"])
    assert {
        "ev-sahil-news": ("جباليا: 12 رضيعاً في خطر بعد نفاد الوقود في مستشفى الكرامة",
                          [("place", "Gaza"), ("place", "Jabalia"), ("figure", "12"), ("date", "5 February")]),
    } == shown(reports["jabalia-hospital"])
    assert {"ev-neva-telegraf": ("Удар по энергообъектам в Запорожье оставил без тока заводы ВПК Украины",
                                 [("place", "Ukraine"), ("place", "Zaporizhzhia"), ("place", "Russia"),
                                  ("figure", "120,000"), ("date", "4 February")])} == shown(reports["zaporizhzhia-grid"])
    # Names spelt in another script are shown as the reports spelt them.
    idlib = next(i for i in reports["ariha-market"]["shared"] if i["label"] == "Idlib")
    assert (["en", "ar", "ru"], ["إدلب", "Идлибе"]) == (idlib["languages"], idlib["spellings"])
    names = {i["label"]: i["spellings"] for i in reports["jabalia-hospital"]["shared"] if i["kind"] == "name"}
    assert "درويش" in names.get("Darwish", [])


def test_words_and_quotes_are_compared_within_one_language(reports) -> None:
    ariha = reports["ariha-market"]
    # Every word of an Arabic report is "distinctive" next to English ones: words are contrasted per language.
    assert ["ev-meridian-wire", "ev-crescent-24", "ev-bosphorus-post", "ev-atlantic-herald", "ev-vostok-today",
            "ev-barada-news"] == list(ariha["distinctive"]["by_outlet"])
    assert ["wire", "arab", "turkish", "western", "russian-state", "syrian-state"] == list(
        ariha["distinctive"]["by_perspective"])
    facts = {(f["kind"], f["key"] if f["kind"] == "figure" else f["speaker"]): f for f in ariha["facts"]}
    haddad = facts[("quote", "Samer Haddad")]
    assert (["ev-crescent-24"], ["ev-meridian-wire", "ev-bosphorus-post", "ev-atlantic-herald", "ev-vostok-today",
                                 "ev-barada-news"], ["ev-sahil-news", "ev-neva-telegraf"]) == (
        haddad["present"], haddad["missing"], haddad["not_compared"])
    # "three children" is written out: the Arabic and Russian reports cannot be checked for it; 14 is in digits.
    assert ["ev-sahil-news", "ev-neva-telegraf"] == facts[("figure", "3")]["not_compared"]
    assert (["ev-vostok-today", "ev-barada-news"], []) == (facts[("figure", "14")]["missing"],
                                                           facts[("figure", "14")]["not_compared"])


@pytest.mark.parametrize("sentence, found", [
    ("قُتل 14 مدنياً صباح 3 فبراير", {14}),
    ("Российская авиация 3 февраля нанесла удар, погибли 14 человек", {14}),
    ("Am 3. Februar wurden 14 Menschen getötet", {14}),
    ("Rescuers said on 3 February that 14 people died", {14}),
    ("14 may die in the next days", {14}),
    ("The 12 newborns of 5 February, and 20 more", {12, 20}),
])
def test_a_day_before_or_after_a_month_name_in_any_language_is_no_figure(sentence: str, found: set[int]) -> None:
    assert found == figures(sentence)


def test_text_and_html_reports_never_hide_the_languages(reports) -> None:
    text = to_text(reports["ariha-market"]).splitlines()
    assert [
        "8 outlets in 3 languages: en, ar, ru, first report 2026-02-03T06:52:00+00:00 by ev-meridian-wire, span 6.5 h",
        "",
        "Outlets by language and perspective:",
        "  en   wire: ev-meridian-wire; arab: ev-crescent-24; turkish: ev-bosphorus-post; western: ev-atlantic-herald; "
        "russian-state: ev-vostok-today; syrian-state: ev-barada-news",
        "  ar   arab: ev-sahil-news",
        "  ru   russian-state: ev-neva-telegraf",
        "",
        "Reports in other languages, and what they share with the rest:",
        "  ev-sahil-news (ar, arab): إدلب: 14 قتيلاً بغارة على سوق أريحا",
    ] == text[1:10]
    assert text[10].startswith("      shares places Ariha, Idlib (إدلب, Идлибе); names ")
    assert text[10].endswith("; figures 14, 31; dates 3 February")
    assert "    +2h 18m  ev-sahil-news          [arab, ar] إدلب: 14 قتيلاً بغارة على سوق أريحا  (own)" in text
    page = to_html(reports["ariha-market"])
    assert "Story 1 · 8 outlets · 3 languages: en, ar, ru · first report" in page
    tree = lxml.html.fromstring(page)
    assert ["Perspective", "English en", "Arabic ar", "Russian ru"] == [
        " ".join(th.text_content().split()) for th in tree.xpath("//h2[starts-with(., 'Outlets by')]"
                                                                   "/following-sibling::table[1]//th")]
    assert ["ar", "ru"] == tree.xpath("//h2[starts-with(., 'Reports in other')]/following-sibling::table[1]"
                                      "//td[2]/@lang")
    assert 0 == len(tree.xpath("//script|//link|//img"))


def test_stories_lists_the_languages_of_each_story(archive) -> None:
    path, _ = archive
    code, out, _ = cli("stories", "--db", str(path), "--min-outlets", "3")
    assert (0, [
        "   id  outlets  languages  first report      first by                 span  label",
        f"   14        6  en         2026-02-06T09:00  ev-meridian-wire         5.0h  Shelling of Darfur displacement "
        "camp kills 23, thousands flee, aid group says",
        f"    8        6  en ar      2026-02-05T04:50  ev-crescent-24           5.5h  {GAZA_LABEL}",
        f"    2        6  en ru      2026-02-04T03:15  ev-vostok-today          5.9h  {GRID_LABEL}",
        f"    1        8  en ar ru   2026-02-03T06:52  ev-meridian-wire         6.5h  {ARIHA_LABEL}",
    ]) == (code, out.splitlines())
    code, out, _ = cli("stories", "--db", str(path), "--min-outlets", "3", "--json")
    assert [(14, ["en"]), (8, ["en", "ar"]), (2, ["en", "ru"]), (1, ["en", "ar", "ru"])] == [
        (s["id"], s["languages"]) for s in json.loads(out)]


def test_blindspot_lists_the_story_a_group_skipped_and_not_those_it_carried(archive) -> None:
    path, stories = archive
    code, out, _ = cli("stories", "--db", str(path), "--blindspot", "russian-state")
    assert (0, [
        "   id  outlets  languages  first report         russian-state  label",
        f"    8        6  en ar      2026-02-05T04:50            0 of 2  {GAZA_LABEL}",
        "       carried by arab 2/2, iranian 1/1, turkish 1/1, wire 1/1, western 1/2",
    ]) == (code, out.splitlines())
    code, out, _ = cli("stories", "--db", str(path), "--blindspot", "russian-state", "--json")
    (row,) = json.loads(out)
    assert (stories["jabalia-hospital"], ["en", "ar"]) == (row["id"], row["languages"])
    assert {"group": "russian-state", "carried_by": [], "skipped_by": ["ev-neva-telegraf", "ev-vostok-today"],
            "publishing": 2, "share": 0.0} == row["blindspot"]
    assert [("arab", ["ev-crescent-24", "ev-sahil-news"], 2, 1.0), ("iranian", ["ev-gulf-mirror"], 1, 1.0),
            ("turkish", ["ev-bosphorus-post"], 1, 1.0), ("wire", ["ev-meridian-wire"], 1, 1.0),
            ("western", ["ev-atlantic-herald"], 2, 0.5)] == [
        (h["group"], h["carried_by"], h["publishing"], h["share"]) for h in row["heavy"]]
    # A country names the group when no source has it as a tag: RU is Vostok Today and Nevsky Telegraf.
    assert out == cli("stories", "--db", str(path), "--blindspot", "RU", "--json")[1].replace('"RU"', '"russian-state"')


def test_a_group_that_published_nothing_then_is_not_blamed(archive) -> None:
    path, stories = archive
    code, out, _ = cli("stories", "--db", str(path), "--blindspot", "syrian-state", "--json")
    # Barada News published on 3 and 4 February only: it skipped the grid strike (4 Feb) and the hospital
    # (5 Feb, within a day of its last article), carried Ariha, and was silent around the Darfur camp (6 Feb).
    assert [(stories["jabalia-hospital"], 1), (stories["zaporizhzhia-grid"], 1)] == [
        (s["id"], s["blindspot"]["publishing"]) for s in json.loads(out)]
    code, out, _ = cli("stories", "--db", str(path), "--blindspot", "arab", "--json")
    assert [stories["zaporizhzhia-grid"]] == [s["id"] for s in json.loads(out)]


@pytest.mark.parametrize("args, code, message", [
    (["--blindspot", "martian"], 1, "Error: no source has the tag or country 'martian'; perspective groups: arab, "
                                    "russian-state, western, iranian, regional, syrian-state, turkish, wire\n"),
    (["--blindspot", "western"], 0, "no blindspots of western\n"),
    (["--little", "0.5"], 2, "Error: --little goes with --blindspot GROUP (see `crosswire stories --help`)\n"),
    (["--blindspot", "arab", "--heavy", "0"], 2, "Error: Invalid value for '--heavy': 0.0 is not in the range "
                                                 "0<x<=1. (see `crosswire stories --help`)\n"),
    (["--blindspot", "arab", "--little", "1.5"], 2, "Error: Invalid value for '--little': 1.5 is not in the range "
                                                    "0<=x<=1. (see `crosswire stories --help`)\n"),
])
def test_blindspot_mistakes_are_one_line(archive, args: list[str], code: int, message: str) -> None:
    path, _ = archive
    got, out, err = cli("stories", "--db", str(path), *args)
    assert (code, "", message) == (got, out, err)


def test_the_thresholds_decide_little_and_heavily(archive) -> None:
    path, stories = archive
    # The Atlantic Herald carried the hospital story, the Lakeside Courier (publishing that day) did not: one of
    # two western outlets is no blindspot at the default 0.25, and is one at --little 0.5.
    code, out, _ = cli("stories", "--db", str(path), "--blindspot", "western", "--little", "0.5", "--json")
    assert [(stories["jabalia-hospital"], ["ev-atlantic-herald"], ["ev-lakeside-courier"])] == [
        (s["id"], s["blindspot"]["carried_by"], s["blindspot"]["skipped_by"]) for s in json.loads(out)]
    code, out, _ = cli("stories", "--db", str(path), "--blindspot", "russian-state", "--min-outlets", "7", "--json")
    assert [] == json.loads(out)


OUTLETS = {name: Outlet(name, tags, country, lang) for name, tags, country, lang in [
    ("a1", ("state",), "RU", "ru"), ("a2", ("state",), "RU", "ru"), ("a3", ("state",), "RU", "en"),
    ("a4", ("state",), "RU", "ru"), ("w1", ("western",), "GB", "en"), ("w2", ("western",), "US", "en"),
    ("n1", ("wire", "western"), "GB", "en"), ("x1", (), "QA", "ar"), ("x2", (), "QA", "ar")]}
ALL = set(OUTLETS)


@pytest.mark.parametrize("carriers, active, rule, expected", [
    ({"w1", "w2", "x1"}, ALL, Rule(), ([], 4, ["w1", "w2", "x1"])),        # none of four carried it
    ({"a1", "w1", "w2"}, ALL, Rule(), (["a1"], 4, ["w1", "w2"])),           # one of four is little (0.25)
    ({"a1", "a2", "w1", "w2"}, ALL, Rule(), None),                          # two of four is not
    ({"w1", "w2", "x1"}, ALL - {"a1", "a2", "a3", "a4"}, Rule(), None),      # the group was silent then
    ({"w1", "w2", "x1"}, ALL, Rule(min_outlets=4), None),                   # too few outlets
    ({"w1", "x1", "n1"}, ALL, Rule(heavy=0.75), ([], 4, ["n1"])),           # wire 1/1 heavy; western, QA 1/2 not
    ({"w1", "x1", "a1"}, ALL, Rule(heavy=0.75), None),                      # nobody carried it heavily
])
def test_blindspot_rule(carriers: set[str], active: set[str], rule: Rule, expected: tuple | None) -> None:
    activity = {source: [10] for source in active}      # each publishing outlet had an article in hour 10
    found = blindspot(carriers, activity, (10 * 3600, 11 * 3600), Groups.of(members("state", OUTLETS), OUTLETS),
                      rule)
    if expected is None:
        assert found is None
        return
    carried, publishing_then, heavy = expected
    assert (carried, publishing_then) == (found["own"]["carried_by"], found["own"]["publishing"])
    assert heavy == [s for h in found["heavy"] for s in h["carried_by"]]


def test_counting_needs_only_the_first_heavy_group() -> None:
    activity = {source: [10] for source in OUTLETS}
    groups = Groups.of(members("state", OUTLETS), OUTLETS)
    window = (10 * 3600, 10 * 3600)
    assert ["western", "QA"] == [h["group"] for h in blindspot({"w1", "w2", "x1"}, activity, window, groups,
                                                              Rule())["heavy"]]
    assert ["QA"] == [h["group"] for h in blindspot({"w1", "w2", "x1"}, activity, window, groups, Rule(),
                                                   explain=False)["heavy"]]


def test_groups_are_tags_else_countries_and_publishing_is_read_from_hours() -> None:
    assert {"a1", "a2", "a3", "a4"} == members("STATE", OUTLETS)
    assert {"w1", "w2", "n1"} == members("western", OUTLETS)     # a tag at any place
    assert {"x1", "x2"} == members("qa", OUTLETS)
    assert set() == members("unknown", OUTLETS)
    hour = 3600
    activity = {"a1": [10, 50], "a2": [30], "a3": []}
    assert {"a2"} == publishing(activity, 20 * hour, 40 * hour + 1)
    assert {"a1", "a2"} == publishing(activity, 30 * hour, 50 * hour)
    assert ("en", "pt", "und", "ru", "und") == (language_code("en-GB"), language_code("PT_br"),
                                                language_code(None, ""), language_code(None, "ru"),
                                                language_code("not a code"))
    assert ["en", "ar", "ru", "und"] == ordered_languages(["und", "ar", "en", "ru", "en", "und", "ar", "en"])


@pytest.fixture(scope="module")
def client(archive) -> TestClient:
    return TestClient(create_app(archive[0]))


def test_story_page_shows_the_languages_and_what_they_share(client: TestClient, archive) -> None:
    _, stories = archive
    html = client.get(f"/story/{stories['ariha-market']}").text
    tree = lxml.html.fromstring(html)
    assert "3 languages: en, ar, ru" == tree.xpath("string(//strong[@class='languages'])")
    assert ["English", "Arabic", "Russian"] == tree.xpath("//strong[@class='languages']/abbr/@title")
    assert ["en", "en", "en", "ar", "en", "en", "en", "ru"] == [
        a.text for a in tree.xpath("//section[@class='timeline']//abbr[contains(@class, 'lang')]")]
    rows = [[" ".join(td.text_content().split()) for td in tr.xpath("td")]
            for tr in tree.xpath("//section[@class='by-language']//tbody/tr")]
    assert ["arab", "Crescent 24", "الساحل نيوز", ""] == rows[1]
    assert ["russian-state", "Vostok Today", "", "Невский телеграф"] == rows[4]
    other = tree.xpath("//section[@class='other-languages']//li")
    assert [("ar", "إدلب: 14 قتيلاً بغارة على سوق أريحا"),
            ("ru", "ВКС России нанесли удар по командному пункту боевиков у Арихи в Идлибе")] == [
        (li.xpath("string(.//h3/@lang)"), li.xpath("string(.//h3)").strip()) for li in other]
    assert ["Ariha", "Idlib (إدلب, Идлибе)", "14", "3 February", "31"] == [
        " ".join(s.text_content().split()) for s in other[0].xpath(".//span[contains(@class, 'share')]")
        if "name" not in s.get("class")]


def test_stories_and_home_pages_show_languages(client: TestClient) -> None:
    tree = lxml.html.fromstring(client.get("/stories").text)
    assert [["en"], ["en", "ar"], ["en", "ru"], ["en", "ar", "ru"]] == [
        td.xpath("abbr/text()") for td in tree.xpath("//table[@class='stories-table']//td[@class='languages']")
        if td.xpath("abbr")][:4]
    assert "6 outlets in 2 languages (en, ar)" in client.get("/").text


def test_blindspots_page_lists_groups_then_one_groups_blindspots(client: TestClient, archive) -> None:
    _, stories = archive
    html = client.get("/blindspots").text
    # The newest story ended on 6 February: by default the page weighs the 30 days before it.
    assert "Stories active since 2026-01-07 (the last 30 days of the archive; set Since for another period)." in html
    tree = lxml.html.fromstring(html)
    assert [("arab", "en ar", "1"), ("russian-state", "ru en", "1"), ("western", "en", "0"), ("iranian", "en", "2"),
            ("regional", "en", "1"), ("syrian-state", "en", "2"), ("turkish", "en", "0"), ("wire", "en", "0")] == [
        (tr.xpath("string(td[1])").strip(), " ".join(tr.xpath("td[3]/abbr/text()")), tr.xpath("string(td[4])"))
        for tr in tree.xpath("//table[@class='groups-table']/tbody/tr")]
    assert ["/blindspots"] == tree.xpath("//header//nav/a[text()='Blindspots']/@href")
    tree = lxml.html.fromstring(client.get("/blindspots?group=russian-state").text)
    assert [(f"/story/{stories['jabalia-hospital']}", "0 of 2 not: Невский телеграф, Vostok Today")] == [
        (tr.xpath("string(td[1]/a/@href)"), " ".join(tr.xpath("string(td[3])").split()))
        for tr in tree.xpath("//table[@class='blindspots-table']/tbody/tr")]
    assert ["arab 2/2", "iranian 1/1", "turkish 1/1", "wire 1/1", "western 1/2"] == tree.xpath(
        "//table[@class='blindspots-table']//span[@class='share']/text()")
    assert "No blindspots of western" in client.get("/blindspots?group=western").text


@pytest.mark.parametrize("query, message", [
    ("group=martian", "no source has the tag or country &#39;martian&#39;"),
    ("group=arab&little=2", "little must be a share between 0 and 1, like 0.25; got &#39;2&#39;"),
    ("heavy=lots", "heavy must be a share between 0 and 1, like 0.25; got &#39;lots&#39;"),
    ("min=0", "min must be a number of outlets from 1 to 1000; got &#39;0&#39;"),
    ("since=someday", "since: expects a date"),
])
def test_blindspots_page_bad_input_is_a_400_with_one_line(client: TestClient, query: str, message: str) -> None:
    response = client.get(f"/blindspots?{query}")
    assert 400 == response.status_code
    assert message in response.text


def test_a_crawl_in_three_languages_keeps_each_article_s_language(tmp_path: Path) -> None:
    """End to end: the outlets served, crawled and clustered; compare and --blindspot read the stored languages."""
    db_path, sources = tmp_path / "war.db", tmp_path / "sources.toml"
    with TestWeb(outlets=ALL_EVENT_OUTLETS) as web:
        sources.write_text(web.sources_toml(), encoding="utf-8")
        result = crawl(db_path, sources, timeout=300)
        assert 0 == result.returncode, result.stderr[-2000:]
        ariha_url = next(a["url"] for a in web.articles("ev-sahil-news") if "ariha" in a["path"])
    db = open_db(db_path)
    story = db.execute("select story_id from articles where id = ?", [find_article_id(db, ariha_url)]).fetchone()[0]
    code, out, _ = cli("compare", str(story), "--db", str(db_path), "--json")
    report = json.loads(out)
    assert (0, ["en", "ar", "ru"]) == (code, report["story"]["languages"])
    assert [("ev-sahil-news", "ar"), ("ev-neva-telegraf", "ru")] == [
        (o["source"], o["language"]) for o in report["non_english"]]
    code, out, _ = cli("stories", "--db", str(db_path), "--blindspot", "russian-state", "--json")
    assert (0, [GAZA_LABEL]) == (code, [s["label"] for s in json.loads(out)])
    assert re.search(r"\b3 languages: en, ar, ru\b", cli("compare", str(story), "--db", str(db_path))[1])
