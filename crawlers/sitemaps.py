"""Sitemaps: reading them (pure) and crawling them (the spider's sitemap callbacks).

Reading: urlsets, sitemap indexes, gzipped files and Google News sitemaps are parsed with lxml's iterparse
(entities never resolved, huge_tree off, recovery on) so a 50,000-entry sitemap streams and a truncated one
still yields the entries before the break. Whatever went wrong is returned as `problem`, one short reason,
for the errors table.

Crawling: robots.txt `Sitemap:` lines, then indexes and urlsets. Each sitemap file is a row in `feeds`
(kind sitemap | news-sitemap) with its HTTP cache state, so an unchanged sitemap costs a 304, a child
sitemap whose lastmod predates its last fetch is not fetched, and entries older than the last successful
fetch (or than `--since`) are not requested. A root sitemap (one the sources file or robots.txt names) is
polled on a schedule as a feed is: its next check follows its posting rate, a failure backs off.

Pages: an index whose children are one list cut into pages (the same URL but for a growing numeric offset,
as Arc XP's news sitemaps page with `&from=100`) is read a page at a time, newest first, and stops at the page
that reaches back to what the last read of the index saw: the windows shift with every new article, so their
lastmod says nothing and reading every page on every crawl would ask for the same URLs again and again.
"""

from __future__ import annotations

import functools
import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generator, Iterable
from urllib.parse import parse_qsl, urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crosswire.core.article import FeedEntry
from crosswire.core.sources import ROBOTS, Source, is_http_url
from crosswire.core.times import iso
from crosswire.crawlers.entrypoints import header
from crosswire.crawlers.traps import trap_reason
from crosswire.extraction.cleaning import parse_date
from crosswire.storage.feeds import ensure_feed, feed_state, record_feed_success

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


def offset_pages(children: list[SitemapEntry]) -> bool:
    """Whether an index's children are pages of one list: the same URL but for one numeric query parameter
    (absent on the first page) that grows in document order, like Arc XP's `...&from=100`."""
    if len(children) < 2:
        return False
    parts = [urlsplit(child.loc) for child in children]
    if len({(p.scheme, p.netloc.lower(), p.path) for p in parts}) != 1:
        return False
    queries = [dict(parse_qsl(p.query, keep_blank_values=True)) for p in parts]
    keys = set().union(*queries)
    varying = [k for k in keys if len({q.get(k) for q in queries}) > 1]
    if len(varying) != 1:
        return False
    values = [q.get(varying[0], "0") for q in queries]
    if not all(v.isdigit() for v in values):
        return False
    numbers = [int(v) for v in values]
    return all(a < b for a, b in zip(numbers, numbers[1:]))


def robots_sitemaps(robots_txt: bytes | str, base_url: str) -> list[str]:
    """The absolute URLs of the `Sitemap:` lines in a robots.txt, in order, without repeats."""
    data = robots_txt.encode("utf-8") if isinstance(robots_txt, str) else robots_txt
    out: list[str] = []
    for url in sitemap_urls_from_robots(data, base_url=base_url):
        if is_http_url(url) and url not in out:
            out.append(url)
    return out


LATE_LISTING = timedelta(days=1)


