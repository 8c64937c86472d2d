"""Publication and modification dates from the page itself, each with the kind of source it came from.

The page's own statements come first, most explicit first: JSON-LD (any object that carries the date,
articles before wrappers), OpenGraph/meta tags, microdata, <time> elements in the article, the date in
the URL, then htmldate's reading of bylines and visible text. A feed's date is the caller's last resort:
it is when the feed listed the item, which is not always when the article appeared.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import dateparser
from dateutil import parser as dateutil_parser
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement

from crosswire.extraction.cleaning import clean_text, language_code, parse_date
from crosswire.extraction.htmlmeta import PageMeta

LOGGER = logging.getLogger(__name__)

PUBLISHED_META = (
    "article:published_time", "og:published_time", "published_time", "og:article:published_time",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date",
    "dc.date.created", "dcterms.date", "datepublished", "pubdate", "publishdate", "publish-date",
    "publish_date", "date", "article.published", "article_date_original", "cxenseparse:recs:publishtime",
    "originalpublicationdate", "release_date", "sort_date",
)
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "og:modified_time", "dcterms.modified", "datemodified",
    "last-modified", "lastmod", "article.updated", "dc.date.modified",
)
# Meta keys in the OpenGraph namespace (reported as "og"); the rest are plain meta tags.
_OG_PREFIXES = ("og:", "article:")
# "06.01.2026" is day-first wherever dots separate the parts; dateutil would read it month-first.
_DOTTED = re.compile(r"^\s*\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}\b")
# /2024/04/28/, /2024-04-28-, /20240428/ in a URL path.
_URL_DATE = re.compile(r"(?<![\d])(19[89]\d|20\d\d)([/_-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?![\d])")
# Where a dateline's date starts: the first digit or month name, after labels like "Published:".
_FIRST_DIGIT_OR_MONTH = re.compile(r"\d|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
# 06.01.2026, 6/1/2026 and 06.01.2026 14:30: day first, as most outlets outside the US write.
_NUMERIC_DATE = re.compile(r"(?<![\d.])(?P<d>\d{1,2})[./]\s?(?P<m>\d{1,2})[./]\s?(?P<y>(?:19|20)\d\d)(?![\d])"
                           r"(?:,?\s*(?:um\s+|à\s+|at\s+)?(?P<H>\d{1,2})[:.h](?P<M>\d{2}))?")
# A byline date names its year; "3 comments" or "2 hours ago" do not.
_YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")
# Words that mark a later edit, not the publication ("Updated", "Aktualisiert", "Mis à jour", "Обновлено").
_UPDATED = re.compile(r"updated|aktualisiert|mis à jour|actualizad|aggiornat|bijgewerkt|zaktualizowan|обновл"
                      r"|оновлен|güncelleme|修改|更新", re.I)
# Elements that hold a dateline or byline date (matched in Python: an XPath testing every element's
# lowercased class costs more than all the rest of the date search).
_DATE_TAGS = ("time", "span", "div", "p", "li", "small")
_DATE_CLASS = re.compile(r"date|time|byline|publish|posted|meta", re.I)
_NOT_DATE_PLACE = re.compile(r"comment|related", re.I)
# Parsing a free-text date is costly; the article's own dateline is among the first few candidates.
_MAX_DATELINES = 3
_MICRODATA = etree.XPath(
    "//*[@itemprop=$prop][not(ancestor::*[@itemscope][@itemtype][1]"
    "[contains(@itemtype, 'Comment') or contains(@itemtype, 'Review')])]")
_ARTICLE_TIMES = etree.XPath(
    "(//article//time[@datetime] | //main//time[@datetime] | //header//time[@datetime])"
    "[not(ancestor::aside) and not(ancestor::footer) and not(ancestor::*[contains(@class, 'related')])]")


def parse_page_date(value: Any) -> datetime | None:
    """A UTC datetime from a page's date string, reading dotted dates day-first."""
    text = clean_text(value) if not isinstance(value, datetime) else None
    if text and _DOTTED.match(text):
        try:
            return parse_date(dateutil_parser.parse(text, dayfirst=True))
        except (ValueError, OverflowError):
            return None
    return parse_date(value)


def parse_dateline(text: str | None, language: str | None = None, *, guess_language: bool = True) -> datetime | None:
    """A date from dateline text like "Published: 09/03/2024 06:50 GMT" or "5 de mayo de 2024" (day before
    month, as most outlets write); `language` (ISO 639-1), when known, spares dateparser guessing it."""
    if not text:
        return None
    start = _FIRST_DIGIT_OR_MONTH.search(text)
    if start is None:
        return None
    settings = {"DATE_ORDER": "DMY", "RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC",
                "PREFER_DAY_OF_MONTH": "first"}
    numeric = _NUMERIC_DATE.search(text)
    if numeric:
        # "06.01.2026, Lesezeit 5 Min.": the date alone, read day-first, without dateparser's cost.
        day, month, year, hour, minute = (numeric.group(k) for k in ("d", "m", "y", "H", "M"))
        try:
            return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=timezone.utc)
        except ValueError:
            pass
    snippet = text[start.start():][:64]
    try:
        # English too (or alone, when the page declares no language): many pages write their datelines in
        # English whatever their language.
        parsed = dateparser.parse(snippet, languages=list(dict.fromkeys([language or "en", "en"])), settings=settings)
    except ValueError:   # a language dateparser does not know
        parsed = None
    if parsed is None and guess_language:
        # Guessing the language is dateparser's slow path (tens of milliseconds).
        parsed = dateparser.parse(snippet, settings=settings)
    return parse_date(parsed) if parsed else None


