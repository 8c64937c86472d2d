"""Page → Article: a pure function of the HTML, its URL and (optionally) what a feed said about it.

The page is parsed once. Metadata comes from what the page declares (JSON-LD, <meta>, <link rel>) and
shows (its heading, byline, <time>) read straight off that tree: crosswire.extraction.headline picks the headline,
crosswire.extraction.pagedates the dates, crosswire.extraction.bylines the authors. The body comes from trafilatura given the same
tree; its own metadata pass is skipped because it costs ~40% of the extraction time and repeats what we read
here. The feed entry fills only what the page leaves out, and every field records its source (provenance).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from crosswire.core.article import Article, FeedEntry
from crosswire.core.errors import ExtractionError, NotHtmlError
from crosswire.extraction.bylines import end_signature, find_authors, signature_lines, sort_byline
from crosswire.extraction.charset import decode_html, looks_like_html, refuse_content_type
from crosswire.extraction.cleaning import (
    clean_text,
    guess_language,
    language_code,
    ld_names,
    ld_url,
    split_keywords,
)
from crosswire.extraction.headline import choose_headline, declared_site_names, site_keys
from crosswire.extraction.htmlmeta import PageMeta, read_page_meta
from crosswire.extraction.pagedates import find_modified, find_published
from crosswire.extraction.parse import parse_html
from crosswire.extraction.rules import apply_rules, overlay
from crosswire.extraction.streamed import streamed_html

LOGGER = logging.getLogger(__name__)

_STANDFIRST = re.compile(r"\b(standfirst|article[-_]?(summary|lede|lead|dek|intro)|dek|subheadline|sub-headline)\b")
# Fewer words than this is a menu or an error stub, not an article (even a two-line flash has more).
_MIN_BODY_WORDS = 10
_WORDS = re.compile(r"\w+")
_WS = re.compile(r"\s+")
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
    rules: dict[str, Any] | None = None,
) -> Article:
    """Extract one Article from a page, a source's `rules` (Rules.as_dict()) first when it has any.

    Raises NotHtmlError for anything that is not an HTML page and ExtractionError for a page without text.
    """
    refuse_content_type(content_type, url)
    markup = decode_html(html, url, content_type) if isinstance(html, bytes) else html
    if not markup.strip() or not looks_like_html(markup):
        raise NotHtmlError(f"not an HTML page: {url}")
    tree = parse_html(markup)   # the page's one parse: rules, metadata, headline, dates and body share it
    if tree is None:
        raise NotHtmlError(f"not an HTML page: {url}")
    if not rules:
        return _extract_tree(tree, markup, url, entry)
    found = apply_rules(tree, url, rules)
    try:
        # The rules dropped the page's scripts, so there is no streamed article to read ("").
        article = _extract_tree(tree, "", url, entry)
    except NotHtmlError:
        raise
    except ExtractionError:
        # The generic extractor found no body; the rules' own body is enough when it has words.
        if len(_WORDS.findall(found.get("text", ""))) < _MIN_BODY_WORDS:
            raise
        article = Article(url=url, title=entry.title if entry else None,
                          published=entry.published if entry else None, language=entry.language if entry else None)
    return overlay(article, found)


def _extract_tree(tree: HtmlElement, markup: str, url: str, entry: FeedEntry | None) -> Article:
    """The generic extractor over the page's tree (`markup`, its text, is read only for streamed articles)."""
    page = read_page_meta(tree)
    # Headline, byline and dates are read off the whole page, before the body pass drops comment threads.
    site_names = declared_site_names(page)
    title, title_from = choose_headline(page, tree, url, site_names)
    byline, authors_from = find_authors(page, tree, site_keys(site_names, url)[0])
    modified, modified_from = find_modified(page, tree)
    published, published_from = find_published(page, tree, url, modified)
    # Read before the body pass prunes the tree: where the article may be signed at its end.
    signatures = signature_lines(tree) if not byline.people else set()
    # Reader comments and layout tables go first; the lede is read before what trafilatura never reads goes.
    _unwrap_layout_tables(tree)
    noise = _drop_comment_threads(tree)
    lede, lede_from = _lede(page, tree)
    drop_unread(tree)
    text, text_from = _body(tree, url, page, markup, noise)
    if len(_WORDS.findall(text[:2000])) < _MIN_BODY_WORDS:
        raise ExtractionError(f"no article text found on {url}")
    found = Fields()
    lone_title_tag = title if title_from == "title-tag" else None
    if lone_title_tag:
        title = None   # a <title> nothing else agrees with is the weakest copy; a feed names the item itself
    found.put("title", title, title_from)
    found.put("title", clean_text(entry.title) if entry else None, "feed")
    found.put("title", lone_title_tag or clean_text(page.title_tag), "title-tag")
    found.put("published", published, published_from)
    found.put("published", entry.published if entry else None, "feed")
    found.put("modified", modified, modified_from)
    found.put("modified", entry.updated if entry else None, "feed")
    fed = sort_byline(entry.authors if entry else [])
    found.put("authors", byline.people, authors_from)
    found.put("authors", end_signature(text, signatures), "signature")
    found.put("authors", fed.people, "feed")
    # Only a wire byline with no person in it makes the agency the author; else it is credited apart.
    found.put("authors", byline.agencies, authors_from)
    found.put("authors", fed.agencies, "feed")
    # Failing all else the outlet signed it ("DER SPIEGEL", "ORF.at"): its first-declared name.
    found.put("authors", byline.outlets[:1], authors_from)
    found.put("authors", fed.outlets[:1], "feed")
    found.put("agencies", byline.agencies, authors_from)
    found.put("agencies", fed.agencies, "feed")
    found.put("text", text, text_from)
    publisher = ld_names(page.ld("publisher") or [])
    found.put("site_name", clean_text(page.first("og:site_name")), "og")
    found.put("site_name", clean_text(publisher[0]) if publisher else None, "json-ld")
    found.put("site_name", site_names[0] if site_names else None, "meta")
    _canonical(found, page, url)
    _language(found, page, entry, text)
    found.put("lede", _shorten(lede), lede_from)
    found.put("lede", _shorten(clean_text(entry.summary)) if entry else None, "feed")
    found.put("lede", _shorten(_first_paragraph(_drop_title(text, found.values.get("title")))), "body")
    found.put("image", _absolute(url, page.first("og:image", "og:image:url", "og:image:secure_url",
                                                 "twitter:image", "twitter:image:src")), "og")
    found.put("image", _absolute(url, ld_url(page.ld("image"))), "json-ld")
    found.put("image", entry.image if entry else None, "feed")
    _section(found, page)
    _keywords(found, page)
    found.put("keywords", split_keywords(list(entry.tags)) if entry else None, "feed")
    found.values["text"] = _drop_title(text, found.values.get("title"))
    if found.sources.get("published") == "feed":
        LOGGER.info("no publication date on the page, the feed's is used: %s", url)
    return Article(url=url, **found.values, provenance=found.sources)


