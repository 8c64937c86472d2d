"""extract(): whole Articles from small hand-written pages (fictional outlets, fictional reports)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from trafilatura.utils import load_html

from crosswire.core.article import Article, FeedEntry
from crosswire.extraction.charset import decode_html, plausible
from crosswire.extraction.cleaning import clean_authors, guess_language, language_code, parse_date, split_keywords
from crosswire.core.errors import ExtractionError
from crosswire.extraction.page import extract
from crosswire.extraction.htmlmeta import read_page_meta

BODY_EN = """
<p>Residents of the river district spent a second night in basements after shelling cut power to the
eastern half of the city, local officials said on Tuesday morning.</p>
<p>The regional governor said repair crews would try to restore electricity to the water pumping station
first, so that hospitals and bakeries could work through the day.</p>
<p>Two schools near the railway bridge were closed until further notice, and the evening curfew was moved
forward by an hour while engineers inspected the damaged substation.</p>
<p>Volunteers handed out bottled water and blankets at the central market, where queues formed before dawn.</p>
"""

TEXT_EN = (
    "Residents of the river district spent a second night in basements after shelling cut power to the "
    "eastern half of the city, local officials said on Tuesday morning.\n\n"
    "The regional governor said repair crews would try to restore electricity to the water pumping station "
    "first, so that hospitals and bakeries could work through the day.\n\n"
    "Two schools near the railway bridge were closed until further notice, and the evening curfew was moved "
    "forward by an hour while engineers inspected the damaged substation.\n\n"
    "Volunteers handed out bottled water and blankets at the central market, where queues formed before dawn."
)

JSONLD_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Power cut after night of shelling | The Northbridge Ledger</title>
<link rel="canonical" href="/world/2024/03/power-cut-after-shelling">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "The Northbridge Ledger", "url": "https://ledger.example/"},
  {"@type": "NewsArticle", "headline": "Power cut after night of shelling",
   "author": [{"@type": "Person", "name": "By Mara Olenik"}, {"@type": "Person", "name": "Tomas Reyes"}],
   "datePublished": "2024-03-12T08:30:00+02:00", "dateModified": "2024-03-12T11:05:00+02:00",
   "description": "Repair crews race to restore water pumping before hospitals run dry.",
   "image": {"@type": "ImageObject", "url": "https://cdn.ledger.example/img/substation.jpg"},
   "articleSection": ["World", "Europe"], "keywords": "energy, shelling,  curfew",
   "publisher": {"@type": "Organization", "name": "The Northbridge Ledger"}}
]}
</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Power cut after night of shelling</h1>""" + BODY_EN + """</article>
<footer>© The Northbridge Ledger</footer></body></html>"""

META_PAGE = """<html><head>
<meta property="og:title" content="Ceasefire talks stall over prisoner lists - Harbour Courier">
<meta property="og:site_name" content="Harbour Courier">
<meta property="og:url" content="https://courier.example/news/ceasefire-talks-stall">
<meta property="og:image" content="/media/talks.jpg">
<meta property="og:description" content="Negotiators failed to agree on who would be exchanged first.">
<meta property="og:locale" content="en_US">
<meta property="article:published_time" content="2024-05-02T17:45:00Z">
<meta property="article:section" content="Diplomacy">
<meta property="article:tag" content="ceasefire"><meta property="article:tag" content="prisoners">
<meta name="author" content="JONAS FEL and Rita Amari, Staff Correspondent">
</head><body><div class="content">
<p>Negotiators meeting in a lakeside hotel broke off talks late on Thursday after both delegations
rejected the other's list of prisoners to be released in the first stage of an exchange.</p>
<p>A mediator who asked not to be named said the sides had agreed on numbers but not on names, and that
several detainees on one list were unknown to the other side's officials.</p>
<p>The talks are due to resume next week, although neither delegation confirmed it would attend, and
shelling along the northern front line continued through the night according to local residents.</p>
</div></body></html>"""

