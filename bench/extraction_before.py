"""FROZEN COPY of crosswire/extraction.py as it was before the headline/date/byline work (commit 37c0293), kept only so that
bench/bench_extraction.py can time and score today's extractor against it in one run. Do not edit or import
it elsewhere.

Page → Article: a pure function of the HTML, its URL and (optionally) what a feed said about it.

The page is parsed once. Metadata comes from what the page declares (JSON-LD, <meta>, <link rel>) read
straight off that tree; the body comes from trafilatura given the same tree. Trafilatura's own metadata
pass is skipped because it costs ~40% of the extraction time and repeats what we read here. The feed
entry fills whatever the page leaves out; htmldate's quick heuristics are the last resort for a date.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from crosswire.core.article import Article, FeedEntry
from crosswire.extraction.charset import decode_html, looks_like_html, refuse_content_type
from crosswire.extraction.cleaning import (
    clean_authors,
    clean_text,
    guess_language,
    language_code,
    ld_names,
    ld_url,
    parse_date,
    split_keywords,
)
from crosswire.core.errors import ExtractionError
from htmlmeta_before import PageMeta, read_page_meta  # the frozen copy beside this file

LOGGER = logging.getLogger(__name__)

_STANDFIRST = re.compile(r"\b(standfirst|article[-_]?(summary|lede|lead|dek|intro)|dek|subheadline|sub-headline)\b")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s+::\s+|\s+»\s+")
# Fewer words than this is a menu or an error stub, not an article (even a two-line flash has more).
_MIN_BODY_WORDS = 10
_WORDS = re.compile(r"\w+")
# A body shorter than this from the fast pass is retried with trafilatura's fallback extractors.
_RETRY_BELOW_WORDS = 50
# Short opening lines (datelines, "Updated 2 hours ago") make a poor lede.
_MIN_LEDE_CHARS = 40
# Some CMSes stuff the whole article into the description; a lede is a sentence or two.
_MAX_LEDE_CHARS = 500
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")


def extract(
    html: str | bytes,
    url: str,
    entry: FeedEntry | None = None,
    *,
    content_type: str | None = None,
) -> Article:
    """Extract one Article from a page; raise ExtractionError for non-HTML or a page without text."""
    refuse_content_type(content_type, url)
    markup = decode_html(html, url, content_type) if isinstance(html, bytes) else html
    if not markup.strip() or not looks_like_html(markup):
        raise ExtractionError(f"not an HTML page: {url}")
    tree = load_html(markup)
    if tree is None:
        raise ExtractionError(f"not an HTML page: {url}")
    page = read_page_meta(tree)
    text = _body(tree, url, page)
    if len(_WORDS.findall(text[:2000])) < _MIN_BODY_WORDS:
        raise ExtractionError(f"no article text found on {url}")
    site_name = _site_name(page)
    published = _published(page, tree)
    if published is None and entry is not None:
        published = entry.published
    if published is None:
        published = _guess_date(tree, url)
    title = _title(page, tree, site_name) or (clean_text(entry.title) if entry else None) or _title_tag(page, site_name)
    text = _drop_title(text, title)
    return Article(
        url=url,
        canonical_url=_canonical(page, url),
        title=title,
        authors=_authors(page, tree) or clean_authors(entry.authors if entry else []),
        published=published,
        modified=_modified(page) or (entry.updated if entry else None),
        language=_language(page, entry, text),
        lede=_shorten(_lede(page, tree) or (clean_text(entry.summary) if entry else None) or _first_paragraph(text)),
        text=text,
        image=_absolute(url, page.first("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
                                         "twitter:image:src") or ld_url(page.ld("image")))
        or (entry.image if entry else None),
        section=_section(page),
        keywords=_keywords(page) or split_keywords(list(entry.tags) if entry else []),
        site_name=site_name,
    )


def _body(tree: HtmlElement, url: str, page: PageMeta) -> str:
    """Trafilatura's main text as paragraphs separated by a blank line; JSON-LD articleBody if that fails."""
    # fast=True skips trafilatura's comparison with its readability/jusText fallbacks: ~30% quicker and,
    # on the dev set, more precise (the fallbacks mostly add boilerplate). Comments are never the article.
    _drop_comment_threads(tree)
    raw = _trafilatura_text(tree, url, fast=True)
    if len(_WORDS.findall(raw)) < _RETRY_BELOW_WORDS:
        # The main extractor missed the article container: now the fallbacks earn their cost.
        raw = _trafilatura_text(tree, url, fast=False) or raw
    if not raw.strip():
        body = page.ld("articleBody")
        raw = body if isinstance(body, str) else ""
    return "\n\n".join(line.strip() for line in raw.splitlines() if line.strip())