class SitemapMixin:
    """The spider's sitemap callbacks (mixed into crosswire.crawlers.spiders.news.NewsSpider)."""

    @functools.cached_property
    def sitemap_pages(self) -> dict[str, int]:
        """Sitemap files requested per root sitemap in this run (for max_pages)."""
        return {}

    def sitemap_start(self, source: Source) -> Iterable[scrapy.Request]:
        """Requests for a source's sitemaps (robots.txt first when it says "robots")."""
        for url in source.sitemaps:
            if url == ROBOTS:
                yield scrapy.Request(urljoin(source.homepage, "/robots.txt"), headers=self.headers_for(source.name),
                                     callback=self.parse_robots_sitemaps, errback=self.entry_point_failed,
                                     dont_filter=True, meta={"source": source.name, "kind": "robots"})
            else:
                request = self.sitemap_request(url, source.name, root=url, depth=0)
                if request is not None:
                    yield request

    def sitemap_request(self, url: str, source: str, *, root: str, depth: int, lastmod: datetime | None = None,
                        parent: int | None = None, pages: tuple[str, ...] | None = None,
                        floor: datetime | None = None) -> scrapy.Request | None:
        """A (conditional) request for one sitemap file, or None when it need not be fetched (a root not due
        yet, a child unchanged since it was read); an index (`parent`) that named it waits for it. `pages`: the
        pages still to read after this one when it is a page of an offset-paged index, which stops once a page
        reaches back past `floor`."""
        feed_id = ensure_feed(self.db, url, source, kind="sitemap")
        if depth == 0 and not self.due(feed_id):
            self.stat("pages_not_due")
            return None
        state = feed_state(self.db, feed_id)
        last = self.previous_success(feed_id)
        if self.since is None and lastmod is not None and last is not None and lastmod < last:
            self.stat("sitemaps_unchanged")   # the index says it has not changed since we last read it
            return None
        headers = {} if self.since else self.conditional_headers(state)   # a backfill reads everything again
        key = f"sitemap:{url}"
        if parent is not None:
            self.context.wait_for(parent, key)
        return scrapy.Request(url, headers=self.headers_for(source, headers), callback=self.parse_sitemap_file,
                              errback=self.entry_point_failed,
                              meta={"handle_httpstatus_list": [304], "feed_id": feed_id, "source": source,
                                    "kind": "sitemap", "root": root, "depth": depth, "previous": last,
                                    "key": key if parent is not None else None, "scheduled": depth == 0,
                                    "parent": parent, "pages": pages, "floor": floor})

    def parse_robots_sitemaps(self, response: Response) -> Iterable[scrapy.Request]:
        """robots.txt → one request per `Sitemap:` line."""
        source = response.meta["source"]
        urls = robots_sitemaps(response.body, response.url)
        if not urls:
            self.note(source, response.url, "sitemap", "robots.txt lists no Sitemap: lines")
        for url in urls:
            request = self.sitemap_request(url, source, root=url, depth=0)
            if request is not None:
                yield request

    def parse_sitemap_file(self, response: Response) -> Iterable[scrapy.Request]:
        """A sitemap or index: child sitemaps within the guards, or the entries worth requesting."""
        meta = response.meta
        feed_id, source, root, depth = meta["feed_id"], meta["source"], meta["root"], meta["depth"]
        self.stat("sitemaps_checked")
        if response.status == 304:
            self.stat("pages_not_modified")
            schedule = {"next_check": self.next_check(feed_id, None, response)} if depth == 0 else {}
            record_feed_success(self.db, feed_id, status=304, now=iso(self.now), **schedule)
            if meta.get("key"):
                self.context.settle(meta["key"], ok=True)   # an unchanged page of a paged index: caught up
            return
        parsed = parse_sitemap(response.body)
        kind = "news-sitemap" if parsed.news else "sitemap"
        state = {"status": response.status, "kind": kind, "entries": len(parsed.entries),
                 "etag": header(response, "ETag"), "bozo": parsed.problem,
                 "last_modified": header(response, "Last-Modified"), "now": iso(self.now)}
        if depth == 0:
            state["next_check"] = self.next_check(feed_id, [e.date for e in parsed.entries], response)
        # Its new state waits for the children and articles it names (see crawlers/context.py).
        self.context.hold(feed_id, state, parent=meta.get("key"))
        if parsed.problem:
            # Entries before a truncation are still used; a sitemap with none counts as an error.
            self.note(source, response.url, "sitemap", parsed.problem, feed_id=feed_id, count=not parsed.entries)
        capped = False
        if parsed.kind == "index" and offset_pages(parsed.entries):
            capped = yield from self._first_sitemap_page(parsed.entries, source, root, depth, feed_id,
                                                         meta.get("previous"))
        elif parsed.kind == "index":
            capped = yield from self._children(parsed.entries, source, root, depth, feed_id)
        elif parsed.kind == "urlset":
            if meta.get("pages") is not None:
                yield from self._next_sitemap_page(parsed.entries, meta, source)
            entries, cut = self._new_entries(parsed.entries, meta.get("previous"), source, response.url, feed_id)
            capped = (yield from self.article_requests([e.feed_entry() for e in entries], feed_id=feed_id,
                                                       source=source)) or cut
        self.context.listed(feed_id, capped=capped)

    def _first_sitemap_page(self, pages: list[SitemapEntry], source: str, root: str, depth: int, feed_id: int,
                    previous: datetime | None) -> Generator[scrapy.Request, None, bool]:
        """An offset-paged index: a request for its first (newest) page, which requests the next if it must."""
        if depth + 1 > self.limit(source, "max_depth"):
            self.cut(source, root, f"sitemap index nested deeper than max_depth {self.limit(source, 'max_depth')}",
                     feed_id=feed_id)
            return True
        floor = self.since or (previous - LATE_LISTING if previous else None)
        request = self._sitemap_page_request(pages[0].loc, tuple(p.loc for p in pages[1:]), source, root, depth + 1,
                                     feed_id, floor)
        if request is not None:
            yield request
        return False

    def _next_sitemap_page(self, entries: list[SitemapEntry], meta: dict, source: str) -> Iterable[scrapy.Request]:
        """After a page of an offset-paged index, the next page, unless this one was the last or reached back to
        what the last read saw: an entry older than the floor, or (without dates) only articles stored before."""
        rest, floor = meta["pages"], meta.get("floor")
        if not rest or not entries:
            return
        dated = [e.date for e in entries if e.date is not None]
        config = self.context.sources.get(source)
        wanted = [e.feed_entry() for e in entries if config is None or config.matches_scope(e.loc)]
        reached = floor is not None and bool(dated) and min(dated) < floor
        # A page with nothing in scope says nothing about where the last read stopped: go on.
        if reached or (self.since is None and wanted and self.settled(wanted, source)):
            return
        request = self._sitemap_page_request(rest[0], rest[1:], source, meta["root"], meta["depth"], meta["parent"],
                                             floor)
        if request is not None:
            yield request

    def _sitemap_page_request(self, url: str, rest: tuple[str, ...], source: str, root: str, depth: int, parent: int,
                      floor: datetime | None) -> scrapy.Request | None:
        """A page of an offset-paged index within max_pages (None, recorded as a cut, past it)."""
        budget, fetched = self.limit(source, "max_pages"), self.sitemap_pages.setdefault(root, 0)
        if fetched >= budget:
            self.cut(source, root, f"stopped after {budget} sitemap files (max_pages)", feed_id=parent)
            return None
        self.sitemap_pages[root] = fetched + 1
        return self.sitemap_request(url, source, root=root, depth=depth, parent=parent, pages=rest, floor=floor)

    def _children(self, children: list[SitemapEntry], source: str, root: str, depth: int,
                  feed_id: int) -> Generator[scrapy.Request, None, bool]:
        """Requests for an index's child sitemaps within the guards; whether a limit cut them short."""
        if depth + 1 > self.limit(source, "max_depth"):
            self.cut(source, root, f"sitemap index nested deeper than max_depth {self.limit(source, 'max_depth')}",
                     feed_id=feed_id)
            return True
        budget = self.limit(source, "max_pages")
        fetched = self.sitemap_pages.setdefault(root, 0)
        # Newest first, so a page limit keeps the recent end of an archive.
        children = sorted(children, key=lambda c: c.lastmod.timestamp() if c.lastmod else float("inf"), reverse=True)
        for child in children:
            if self.since is not None and child.lastmod is not None and child.lastmod < self.since:
                self.stat("too_old")
                continue
            reason = trap_reason(child.loc, self.today, self.since)
            if reason:
                self.stat("traps_skipped")
                self.note(source, child.loc, "trap", reason, feed_id=feed_id, count=False)
                continue
            if fetched >= budget:
                self.cut(source, root, f"stopped after {budget} sitemap files (max_pages)", feed_id=feed_id)
                return True
            request = self.sitemap_request(child.loc, source, root=root, depth=depth + 1, lastmod=child.lastmod,
                                           parent=feed_id)
            if request is not None:
                fetched += 1
                self.sitemap_pages[root] = fetched
                yield request
        return False

    def _new_entries(self, entries: list[SitemapEntry], previous: datetime | None, source: str, url: str,
                     feed_id: int) -> tuple[list[SitemapEntry], bool]:
        """Entries newer than --since (or, without it, than this sitemap's last fetch), newest first, capped;
        and whether the cap cut them."""
        # A day of slack after the last fetch: sitemaps often list an article hours after its date.
        floor = self.since or (previous - LATE_LISTING if previous else None)
        kept = [e for e in entries if floor is None or e.date is None or e.date >= floor]
        if len(kept) < len(entries):
            self.stat("too_old", len(entries) - len(kept))
        kept.sort(key=lambda e: e.date.timestamp() if e.date else float("-inf"), reverse=True)
        cap = self.limit(source, "max_articles")
        if len(kept) > cap:
            self.cut(source, url, f"sitemap lists {len(kept)} new URLs; requested the newest {cap} (max_articles)",
                     feed_id=feed_id)
            return kept[:cap], True
        return kept, False