FEED_ONLY_PAGE = """<html><head><title>courier.example</title></head><body><div>
<p>Aid convoys reached the besieged town of Velmora on Sunday for the first time in three weeks, carrying
flour, medicine and fuel for the hospital generators, according to the relief agency that organised them.</p>
<p>Drivers said the road was cratered in several places and that the last twenty kilometres took more
than four hours, with the trucks waiting at two checkpoints while documents were inspected.</p>
<p>The agency said it hoped to send a second convoy before the end of the month if the route stayed open.</p>
</div></body></html>"""


def test_jsonld_page_gives_whole_article() -> None:
    article = extract(JSONLD_PAGE, "https://ledger.example/world/2024/03/power-cut-after-shelling?utm_source=x")
    assert article.to_dict() == {
        "url": "https://ledger.example/world/2024/03/power-cut-after-shelling?utm_source=x",
        "canonical_url": "https://ledger.example/world/2024/03/power-cut-after-shelling",
        "title": "Power cut after night of shelling",
        "authors": ["Mara Olenik", "Tomas Reyes"],
        "published": "2024-03-12T06:30:00+00:00",
        "modified": "2024-03-12T09:05:00+00:00",
        "language": "en",
        "lede": "Repair crews race to restore water pumping before hospitals run dry.",
        "text": TEXT_EN,
        "image": "https://cdn.ledger.example/img/substation.jpg",
        "section": "World",
        "keywords": ["energy", "shelling", "curfew"],
        "site_name": "The Northbridge Ledger",
        "agencies": [],
        "provenance": {"title": "h1", "published": "json-ld", "modified": "json-ld", "authors": "json-ld",
                       "text": "trafilatura", "site_name": "json-ld", "canonical_url": "link",
                       "language": "html-lang", "lede": "json-ld", "image": "json-ld", "section": "json-ld",
                       "keywords": "json-ld"},
    }


def test_meta_only_page_gives_whole_article() -> None:
    article = extract(META_PAGE, "https://courier.example/news/ceasefire-talks-stall?ref=feed")
    assert article.to_dict() == {
        "url": "https://courier.example/news/ceasefire-talks-stall?ref=feed",
        "canonical_url": "https://courier.example/news/ceasefire-talks-stall",
        "title": "Ceasefire talks stall over prisoner lists",
        "authors": ["Jonas Fel", "Rita Amari"],
        "published": "2024-05-02T17:45:00+00:00",
        "modified": None,
        "language": "en",
        "lede": "Negotiators failed to agree on who would be exchanged first.",
        "text": (
            "Negotiators meeting in a lakeside hotel broke off talks late on Thursday after both delegations "
            "rejected the other's list of prisoners to be released in the first stage of an exchange.\n\n"
            "A mediator who asked not to be named said the sides had agreed on numbers but not on names, and that "
            "several detainees on one list were unknown to the other side's officials.\n\n"
            "The talks are due to resume next week, although neither delegation confirmed it would attend, and "
            "shelling along the northern front line continued through the night according to local residents."
        ),
        "image": "https://courier.example/media/talks.jpg",
        "section": "Diplomacy",
        "keywords": ["ceasefire", "prisoners"],
        "site_name": "Harbour Courier",
        "agencies": [],
        "provenance": {"title": "og", "published": "og", "authors": "meta", "text": "trafilatura",
                       "site_name": "og", "canonical_url": "og", "language": "meta", "lede": "meta",
                       "image": "og", "section": "meta", "keywords": "og"},
    }


