"""Sitemaps → article entries: urlsets, sitemap indexes, gzipped files and Google News sitemaps. Pure.

Parsed with lxml's iterparse (entities never resolved, huge_tree off, recovery on) so a 50,000-entry
sitemap streams and a truncated one still yields the entries before the break. Whatever went wrong is
returned as `problem`, one short reason, for the errors table.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crosswire.core.article import FeedEntry
from crosswire.extraction.cleaning import parse_date
from crosswire.core.sources import is_http_url

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_NEWS = "{" + NEWS_NS + "}"
# An absolute http(s) URL with a host and no whitespace (is_http_url, cheap enough for 50,000 entries).
_HTTP_URL = re.compile(r"^https?://[^\s/?#:]+(:\d{1,5})?([/?#]\S*)?$", re.IGNORECASE)
# The first element of an XML document, after its declaration, comments and doctype.
_FIRST_ELEMENT = re.compile(rb"<(?![?!])([A-Za-z_][\w:.-]*)")
# The sitemap protocol caps a file at 50,000 URLs and 50 MB uncompressed; refuse to inflate beyond that.
MAX_UNCOMPRESSED = 50 * 1024 * 1024


@dataclass
class SitemapEntry:
    """One <url> (or, in an index, one <sitemap>) of a sitemap."""

    loc: str
    lastmod: datetime | None = None
    title: str | None = None               # news:title
    published: datetime | None = None      # news:publication_date
    keywords: list[str] = field(default_factory=list)   # news:keywords
    language: str | None = None            # news:language

    @property
    def date(self) -> datetime | None:
        """The best date the sitemap gives: publication date, else lastmod."""
        return self.published or self.lastmod

    def feed_entry(self) -> FeedEntry:
        """What the sitemap said, in the shape the spider's article path expects."""
        return FeedEntry(url=self.loc, title=self.title, published=self.published,
                         updated=self.lastmod, tags=list(self.keywords), language=self.language)


@dataclass
class ParsedSitemap:
    """A parsed sitemap: `kind` is "urlset", "index" or "" when it was not a sitemap at all."""

    kind: str
    entries: list[SitemapEntry] = field(default_factory=list)   # article URLs (urlset) or child sitemaps (index)
    news: bool = False                                          # a Google News sitemap
    problem: str | None = None


def unpack(body: bytes) -> bytes:
    """The XML inside a gzipped sitemap (sniffed by magic bytes, not by name), else the body itself."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
            data = handle.read(MAX_UNCOMPRESSED + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"broken gzip: {exc}") from None
    if len(data) > MAX_UNCOMPRESSED:
        raise ValueError("gzipped sitemap inflates beyond 50 MB")
    return data


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text(elem: etree._Element) -> str:
    return (elem.text or "").strip()


def _entry(elem: etree._Element) -> tuple[SitemapEntry | None, bool]:
    """The entry of a <url>/<sitemap> element and whether it carried Google News tags."""
    loc, lastmod, title, published, keywords, language, news = None, None, None, None, [], None, False
    for child in elem:
        name = _local(child.tag)
        if name == "loc":
            loc = loc or _text(child)
        elif name == "lastmod":
            lastmod = parse_date(_text(child))
        elif name == "news" and child.tag.startswith(_NEWS):
            news = True
            for item in child.iter():
                sub = _local(item.tag)
                if sub == "title":
                    title = _text(item) or None
                elif sub == "publication_date":
                    published = parse_date(_text(item))
                elif sub == "keywords":
                    keywords = [k.strip() for k in _text(item).split(",") if k.strip()]
                elif sub == "language":
                    language = _text(item) or None
    if not loc or not _HTTP_URL.match(loc):
        return None, news
    return SitemapEntry(loc, lastmod, title, published, keywords, language), news


def _root_name(head: bytes) -> str:
    """The local name of the first element in the document head ("" if none is there)."""
    match = _FIRST_ELEMENT.search(head)
    return match.group(1).decode("ascii", "replace").rpartition(":")[2] if match else ""


def parse_sitemap(body: bytes) -> ParsedSitemap:
    """Parse a sitemap or sitemap index (gzipped or not) into entries plus the problem, if any."""
    try:
        data = unpack(body)
    except ValueError as exc:
        return ParsedSitemap("", problem=str(exc))
    head = data[:2048].lstrip().lower()
    if not head:
        return ParsedSitemap("", problem="empty sitemap")
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]:
        return ParsedSitemap("", problem="not a sitemap: got an HTML page")
    root = _root_name(data[:2048])
    if root not in ("urlset", "sitemapindex"):
        return ParsedSitemap("", problem=f"not a sitemap: root element <{root or '?'}>" if root
                             else "not a sitemap: no XML root element")
    result = ParsedSitemap("urlset" if root == "urlset" else "index")
    # Only the end of each <url>/<sitemap> reaches Python, and parsed entries are freed as we go.
    parser = etree.iterparse(io.BytesIO(data), events=("end",), tag=("{*}url", "{*}sitemap"), recover=True,
                             resolve_entities=False, huge_tree=False, remove_comments=True, remove_pis=True,
                             no_network=True)
    try:
        for _, elem in parser:
            entry, news = _entry(elem)
            result.news = result.news or news
            if entry is not None:
                result.entries.append(entry)
            elem.clear()   # keep memory flat on 50,000-entry files
            while elem.getprevious() is not None:
                del elem.getparent()[0]
    except etree.XMLSyntaxError as exc:
        result.problem = f"malformed XML: {exc}"
    if result.problem is None and len(parser.error_log):
        # The entry open at the break may hold a cut-off URL: keep it only if its <loc> was closed.
        if result.entries and (result.entries[-1].loc + "</loc>").encode() not in data[-4096:]:
            result.entries.pop()
        result.problem = f"truncated or malformed XML (kept {len(result.entries)} entries)"
    if result.problem is None and not result.entries:
        result.problem = "sitemap lists no URLs"
    return result


def robots_sitemaps(robots_txt: bytes | str, base_url: str) -> list[str]:
    """The absolute URLs of the `Sitemap:` lines in a robots.txt, in order, without repeats."""
    data = robots_txt.encode("utf-8") if isinstance(robots_txt, str) else robots_txt
    out: list[str] = []
    for url in sitemap_urls_from_robots(data, base_url=base_url):
        if is_http_url(url) and url not in out:
            out.append(url)
    return out