class Fields:
    """Article fields filled in order of preference, remembering which source each came from."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.sources: dict[str, str] = {}

    def put(self, name: str, value: Any, source: str | None) -> None:
        """Set `name` unless an earlier, preferred source already gave it a value."""
        if name not in self.values and value not in (None, "", [], {}):
            self.values[name] = value
            self.sources[name] = source or "page"


def _body(tree: HtmlElement, url: str, page: PageMeta, markup: str, noise: str) -> tuple[str, str]:
    """Trafilatura's main text as paragraphs separated by a blank line (JSON-LD articleBody if that fails,
    then markup the page streams to its scripts), and which of those it was; lines in `noise` are left out."""
    # fast=True skips trafilatura's comparison with its readability/jusText fallbacks: ~30% quicker and,
    # on the dev set, more precise (the fallbacks mostly add boilerplate). Comments are never the article.
    raw, source = _trafilatura_text(tree, url, fast=True), "trafilatura"
    if len(_WORDS.findall(raw)) < _RETRY_BELOW_WORDS:
        # The main extractor missed the article container: now the fallbacks earn their cost.
        retry = _trafilatura_text(tree, url, fast=False)
        raw, source = (retry, "trafilatura-fallback") if retry else (raw, source)
    if not raw.strip():
        body = page.ld("articleBody")
        raw, source = (body, "json-ld") if isinstance(body, str) else ("", source)
    if not raw.strip():
        raw, source = _streamed_text(markup, url) or (raw, source)
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if noise:
        lines = [line for line in lines if _WS.sub(" ", line.lstrip("-• ")).strip() not in noise]
    return "\n\n".join(lines), source


def drop_unread(tree: HtmlElement) -> None:
    """Remove what trafilatura drops unread before it copies the tree and runs its XPaths over it: the <head>
    but its JSON-LD, scripts and styles but JSON-LD, and the asides, footers and SVG drawings that hold no
    paragraph, heading or script. That is a quarter of a news page's elements and four fifths of its text
    (the scripts): trafilatura's copies, XPath prunes and page measure cost less (a worker's CPU a page -11%).
    Its text comes out the same: each element goes as its cleaning and its page measure (html2txt) would
    remove it, tail kept, and what its other stages read stays: JSON-LD (baseline, forum check), paragraphs
    (it restores a tree whose every paragraph its cleaning would drop), headings (its test for appended
    articles). Only its readability comparison (fast=False, our retry) sees the page without those blocks;
    on the 128 dev pages both passes give the same text with and without them."""
    doomed = [el for el in tree.iter("script", "style") if not _is_json_ld(el)]
    head = tree.find("head")
    if head is not None:
        doomed += [el for el in head if el.tag not in ("script", "style")]
    doomed += [el for el in tree.iter("aside", "footer", "svg") if not _may_be_read(el)]
    for el in doomed:
        if el.getparent() is not None:   # a bare fragment's root stays
            el.drop_tree()


def _is_json_ld(el: HtmlElement) -> bool:
    return el.tag == "script" and "ld+json" in (el.get("type") or "")


# Whether a block trafilatura's cleaning drops still holds something another of its stages reads (Discourse
# forums' posts are in that div's attribute).
_MAY_BE_READ = etree.XPath("boolean(.//p | .//h1 | .//script | .//div[@id = 'data-preloaded'])")


def _may_be_read(el: HtmlElement) -> bool:
    return bool(_MAY_BE_READ(el))


# What a cell of a layout table holds and a cell of a data table does not: paragraphs, headings, blocks.
_LAYOUT_CELL = ".//td//p | .//td//h1 | .//td//h2 | .//td//h3 | .//td//div | .//td//table | .//td//ul"


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout (old sites put the masthead, a sidebar and the article in cells) into
    plain blocks. Trafilatura reads a table as data, row by row: the article cell came out glued to the
    sidebar's links and the navigation as `| Site | News | … |` lines. A data table (header cells, a caption,
    cells of short text) is left alone."""
    for table in list(tree.iter("table")):
        if table.xpath(".//th | .//caption | .//thead") or not table.xpath(_LAYOUT_CELL):
            continue
        for element in [table, *table.iter("tbody", "tfoot", "tr", "td")]:
            for attribute in ("width", "align", "valign"):
                element.attrib.pop(attribute, None)
            element.tag = "div"