def test_feed_entry_fills_what_the_page_lacks() -> None:
    entry = FeedEntry(
        url="https://courier.example/aid-convoy",
        title="Aid convoy reaches Velmora",
        summary="First deliveries in three weeks.",
        authors=["By Ilse Marten"],
        published=datetime(2024, 6, 9, 7, 0, tzinfo=timezone.utc),
        updated=datetime(2024, 6, 9, 9, 30, tzinfo=timezone.utc),
        tags=["aid", "siege"],
        image="https://courier.example/convoy.jpg",
        language="en",
    )
    article = extract(FEED_ONLY_PAGE, "https://courier.example/aid-convoy", entry)
    assert article.to_dict() == {
        "url": "https://courier.example/aid-convoy",
        "canonical_url": None,
        "title": "Aid convoy reaches Velmora",
        "authors": ["Ilse Marten"],
        "published": "2024-06-09T07:00:00+00:00",
        "modified": "2024-06-09T09:30:00+00:00",
        "language": "en",
        "lede": "First deliveries in three weeks.",
        "text": (
            "Aid convoys reached the besieged town of Velmora on Sunday for the first time in three weeks, carrying "
            "flour, medicine and fuel for the hospital generators, according to the relief agency that organised "
            "them.\n\n"
            "Drivers said the road was cratered in several places and that the last twenty kilometres took more "
            "than four hours, with the trucks waiting at two checkpoints while documents were inspected.\n\n"
            "The agency said it hoped to send a second convoy before the end of the month if the route stayed open."
        ),
        "image": "https://courier.example/convoy.jpg",
        "section": None,
        "keywords": ["aid", "siege"],
        "site_name": None,
        "agencies": [],
        # The page states nothing but its text: everything else is the feed's, and says so.
        "provenance": {"title": "feed", "published": "feed", "modified": "feed", "authors": "feed",
                       "text": "trafilatura", "language": "feed", "lede": "feed", "image": "feed",
                       "keywords": "feed"},
    }


def test_page_without_metadata_or_entry_falls_back_to_page_and_first_paragraph() -> None:
    article = extract(FEED_ONLY_PAGE, "https://courier.example/2024/06/09/aid-convoy")
    assert (article.title, article.authors, article.published, article.language, article.lede[:40]) == (
        "courier.example",
        [],
        datetime(2024, 6, 9, tzinfo=timezone.utc),   # htmldate reads it from the URL
        "en",                                       # function words, no markup said so
        "Aid convoys reached the besieged town of",
    )


RU_PAGE = """<html><head><meta charset="utf-8"><title>Ночной обстрел пригорода</title></head><body><article>
<h1>Ночной обстрел пригорода</h1>
<p>Жители северного пригорода провели ночь в подвалах после того, как несколько снарядов упали рядом с
железнодорожной станцией.</p>
<p>По словам местной администрации, пострадавших нет, однако повреждены линии электропередачи и два жилых
дома.</p>
<p>Ремонтные бригады начали работу утром и рассчитывают восстановить подачу света к вечеру.</p>
</article></body></html>"""

RU_TEXT = (
    "Жители северного пригорода провели ночь в подвалах после того, как несколько снарядов упали рядом с\n\n"
    "железнодорожной станцией."
)