def byline_date(tree: HtmlElement, language: str | None = None) -> datetime | None:
    """The first publication date written out in a dateline or byline element, in any language."""
    tried = 0
    for el in tree.iter(_DATE_TAGS):
        marks = f"{el.get('class') or ''} {el.get('id') or ''}"
        if len(el) > 3 or not _DATE_CLASS.search(marks):
            continue   # not a dateline, or a container of many things
        text = clean_text(el.text_content())
        if not text or len(text) > 120 or not _YEAR.search(text) or _UPDATED.search(text):
            continue
        if any(a.tag in ("aside", "footer") or _NOT_DATE_PLACE.search(a.get("class") or "")
               for a in el.iterancestors()):
            continue   # a related story's or a comment's date
        # The page's declared language first; dateparser's own guess only for the first dateline.
        found = parse_dateline(text, language, guess_language=tried == 0)
        if found is not None:
            return found
        tried += 1
        if tried >= _MAX_DATELINES:
            break
    return None


def _jsonld_value(page: PageMeta, key: str) -> datetime | None:
    """The first parsable `key` among the page's JSON-LD objects (articles first)."""
    for obj in page.jsonld:
        value = obj.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("@value")
        found = parse_page_date(value)
        if found is not None:
            return found
    return None


def _meta_value(page: PageMeta, keys: tuple[str, ...]) -> tuple[datetime | None, str | None]:
    """The first parsable meta tag among `keys`, and whether it is OpenGraph or plain meta."""
    for key in keys:
        for value in page.meta.get(key, ()):
            found = parse_page_date(value)
            if found is not None:
                return found, "og" if key.startswith(_OG_PREFIXES) else "meta"
    return None, None


def _microdata(tree: HtmlElement, prop: str) -> datetime | None:
    """An itemprop date (content, datetime or text) outside comments and reviews."""
    for el in _MICRODATA(tree, prop=prop)[:3]:
        found = parse_page_date(el.get("content") or el.get("datetime") or el.text_content())
        if found is not None:
            return found
    return None


def _article_time(tree: HtmlElement) -> datetime | None:
    """A <time pubdate>, else the first <time datetime> inside the article or its header."""
    marked = tree.xpath("//time[@pubdate]/@datetime")
    for value in marked[:1] + [el.get("datetime") for el in _ARTICLE_TIMES(tree)[:1]]:
        found = parse_page_date(value)
        if found is not None:
            return found
    return None


def url_date(url: str) -> datetime | None:
    """The day a URL's path names (/2024/04/28/, /20240428/), at midnight UTC."""
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    match = _URL_DATE.search("/" + path)
    if match is None:
        return None
    year, _, month, day = match.groups()
    try:
        found = datetime(int(year), int(month), int(day), tzinfo=timezone.utc)
    except ValueError:
        return None
    # A date after today is an id that happens to look like one.
    return found if found <= datetime.now(timezone.utc) + timedelta(days=1) else None


def htmldate_guess(tree: HtmlElement, url: str) -> datetime | None:
    """htmldate's quick heuristics (bylines, visible dates in many languages) for the original date."""
    try:
        found = find_date(tree, url=url, extensive_search=False, original_date=True,
                          outputformat="%Y-%m-%dT%H:%M:%S",
                          max_date=(datetime.now() + timedelta(days=1)).strftime("%Y-%m-%d"))
    except Exception as exc:  # noqa: BLE001 -- a date guess is optional; never lose the article over it
        LOGGER.info("htmldate failed on %s: %r", url, exc)
        return None
    return parse_date(found)


def find_published(page: PageMeta, tree: HtmlElement, url: str,
                   modified: datetime | None = None) -> tuple[datetime | None, str | None]:
    """The page's own publication date and its source kind (json-ld, og, meta, microdata, time, byline, url,
    htmldate); a guess that is exactly the page's `modified` date is that, not the publication."""
    found = _jsonld_value(page, "datePublished") or _jsonld_value(page, "dateCreated")
    if found is not None:
        return found, "json-ld"
    found, kind = _meta_value(page, PUBLISHED_META)
    if found is not None:
        return found, kind
    parsely = page.parsely()
    if parsely.get("pub_date") and (found := parse_page_date(parsely["pub_date"])) is not None:
        return found, "meta"
    for finder, kind in ((lambda: _microdata(tree, "datePublished"), "microdata"), (lambda: _article_time(tree), "time"),
                         (lambda: byline_date(tree, language_code(page.html_lang)), "byline"),
                         (lambda: url_date(url), "url"),
                         (lambda: htmldate_guess(tree, url), "htmldate")):
        found = finder()
        if found is not None and not (kind == "htmldate" and found == modified):
            return found, kind
    return None, None


def find_modified(page: PageMeta, tree: HtmlElement) -> tuple[datetime | None, str | None]:
    """The page's own last-modified date and its source kind, kept apart from the publication date."""
    found = _jsonld_value(page, "dateModified")
    if found is not None:
        return found, "json-ld"
    found, kind = _meta_value(page, MODIFIED_META)
    if found is not None:
        return found, kind
    found = _microdata(tree, "dateModified")
    return (found, "microdata") if found is not None else (None, None)