# Sign-up boxes and lists of other stories inside the article container, which trafilatura keeps as text.
_BOILERPLATE = re.compile(r"newsletter|sign-?up|related|recommended|latest-", re.I)
_CONTAINERS = ("section", "div", "ol", "ul", "aside", "form")
# A part of every word either test below looks for: most containers have none, and this expression over the
# lower-cased class and id rules them out at a third of a case-blind one's cost.
_EITHER = re.compile("comment|disqus|respond|newsletter|sign|related|recommended|latest-")


def _is_comment_thread(classes: str, ident: str) -> bool:
    """Reader-comment containers that trafilatura does not recognise as comments (Disqus, comment lists)."""
    return (" comments " in f" {' '.join(classes.split())} " or "disqus" in classes or "comment-list" in classes
            or "comment-thread" in classes or ident in ("comments", "respond") or "disqus" in ident)


def _drop_comment_threads(tree: HtmlElement) -> str:
    """Remove reader-comment threads (never the article) and return the text of sign-up boxes and
    other-story lists, whitespace collapsed, one block per line.

    Those boxes stay in the tree: removing them can change which container trafilatura takes for the
    article, so their lines are dropped from its output instead. One pass in Python over the containers'
    class and id costs less than an XPath that tests every element."""
    threads, boxes = [], []
    for element in tree.iter(_CONTAINERS):
        classes, ident = element.get("class") or "", element.get("id") or ""
        if not classes and not ident:
            continue
        marks = f"{classes} {ident}"
        if marks.isascii() and not _EITHER.search(marks.lower()):
            continue   # (outside ASCII, lower() and the expressions' case-blindness can differ: no short cut)
        if element.tag != "form" and _is_comment_thread(classes, ident):
            threads.append(element)
        elif element.tag != "ol" and _BOILERPLATE.search(marks):
            boxes.append(element)
    for element in threads:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    if not boxes:
        return ""
    paragraphs = len(tree.xpath("//p"))
    blocks = []
    for element in boxes:
        # A class like "has-related-links" on the article's own wrapper must not take the article with it;
        # a box inside a removed comment thread is gone already.
        if element.getroottree().getroot() is tree and len(element.xpath(".//p")) * 2 < paragraphs:
            blocks.append(_WS.sub(" ", element.text_content()).strip())
    return "\n".join(blocks)