AR_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<title>قصف ليلي على أطراف المدينة</title></head><body><article>
<h1>قصف ليلي على أطراف المدينة</h1>
<p>أمضى سكان الضاحية الشمالية ليلتهم في الملاجئ بعد سقوط عدة قذائف قرب محطة القطار الرئيسية في المدينة.</p>
<p>وقالت السلطات المحلية إنه لم تقع إصابات، لكن خطوط الكهرباء وعددا من المنازل تضررت بشكل كبير.</p>
<p>وبدأت فرق الصيانة العمل في الصباح وتأمل إعادة التيار الكهربائي قبل حلول المساء.</p>
</article></body></html>"""


@pytest.mark.parametrize(
    ("page", "encoding", "content_type", "language", "title", "first_words"),
    [
        (RU_PAGE, "cp1251", "text/html; charset=utf-8", "ru", "Ночной обстрел пригорода", "Жители северного пригорода"),
        (RU_PAGE, "cp1251", None, "ru", "Ночной обстрел пригорода", "Жители северного пригорода"),
        (RU_PAGE, "koi8-r", None, "ru", "Ночной обстрел пригорода", "Жители северного пригорода"),
        (AR_PAGE, "windows-1256", None, "ar", "قصف ليلي على أطراف المدينة", "أمضى سكان الضاحية"),
        (AR_PAGE, "windows-1256", "text/html; charset=UTF-8", "ar", "قصف ليلي على أطراف المدينة", "أمضى سكان الضاحية"),
    ],
)
def test_wrongly_declared_charset_still_reads(page, encoding, content_type, language, title, first_words) -> None:
    article = extract(page.encode(encoding), "https://example.test/a", content_type=content_type)
    assert (article.language, article.title, article.text[: len(first_words)]) == (language, title, first_words)
    assert "\ufffd" not in article.text


def test_utf8_bytes_with_correct_declaration() -> None:
    article = extract(JSONLD_PAGE.encode("utf-8"), "https://ledger.example/x", content_type="text/html; charset=utf-8")
    assert article.text == TEXT_EN


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not an HTML page: https://example.test/doc is a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not an HTML page: https://example.test/doc is a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "not an HTML page: https://example.test/doc is a JPEG image"),
        (b"\x00\x01\x02\x03binary\x00junk", "not an HTML page: https://example.test/doc is binary data"),
        (b'{"status": "ok", "items": []}', "not an HTML page: https://example.test/doc"),
        (b"", "not an HTML page: https://example.test/doc"),
        (b"<html><head><title>Nothing</title></head><body><nav>Home</nav></body></html>",
         "no article text found on https://example.test/doc"),
    ],
)
def test_non_html_or_empty_pages_raise_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(data, "https://example.test/doc")
    assert str(caught.value) == message


# --- the small pure helpers behind extract() ---------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Mara Olenik"], ["Mara Olenik"]),
        (["Analysis by Chris Dovan, Senior Editor-at-large"], ["Chris Dovan"]),
        (["TOM KRISTEN, AP Auto Writer"], ["Tom Kristen"]),
        (["Lia Evans and Yaron Stein"], ["Lia Evans", "Yaron Stein"]),
        (["Ana Ruiz & Omar Haddad; Ana Ruiz"], ["Ana Ruiz", "Omar Haddad"]),
        (["STAFF REPORTER, NOVEMBER 20, 2019 10:43"], ["Staff Reporter"]),
        (["https://outlet.example/authors/jane", "desk@outlet.example", "PTI"], ["PTI"]),
        (["Written by: Sina Koh - Correspondent"], ["Sina Koh"]),
        ([], []),
    ],
)
def test_clean_authors(raw: list[str], expected: list[str]) -> None:
    assert clean_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-12T08:30:00+02:00", datetime(2024, 3, 12, 6, 30, tzinfo=timezone.utc)),
        ("2024-03-12T08:30:00Z", datetime(2024, 3, 12, 8, 30, tzinfo=timezone.utc)),
        ("2024-03-12 08:30:00", datetime(2024, 3, 12, 8, 30, tzinfo=timezone.utc)),   # naive: taken as UTC
        ("2024-03-12", datetime(2024, 3, 12, tzinfo=timezone.utc)),
        ("Tue, 12 Mar 2024 08:30:00 -0500", datetime(2024, 3, 12, 13, 30, tzinfo=timezone.utc)),
        ("March 12, 2024 8:30 AM", datetime(2024, 3, 12, 8, 30, tzinfo=timezone.utc)),
        ("0001-01-01T00:00:00", None),
        ("yesterday-ish", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_gives_utc(raw: str | None, expected: datetime | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("en-GB", "en"), ("ru_RU", "ru"), ("AR", "ar"), ("rus", "ru"), ("iw", "he"), ("Ukrainian", "uk"),
     ("fr-FR, en", "fr"), ("x-klingon", None), ("", None), (None, None)],
)
def test_language_code(raw: str | None, expected: str | None) -> None:
    assert language_code(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TEXT_EN, "en"),
        ("Мешканці північного передмістя провели ніч у підвалах після того, як кілька снарядів впали біля "
         "залізничної станції, повідомила місцева адміністрація.", "uk"),
        ("Жители северного пригорода провели ночь в подвалах после того, как несколько снарядов упали рядом "
         "с железнодорожной станцией, сообщила местная администрация.", "ru"),
        ("ساکنان حومه شمالی شب را در پناهگاه گذراندند پس از اینکه چند گلوله نزدیک ایستگاه قطار افتاد و برق "
         "قطع شد.", "fa"),
        ("short", None),
    ],
)
def test_guess_language(text: str, expected: str | None) -> None:
    assert guess_language(text) == expected


def test_split_keywords() -> None:
    assert split_keywords(["energy, Shelling ,", ["shelling", "curfew &amp; power"]]) == [
        "energy", "Shelling", "curfew & power",
    ]


def test_plausible_rejects_mojibake() -> None:
    russian = "Жители северного пригорода провели ночь в подвалах после обстрела."
    assert (plausible(russian), plausible(russian.encode("cp1251").decode("cp1252"))) == (True, False)
    french = "Les habitants ont passé la nuit dans les caves après le bombardement de la gare régionale."
    assert plausible(french) is True


def test_decode_prefers_valid_utf8_over_a_wrong_latin1_declaration() -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Überfall in Köln</p></body></html>'
    assert decode_html(page.encode("utf-8"), "https://x.example/") == page


def test_read_page_meta_finds_article_in_graph_and_broken_json() -> None:
    tree = load_html(
        '<html lang="ar"><head><script type="application/ld+json">{"@type": "WebPage", "name": "page"}</script>'
        '<script type="application/ld+json"><!--\n{"@graph": [{"@type": ["NewsArticle"], "headline": "h"}]}\n-->'
        '</script><script type="application/ld+json">{"@type": "Article", "headline": "broken",</script>'
        '<link rel="canonical" href="/a"><meta property="og:title" content="t"></head><body><p>x</p></body></html>'
    )
    page = read_page_meta(tree)
    assert (page.html_lang, [o.get("headline") or o.get("name") for o in page.jsonld], page.links, page.meta) == (
        "ar", ["h", "page"], {"canonical": "/a"}, {"og:title": ["t"]},
    )


def test_to_dict_copies_the_containers_and_writes_dates_as_iso() -> None:
    article = Article(url="https://ledger.test/a", title="Talks", authors=["Ada Byline"],
                      published=datetime(2026, 3, 6, 8, 0, tzinfo=timezone.utc), keywords=["talks"],
                      provenance={"title": "h1"})
    out = article.to_dict()
    assert {"url": "https://ledger.test/a", "canonical_url": None, "title": "Talks", "authors": ["Ada Byline"],
            "published": "2026-03-06T08:00:00+00:00", "modified": None, "language": None, "lede": None,
            "text": "", "image": None, "section": None, "keywords": ["talks"], "site_name": None, "agencies": [],
            "provenance": {"title": "h1"}} == out
    out["authors"].append("Someone Else")
    out["provenance"]["text"] = "feed"
    assert (["Ada Byline"], {"title": "h1"}) == (article.authors, article.provenance)
    assert article == Article.from_dict(article.to_dict())


# Boxes and a comment thread inside the article container that trafilatura itself keeps: their classes in
# mixed case and outside ASCII.
BOXED = """<html lang="en"><head><title>Bridge reopens</title></head><body><article><h1>Bridge reopens after repairs</h1>
<p>The river bridge reopened to traffic on Monday after six weeks of repairs to its main span, the city said in a statement.</p>
<p>Engineers replaced the worn expansion joints and resurfaced both carriageways, finishing two days ahead of schedule.</p>
<div class="box Recommended-Reads"><p>Ferry timetable changes for the summer season across the harbour</p></div>
<p>Buses that had been diverted through the old town return to their usual routes from Tuesday morning onwards.</p>
<div class="boîte NEWSLETTER"><p>Get the morning briefing in your inbox every weekday</p></div>
<p>The council thanked residents for their patience during the closure and the long detours it caused.</p>
<div class="reader comments"><p>What a waste of money, the old bridge was fine for years.</p></div>
</article>
</body></html>"""


def test_boxes_and_comment_threads_inside_the_article_are_left_out() -> None:
    assert ("The river bridge reopened to traffic on Monday after six weeks of repairs to its main span, the city "
            "said in a statement.\n\nEngineers replaced the worn expansion joints and resurfaced both carriageways, "
            "finishing two days ahead of schedule.\n\nBuses that had been diverted through the old town return to "
            "their usual routes from Tuesday morning onwards.\n\nThe council thanked residents for their patience "
            "during the closure and the long detours it caused.") == extract(
                BOXED.encode(), "https://city.test/2026/03/bridge").text