# Reader-comment containers that trafilatura does not recognise as comments (Disqus threads, comment lists).
_COMMENT_THREADS = etree.XPath(
    "//*[self::section or self::div or self::ol or self::ul or self::aside]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' comments ') or contains(@class, 'disqus')"
    " or contains(@class, 'comment-list') or contains(@class, 'comment-thread') or @id = 'comments'"
    " or contains(@id, 'disqus') or @id = 'respond']"
)


def _drop_comment_threads(tree: HtmlElement) -> None:
    """Remove reader-comment threads before extraction: comments are never the article."""
    for element in _COMMENT_THREADS(tree):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)


def _trafilatura_text(tree: HtmlElement, url: str, *, fast: bool) -> str:
    try:
        doc = trafilatura.bare_extraction(tree, url=url, fast=fast, include_comments=False)
    except Exception as exc:  # noqa: BLE001 -- hostile HTML can trip any layer; one page must not stop a crawl
        LOGGER.warning("trafilatura failed on %s: %r", url, exc)
        return ""
    return doc.text if doc is not None and doc.text else ""


def _drop_title(text: str, title: str | None) -> str:
    """The body without a first paragraph that only repeats the headline (kept in `title`)."""
    if not title:
        return text
    first, _, rest = text.partition("\n\n")
    return rest if rest and first.casefold() == title.casefold() else text


def _shorten(lede: str | None) -> str | None:
    """A lede cut at a sentence end within _MAX_LEDE_CHARS (or at a word, with an ellipsis)."""
    if not lede or len(lede) <= _MAX_LEDE_CHARS:
        return lede
    head = lede[:_MAX_LEDE_CHARS]
    ends = [m.start() for m in _SENTENCE_END.finditer(head)]
    if ends:
        return head[: ends[-1]].rstrip()
    return head.rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _first_paragraph(text: str) -> str | None:
    # Tables come out as "| cell |" rows; the pipes are layout, not prose.
    paragraphs = [p.strip(" |") for p in text.split("\n\n")]
    paragraphs = [p for p in paragraphs if p]
    for paragraph in paragraphs:
        if len(paragraph) >= _MIN_LEDE_CHARS:
            return paragraph
    return paragraphs[0] if paragraphs else None