def _streamed_text(markup: str, url: str) -> tuple[str, str] | None:
    """The text of the article markup a script-rendered page streams as data, if it streams any."""
    fragment = streamed_html(markup)
    tree = parse_html(f"<html><body><article>{fragment}</article></body></html>") if fragment else None
    text = _trafilatura_text(tree, url, fast=True) if tree is not None else ""
    return (text, "streamed") if text.strip() else None


def _trafilatura_text(tree: HtmlElement, url: str, *, fast: bool) -> str:
    """Trafilatura's main text for the tree, or "" when it finds none or fails."""
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
    """The first paragraph long enough to be a lede, else the first one."""
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


def _canonical(found: Fields, page: PageMeta, url: str) -> None:
    """rel=canonical, else og:url, else the JSON-LD url."""
    found.put("canonical_url", _absolute(url, page.links.get("canonical")), "link")
    found.put("canonical_url", _absolute(url, page.first("og:url")), "og")
    found.put("canonical_url", _absolute(url, ld_url(page.ld("url"))), "json-ld")


def _language(found: Fields, page: PageMeta, entry: FeedEntry | None, text: str) -> None:
    """The declared language (html lang, meta, JSON-LD, feed), else a guess from the text."""
    for value, source in (
        (page.html_lang, "html-lang"),
        (page.first("content-language", "language", "dc.language", "dcterms.language", "og:locale"), "meta"),
        (page.ld("inLanguage"), "json-ld"),
        (entry.language if entry else None, "feed"),
    ):
        if isinstance(value, dict):
            value = value.get("alternateName") or value.get("name")
        found.put("language", language_code(value), source)
    if "language" not in found.values:   # guessed only when nothing declares it
        found.put("language", guess_language(text), "guess")


def _lede(page: PageMeta, tree: HtmlElement) -> tuple[str | None, str | None]:
    """The declared description (JSON-LD, then meta) or a standfirst element, and its source."""
    declared = page.ld("description")
    lede = clean_text(declared if isinstance(declared, str) else None)
    if lede:
        return lede, "json-ld"
    lede = clean_text(page.first("og:description", "description", "twitter:description", "dc.description",
                                 "dcterms.abstract", "sailthru.description"))
    if lede:
        return lede, "meta"
    for el in tree.iter("p", "div", "h2"):
        if _STANDFIRST.search(el.get("class") or ""):
            found = clean_text(el.text_content())
            if found:
                return found, "standfirst"
    return None, None


def _section(found: Fields, page: PageMeta) -> None:
    """JSON-LD articleSection (the first of a list), else the meta tags' section."""
    section = page.ld("articleSection")
    if isinstance(section, list):
        section = next((s for s in section if isinstance(s, str) and s.strip()), None)
    found.put("section", clean_text(section if isinstance(section, str) else None), "json-ld")
    found.put("section", clean_text(page.first("article:section", "parsely-section", "section", "sailthru.section")
                                    or page.parsely().get("section")), "meta")


def _keywords(found: Fields, page: PageMeta) -> None:
    """JSON-LD keywords, else the first meta family that lists any."""
    declared = page.ld("keywords")
    found.put("keywords", split_keywords([declared]) if declared else None, "json-ld")
    for keys in (("news_keywords",), ("keywords",), ("article:tag",), ("parsely-tags", "sailthru.tags")):
        found.put("keywords", split_keywords(page.all(*keys)), "og" if keys == ("article:tag",) else "meta")
    tags = page.parsely().get("tags")
    found.put("keywords", split_keywords([tags]) if isinstance(tags, list) else None, "meta")
