"""Headline, date and byline by kind of page: small pages written for the purpose (fictional outlets)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from trafilatura.utils import load_html

from crosswire.core.article import FeedEntry
from crosswire.extraction.bylines import sort_byline
from crosswire.extraction import extract
from crosswire.extraction.pagedates import byline_date, parse_page_date

BODY = "".join(
    f"<p>{line}</p>" for line in (
        "Crews worked through the night to clear the wreckage from the station forecourt, the city said.",
        "Trains on the northern line will run on a reduced timetable until the signal box is repaired.",
        "Shopkeepers near the square swept glass from the pavement and boarded up their windows by noon.",
        "The mayor said the council would meet on Friday to decide how to pay for the repairs this winter.",
    )
)


def page(head: str = "", header: str = "", url_body: str = BODY) -> str:
    """A minimal article page: `head` inside <head>, `header` above the body inside <article>."""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}</head><body>"
            f"<nav><a href='/'>Home</a></nav><article>{header}{url_body}</article></body></html>")


def og(prop: str, value: str) -> str:
    """An OpenGraph/meta tag."""
    return f'<meta property="{prop}" content="{value}">'


URL = "https://valleyherald.example/news/station-cleared"


# --- headline -----------------------------------------------------------------------------------------------

def test_site_suffix_is_stripped_using_the_declared_site_name() -> None:
    html = page(og("og:title", "Station forecourt cleared overnight | The Valley Herald")
                + og("og:site_name", "The Valley Herald"))
    article = extract(html, URL)
    assert (article.title, article.provenance["title"]) == ("Station forecourt cleared overnight", "og")


def test_section_and_date_suffixes_go_when_the_visible_heading_lacks_them() -> None:
    html = page("<title>Station forecourt cleared overnight | Region | 28.04.2023</title>",
                "<h1>Station forecourt cleared overnight</h1>")
    article = extract(html, URL)
    assert (article.title, article.provenance["title"]) == ("Station forecourt cleared overnight", "h1")


def test_outlet_named_only_by_its_host_is_stripped() -> None:
    html = page(og("og:title", "Ferry service resumes after storm - Portmere Gazette"))
    article = extract(html, "https://www.portmeregazette.example/2024/ferry")
    assert article.title == "Ferry service resumes after storm"


def test_kicker_marked_up_in_the_heading_is_not_the_headline() -> None:
    html = page(og("og:title", "Storm damage: Rivers rise across the delta"),
                '<h1><span class="kicker">Flood alert</span><span>Rivers rise across the delta</span></h1>')
    article = extract(html, URL)
    assert (article.title, article.provenance["title"]) == ("Rivers rise across the delta", "h1")


def test_social_title_with_a_kicker_yields_to_the_visible_headline() -> None:
    html = page(og("og:title", "Night of shelling: Power cut leaves east bank in the dark")
                + og("twitter:title", "Night of shelling: Power cut leaves east bank in the dark"),
                "<h1>Power cut leaves east bank in the dark</h1>")
    assert extract(html, URL).title == "Power cut leaves east bank in the dark"


def test_rewritten_social_title_loses_to_headline_and_json_ld() -> None:
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
          '"headline": "Council votes to close the old bridge"}</script>')
    html = page(ld + og("og:title", "You will not believe what the council decided"),
                "<h1>Council votes to close the old bridge</h1>")
    article = extract(html, URL)
    assert (article.title, article.provenance["title"]) == ("Council votes to close the old bridge", "h1")


def test_same_words_keep_the_declared_spelling_and_say_the_heading_showed_them() -> None:
    # Labelled headlines follow the metadata's quote marks; the heading still vouches for the words.
    html = page(og("og:title", "Mayor says 'no more delays' on the bridge"),
                "<h1>Mayor says ‘no more delays’ on the bridge</h1>")
    article = extract(html, URL)
    assert (article.title, article.provenance["title"]) == ("Mayor says 'no more delays' on the bridge", "og")


def _ld_headline(text: str) -> str:
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{text}"}}</script>'


def test_h2_heading_decides_when_the_h1_is_a_breadcrumb() -> None:
    # The <h1> sits in the breadcrumb trail and repeats the social title; the article's own heading is an
    # <h2> that repeats the JSON-LD headline, and that is the headline.
    html = page(_ld_headline("Harbour tunnel opens two months early")
                + og("og:title", "Tunnel finally open: what changes for commuters")
                + og("twitter:title", "Tunnel finally open: what changes for commuters"),
                '<nav class="trail"><ol><li><a href="/">Home</a></li><li><h1>Tunnel finally open: what changes'
                ' for commuters</h1></li></ol></nav><header><h2>Harbour tunnel opens two months early</h2></header>')
    article = extract(html, URL)
    assert (article.title, article.provenance["title"]) == ("Harbour tunnel opens two months early", "h1")


def test_a_class_naming_what_a_wrapper_lacks_is_no_sidebar() -> None:
    html = page(_ld_headline("Library keeps winter hours") + og("og:title", "Longer evenings at the library"),
                '<div class="content without-sidebar"><h2 class="entry-title">Longer evenings at the library</h2></div>')
    assert extract(html, URL).title == "Longer evenings at the library"


def test_a_kicker_printed_above_the_heading_stays_in_the_headline() -> None:
    html = page(og("og:title", "After the storm: Ferry timetable restored")
                + _ld_headline("After the storm: Ferry timetable restored"),
                '<div class="story-top"><div class="keyword">After the storm</div>'
                "<h1>Ferry timetable restored</h1></div>")
    assert extract(html, URL).title == "After the storm: Ferry timetable restored"


def test_a_kicker_set_apart_in_the_heading_takes_the_declared_punctuation() -> None:
    # The page prints the kicker and the headline as two lines; the colon between them is the metadata's.
    html = page(og("og:title", "Dam repairs: Valley road closed until spring"),
                '<h1><span class="article-kicker">Dam repairs</span>'
                '<span class="article-headline">Valley road closed until spring</span></h1>')
    assert extract(html, URL).title == "Dam repairs: Valley road closed until spring"


def test_search_and_social_titles_are_one_voice_against_json_ld() -> None:
    # og:title, twitter:title and <title> are filled from one field: three copies do not outvote JSON-LD.
    html = page(_ld_headline("Council approves the new bus depot")
                + og("og:title", "Bus depot: the council says yes")
                + og("twitter:title", "Bus depot: the council says yes")
                + "<title>Bus depot: the council says yes</title>")
    article = extract(html, URL)
    assert (article.title, article.provenance["title"]) == ("Council approves the new bus depot", "json-ld")


def test_the_declared_section_glued_to_the_title_is_decoration() -> None:
    html = page(og("og:title", "Ferry fares frozen for another year-Economy | Valley Herald")
                + og("og:site_name", "Valley Herald") + '<meta name="category" content="Economy">')
    assert extract(html, URL).title == "Ferry fares frozen for another year"


def test_a_hyphenated_word_ending_the_title_is_not_a_section() -> None:
    html = page(og("og:title", "Council backs the tram re-route") + '<meta name="category" content="Politics">')
    assert extract(html, URL).title == "Council backs the tram re-route"


def _streamed_page(article_html: str) -> str:
    """A script-rendered page: metadata in the head, the article only in streamed component rows."""
    row = f"1a:T{len(article_html.encode('utf-8')):x},{article_html}"
    pushes = "".join(f"<script>self.__next_f.push([1,{json.dumps(part)}])</script>"
                     for part in ('0:["$","div",null,{}]\n', row[:40], row[40:]))
    return (f"<html><head>{og('og:title', 'Night trains return to the coast line')}"
            f"</head><body><div id='app'></div><script>(self.__next_f=self.__next_f||[]).push([0])</script>"
            f"{pushes}</body></html>")


def test_article_streamed_to_the_page_scripts_is_read() -> None:
    article = extract(_streamed_page(BODY), URL)
    assert (article.title, article.text.split("\n\n")[0], article.provenance["text"]) == (
        "Night trains return to the coast line", "Crews worked through the night to clear the wreckage from the"
        " station forecourt, the city said.", "streamed")


def test_breadcrumb_and_logo_headings_are_not_headlines() -> None:
    html = page(og("og:title", "Bakeries reopen in the old town") + og("og:site_name", "Valley Herald"),
                '<ol class="breadcrumb"><li><h1>Region</h1></li></ol><h1 class="logo">Valley Herald</h1>')
    article = extract(html, URL)
    assert (article.title, article.provenance["title"]) == ("Bakeries reopen in the old town", "og")


# --- dates --------------------------------------------------------------------------------------------------

def _ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


@pytest.mark.parametrize("head", [
    _ld('{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Herald"},'
        ' {"@type": "NewsArticle", "datePublished": "2024-03-12T08:30:00+02:00"}]}'),
    _ld('[{"@type": "BreadcrumbList"}, {"@type": ["NewsArticle", "Article"],'
        ' "datePublished": ["2024-03-12T06:30:00Z"]}]'),
    _ld('{"@type": "WebPage", "mainEntity": {"@type": "ReportageNewsArticle",'
        ' "datePublished": {"@value": "2024-03-12T06:30:00Z"}}}'),
    _ld('{"headline": "Untyped", "datePublished": "2024-03-12 06:30:00"}'),
])
def test_json_ld_dates_in_all_their_shapes(head: str) -> None:
    article = extract(page(head), URL)
    assert (article.published, article.provenance["published"]) == (
        datetime(2024, 3, 12, 6, 30, tzinfo=timezone.utc), "json-ld")


def test_published_and_modified_are_kept_apart() -> None:
    html = page(og("article:modified_time", "2024-03-14T10:00:00Z"))
    article = extract(html, "https://valleyherald.example/news/x")
    assert (article.published, article.modified, article.provenance["modified"]) == (
        None, datetime(2024, 3, 14, 10, tzinfo=timezone.utc), "og")


def test_microdata_date() -> None:
    html = page(header='<span itemprop="datePublished" content="2024-05-02T17:45:00Z">2 May</span>')
    article = extract(html, URL)
    assert (article.published, article.provenance["published"]) == (
        datetime(2024, 5, 2, 17, 45, tzinfo=timezone.utc), "microdata")


def test_time_element_in_the_article_header() -> None:
    html = page(header='<header><time datetime="2024-05-02T09:00:00+03:00">2 May 2024</time></header>')
    article = extract(html, URL)
    assert (article.published, article.provenance["published"]) == (
        datetime(2024, 5, 2, 6, tzinfo=timezone.utc), "time")


@pytest.mark.parametrize(("dateline", "day"), [
    ("Veröffentlicht am 3. März 2024, 14:20 Uhr", datetime(2024, 3, 3, 14, 20, tzinfo=timezone.utc)),
    ("Publicado el 5 de mayo de 2024", datetime(2024, 5, 5, tzinfo=timezone.utc)),
    ("Опубліковано 12 травня 2024", datetime(2024, 5, 12, tzinfo=timezone.utc)),
    ("Pubblicato il 3 aprile 2024", datetime(2024, 4, 3, tzinfo=timezone.utc)),
    ("2024年5月12日 10:30", datetime(2024, 5, 12, 10, 30, tzinfo=timezone.utc)),
])
def test_byline_dates_in_many_languages_beat_the_feed(dateline: str, day: datetime) -> None:
    html = page(header=f'<p class="article-date">{dateline}</p>')
    entry = FeedEntry(url=URL, published=datetime(2024, 6, 30, tzinfo=timezone.utc))
    article = extract(html, URL, entry)
    assert (article.published, article.provenance["published"]) == (day, "byline")


def test_an_updated_line_is_not_read_as_the_publication_dateline() -> None:
    html = page(header='<p class="article-date">Aktualisiert am 3. März 2024</p>'
                       '<p class="article-date">Veröffentlicht am 1. März 2024</p>')
    assert byline_date(load_html(html)) == datetime(2024, 3, 1, tzinfo=timezone.utc)


def test_url_date_before_the_feed() -> None:
    entry = FeedEntry(url=URL, published=datetime(2024, 6, 30, tzinfo=timezone.utc))
    article = extract(page(), "https://valleyherald.example/2024/05/06/station-cleared", entry)
    assert (article.published, article.provenance["published"]) == (
        datetime(2024, 5, 6, tzinfo=timezone.utc), "url")


def test_feed_date_is_the_last_resort_and_says_so() -> None:
    entry = FeedEntry(url=URL, published=datetime(2024, 6, 30, tzinfo=timezone.utc))
    article = extract(page(), URL, entry)
    assert (article.published, article.provenance["published"]) == (entry.published, "feed")


def test_dotted_dates_are_day_first() -> None:
    assert parse_page_date("06.01.2026 10:15") == datetime(2026, 1, 6, 10, 15, tzinfo=timezone.utc)


# --- authors ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "people", "agencies"), [
    (["By Jane Roe and John Doe"], ["Jane Roe", "John Doe"], []),
    (["Anna Berg & Lars Holm, Staff Writers"], ["Anna Berg", "Lars Holm"], []),
    (["Von Petra Lind und Karl Maus"], ["Petra Lind", "Karl Maus"], []),
    (["Reporter", "Tom Field, AP Auto Writer"], ["Tom Field"], []),
    (["Mara Olenik / AFP"], ["Mara Olenik"], ["AFP"]),
    (["dpa"], [], ["dpa"]),
    (["AFP, KYIV"], [], ["AFP"]),
    (["Jane Roe (Reuters)"], ["Jane Roe"], ["Reuters"]),
    (["Jane Roe", "JANE ROE", "jane-roe"], ["Jane Roe"], []),
    (["Emma Hale", "(Image: Getty Images)"], ["Emma Hale"], []),
    (["Олена Коваль и Ігор Мельник"], ["Олена Коваль", "Ігор Мельник"], []),
    (["سارة الأحمد و خالد منصور"], ["سارة الأحمد", "خالد منصور"], []),
    (["محمد وليد"], ["محمد وليد"], []),
    (["王小明、李华"], ["王小明", "李华"], []),
    (["김민수 기자"], ["김민수"], []),
    (["José Ortega y Gasset"], ["José Ortega y Gasset"], []),
    # The cases the older cleaner (crosswire.extraction.cleaning.clean_authors) was pinned on, one better each time:
    # a job title alone names no one, and PTI is an agency, credited apart.
    (["Analysis by Chris Dovan, Senior Editor-at-large"], ["Chris Dovan"], []),
    (["TOM KRISTEN, AP Auto Writer"], ["Tom Kristen"], []),
    (["Ana Ruiz & Omar Haddad; Ana Ruiz"], ["Ana Ruiz", "Omar Haddad"], []),
    (["STAFF REPORTER, NOVEMBER 20, 2019 10:43"], [], []),
    (["https://outlet.example/authors/jane", "desk@outlet.example", "PTI"], [], ["PTI"]),
    (["Written by: Sina Koh - Correspondent"], ["Sina Koh"], []),
    (["Lucía Pérez y Marta Gil"], ["Lucía Pérez", "Marta Gil"], []),
])
def test_bylines_are_split_into_people_and_agencies(values: list[str], people: list[str],
                                                     agencies: list[str]) -> None:
    found = sort_byline(values)
    assert (found.people, found.agencies) == (people, agencies)


def test_names_repeated_in_json_ld_and_meta_appear_once() -> None:
    head = (_ld('{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ines Varga"},'
                ' [{"@type": "Person", "givenName": "Omar", "familyName": "Haddad"}], "Ines Varga"]}')
            + '<meta name="author" content="Ines Varga, Omar Haddad">')
    article = extract(page(head), URL)
    assert (article.authors, article.provenance["authors"]) == (["Ines Varga", "Omar Haddad"], "json-ld")


def test_agency_only_byline_is_the_author_and_credited_apart() -> None:
    article = extract(page('<meta name="author" content="dpa">'), URL)
    assert (article.authors, article.agencies) == (["dpa"], ["dpa"])


def test_person_and_agency_byline_credits_them_apart() -> None:
    article = extract(page('<meta name="author" content="By Lena Sommer, with AFP">'), URL)
    assert (article.authors, article.agencies) == (["Lena Sommer"], ["AFP"])


def test_outlet_name_stands_only_when_no_person_signed() -> None:
    ld = _ld('{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Valley Herald"},'
             ' "publisher": {"@type": "Organization", "name": "Valley Herald"}}')
    assert extract(page(ld), URL).authors == ["Valley Herald"]
    with_person = page('<meta name="author" content="valleyherald.example">',
                       '<p class="byline">By Ana Duarte</p>')
    article = extract(with_person, URL)
    assert (article.authors, article.provenance["authors"]) == (["Ana Duarte"], "byline")


@pytest.mark.parametrize(("ending", "authors"), [
    ("<p style='text-align: right;'><strong>Minh Trần</strong></p>", ["Minh Trần"]),
    ("<p><b>Ana Duarte</b></p>", ["Ana Duarte"]),
    ("<p><strong>Read more</strong> about the repairs</p>", ["Valley Herald"]),   # not a paragraph of its own
    ("<p><strong>Reuters</strong></p>", ["Valley Herald"]),                        # an agency, one word
    ("<p>Ana Duarte</p>", ["Valley Herald"]),                                      # not set apart
])
def test_a_name_signing_the_article_at_its_end_beats_the_outlet(ending: str, authors: list[str]) -> None:
    ld = _ld('{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Valley Herald"}}')
    article = extract(page(ld, url_body=BODY + ending), URL)
    assert article.authors == authors


def test_comment_authors_are_not_bylines() -> None:
    html = page(header='<div class="comments"><span class="author">Grumpy Reader</span></div>')
    assert extract(html, URL).authors == []


def test_a_deeply_nested_heading_is_read_without_recursion_trouble() -> None:
    deep = "<span>" * 200 + "Station forecourt cleared overnight" + "</span>" * 200
    article = extract(page(og("og:title", "Station forecourt cleared overnight"), f"<h1>{deep}</h1>"), URL)
    assert (article.title, article.provenance["title"]) == ("Station forecourt cleared overnight", "h1")


def test_page_byline_leaves_out_its_date_and_long_sentences() -> None:
    html = page(header='<h3 class="byline">by Ana Duarte<br><span class="datetime">Monday, May 6, 2024</span></h3>')
    assert extract(html, URL).authors == ["Ana Duarte"]
    assert sort_byline(["Readers told us what they saw on the night of the storm"]).people == []


def test_feed_byline_fills_in_people_then_agencies() -> None:
    article = extract(page(), URL, FeedEntry(url=URL, authors=["Reuters"]))
    assert (article.authors, article.agencies, article.provenance["authors"]) == (["Reuters"], ["Reuters"], "feed")
    article = extract(page('<meta name="author" content="AFP">'), URL, FeedEntry(url=URL, authors=["Ivo Marek"]))
    # A person named anywhere beats an agency byline; the agency is still credited.
    assert (article.authors, article.agencies) == (["Ivo Marek"], ["AFP"])