def _absolute(base: str, link: str | None) -> str | None:
    """An absolute http(s) URL, or None for empty, data: or javascript: links."""
    if not link:
        return None
    absolute = urljoin(base, link.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _parsely(page: PageMeta) -> dict[str, Any]:
    raw = page.first("parsely-page")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _canonical(page: PageMeta, url: str) -> str | None:
    return (
        _absolute(url, page.links.get("canonical"))
        or _absolute(url, page.first("og:url"))
        or _absolute(url, ld_url(page.ld("url")))
    )


def _site_name(page: PageMeta) -> str | None:
    publisher = page.ld("publisher")
    publisher_names = ld_names(publisher) if publisher else []
    return clean_text(
        page.first("og:site_name", "application-name", "al:android:app_name")
        or (publisher_names[0] if publisher_names else None)
    )


def _strip_site(title: str | None, site_name: str | None) -> str | None:
    """Drop a " | Site Name" suffix or "Site Name - " prefix from a headline."""
    title = clean_text(title)
    if not title or not site_name:
        return title
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1:
        kept = [p for p in parts if p.strip().casefold() != site_name.casefold()]
        if kept and len(kept) < len(parts):
            return " - ".join(kept).strip()
    return title


def _title(page: PageMeta, tree: HtmlElement, site_name: str | None) -> str | None:
    headline = page.ld("headline") or page.ld("name") if page.jsonld else None
    declared = (
        (headline if isinstance(headline, str) else None)
        or page.first("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title", "dcterms.title")
        or _parsely(page).get("title")
    )
    if declared:
        return _strip_site(declared, site_name)
    h1s = [clean_text(h.text_content()) for h in tree.iter("h1")]
    h1s = [h for h in h1s if h]
    return h1s[0] if len(h1s) == 1 else None


def _title_tag(page: PageMeta, site_name: str | None) -> str | None:
    title = _strip_site(page.title_tag, site_name)
    if title and not site_name:
        # No site name to match: the longest piece of "Headline | Outlet" is the headline.
        parts = _TITLE_SEPARATORS.split(title)
        title = max(parts, key=len).strip() if len(parts) > 1 else title
    return title


def _authors(page: PageMeta, tree: HtmlElement) -> list[str]:
    ld_author = page.ld("author") or page.ld("creator")
    if ld_author:
        names = clean_authors(ld_names(ld_author))
        if names:
            return names
    parsely = _parsely(page)
    for values in (
        page.all("article:author", "author", "parsely-author", "sailthru.author", "dc.creator",
                 "dcterms.creator", "byl"),
        parsely.get("authors") if isinstance(parsely.get("authors"), list) else [],
    ):
        names = clean_authors([v for v in values if isinstance(v, str)])
        if names:
            return names
    # A byline marked up in the page itself.
    bylines = tree.xpath('//a[@rel="author"]|//*[@itemprop="author"]/*[@itemprop="name"]')
    return clean_authors([b.get("content") or b.text_content() for b in bylines[:5]])


def _first_date(candidates: list[Any]) -> datetime | None:
    for value in candidates:
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    return None


def _published(page: PageMeta, tree: HtmlElement) -> datetime | None:
    found = _first_date([
        page.ld("datePublished"), page.ld("dateCreated"),
        page.first("article:published_time", "og:published_time", "published_time", "parsely-pub-date",
                   "sailthru.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date",
                   "dcterms.date", "datepublished", "pubdate", "publishdate", "publish-date", "date",
                   "article.published", "cxenseparse:recs:publishtime"),
        _parsely(page).get("pub_date"),
    ])
    if found is not None:
        return found
    times = tree.xpath('//time[@itemprop="datePublished"]/@datetime|//time[@pubdate]/@datetime')
    return _first_date(times[:1])


def _modified(page: PageMeta) -> datetime | None:
    return _first_date([
        page.ld("dateModified"),
        page.first("article:modified_time", "og:updated_time", "dcterms.modified", "datemodified",
                   "last-modified", "lastmod", "article.updated"),
    ])


def _guess_date(tree: HtmlElement, url: str) -> datetime | None:
    """htmldate's quick heuristics (URL, visible dates) when nothing declares a date."""
    try:
        found = find_date(tree, url=url, extensive_search=False, original_date=True,
                          outputformat="%Y-%m-%dT%H:%M:%S")
    except Exception as exc:  # noqa: BLE001 -- a date guess is optional; never lose the article over it
        LOGGER.info("htmldate failed on %s: %r", url, exc)
        found = None
    if found is None:
        LOGGER.info("no publication date found: %s", url)
    return parse_date(found)


def _language(page: PageMeta, entry: FeedEntry | None, text: str) -> str | None:
    for value in (
        page.html_lang,
        page.first("content-language", "language", "dc.language", "dcterms.language", "og:locale"),
        page.ld("inLanguage"),
        entry.language if entry else None,
    ):
        if isinstance(value, dict):
            value = value.get("alternateName") or value.get("name")
        code = language_code(value)
        if code:
            return code
    return guess_language(text)


def _lede(page: PageMeta, tree: HtmlElement) -> str | None:
    declared = page.ld("description")
    lede = clean_text(declared if isinstance(declared, str) else None) or clean_text(
        page.first("og:description", "description", "twitter:description", "dc.description",
                   "dcterms.abstract", "sailthru.description")
    )
    if lede:
        return lede
    for el in tree.iter("p", "div", "h2"):
        if _STANDFIRST.search(el.get("class") or ""):
            found = clean_text(el.text_content())
            if found:
                return found
    return None


def _section(page: PageMeta) -> str | None:
    section = page.ld("articleSection")
    if isinstance(section, list):
        section = next((s for s in section if isinstance(s, str) and s.strip()), None)
    return clean_text(section if isinstance(section, str) else None) or clean_text(
        page.first("article:section", "parsely-section", "section", "sailthru.section")
        or _parsely(page).get("section")
    )


def _keywords(page: PageMeta) -> list[str]:
    declared = page.ld("keywords")
    if declared:
        found = split_keywords([declared])
        if found:
            return found
    for keys in (("news_keywords",), ("keywords",), ("article:tag",), ("parsely-tags", "sailthru.tags")):
        found = split_keywords(page.all(*keys))
        if found:
            return found
    tags = _parsely(page).get("tags")
    return split_keywords([tags]) if isinstance(tags, list) else []
