"""`crosswire sources probe`: can each route of a source be read from here, and does it still carry news?

Each route (a feed, a sitemap, a listing's first page) is fetched once, politely: the host's robots.txt first
(once per host) and obeyed, crosswire's User-Agent with the crawl's default headers and the source's own, a
timeout, and the source's delay between two requests to one host (hosts are probed side by side). Of a sitemap
index the newest page or child is read too, since the index alone says nothing of the articles. Every answer
is read with the crawler's own readers (crosswire.crawlers.feeds, .sitemaps, .listings), so "ok" means a crawl
can read the route.

A one-off GET (crosswire.crawlers.fetch) rather than a Scrapy run: a probe makes a handful of requests and
waits for each answer, which needs none of a crawl's scheduler, retries or item pipeline, and Scrapy's reactor
starts only once per process. The headers and robots.txt rules are the crawl's own.

Verdicts, from best to worst:
    ok          entries, the newest within the stale limit (or undated)
    stale       entries, but the newest is older than the stale limit: the outlet moved or stopped
    empty       a well-formed feed, sitemap or listing with no entries
    disallowed  robots.txt forbids crosswire this URL: it was not fetched
    blocked     the server refused us: HTTP 401, 403, 407, 429, 451, or it closed the connection unanswered
    broken      anything else: not found, a server error, no answer, not a feed, selectors matching nothing
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import sqlite_utils
from protego import Protego

from crosswire.core.sources import Listing, Source
from crosswire.core.times import iso
from crosswire.crawlers.feeds import parse_feed
from crosswire.crawlers.fetch import MAX_BYTES, TIMEOUT_SECONDS, FetchError, Page, get, source_headers
from crosswire.crawlers.listings import parse_listing
from crosswire.crawlers.settings import DOWNLOAD_DELAY, USER_AGENT
from crosswire.crawlers.sitemaps import SitemapEntry, offset_pages, parse_sitemap, robots_sitemaps
from crosswire.storage.db import writing
from crosswire.storage.feeds import ensure_feed, record_probe, sync_source

VERDICTS = ("ok", "stale", "empty", "disallowed", "blocked", "broken")
REFUSALS = {401, 403, 407, 429, 451}      # statuses that mean "not you", not "not here"
WORKS = ("ok", "stale", "empty")          # the route answered and could be read
Getter = Callable[..., Page]              # crosswire.crawlers.fetch.get's signature


@dataclass
class RouteReport:
    """What one route of a source answered, and what that means."""

    source: str
    kind: str                     # feed | sitemap | news-sitemap | listing | robots
    url: str
    verdict: str                  # one of VERDICTS
    status: int | None = None     # the HTTP status (None: not fetched, or no answer)
    robots: str = "allowed"       # allowed | disallowed | no robots.txt | unreadable
    entries: int | None = None    # entries read (of an index: of its newest page)
    newest: str | None = None     # the newest entry's date, ISO 8601
    age_hours: float | None = None
    carries: str | None = None    # lede | headline | link: what most entries say beyond their URL
    reason: str | None = None     # why, when the verdict is not ok
    checked: str | None = None    # when the sources file says the route was last confirmed
    format: str | None = None     # rss20, atom10, json11, urlset, index of N, listing

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


@dataclass(frozen=True)
class ProbeOptions:
    """How to probe: the clock, the stale limit, the timeout, and the GET (injectable for tests)."""

    now: datetime
    stale_after: timedelta = timedelta(days=7)
    timeout: float = TIMEOUT_SECONDS
    workers: int = 8
    get: Getter = get


class _Hosts:
    """Per host: its robots.txt (fetched once) and the time of the last request, for the delay between two."""

    def __init__(self, options: ProbeOptions) -> None:
        self.options = options
        self.lock = threading.Lock()
        self.host_locks: dict[str, threading.Lock] = {}
        self.robots_locks: dict[str, threading.Lock] = {}
        self.last: dict[str, float] = {}
        self.robots: dict[str, tuple[str, Protego | None, bytes]] = {}

    def _host(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    def fetch(self, url: str, delay: float, headers: dict[str, str]) -> Page:
        """One GET, after `delay` seconds since the last request to the same host (requests to one host never
        overlap)."""
        host = self._host(url)
        with self.lock:
            host_lock = self.host_locks.setdefault(host, threading.Lock())
        with host_lock:
            wait = self.last.get(host, float("-inf")) + delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)      # politeness: the crawl's delay between two requests to one site
            try:
                return self.options.get(url, timeout=self.options.timeout, headers=headers)
            finally:
                self.last[host] = time.monotonic()

    def robots_for(self, url: str, delay: float, headers: dict[str, str]) -> tuple[str, Protego | None, bytes]:
        """(what robots.txt said, its parser or None, its body) for the host of `url`, fetched once per host."""
        host = self._host(url)
        with self.lock:
            robots_lock = self.robots_locks.setdefault(host, threading.Lock())
        with robots_lock:      # one fetch per host, however many sources share it
            if host not in self.robots:
                try:
                    page = self.fetch(urljoin(host, "/robots.txt"), delay, headers)
                    self.robots[host] = ("allowed", Protego.parse(page.body.decode("utf-8", "replace")), page.body)
                except FetchError as exc:
                    # As the crawl does: a missing or refused robots.txt means no rules, an unreachable one too.
                    self.robots[host] = ("no robots.txt" if 400 <= exc.status < 500 else "unreadable", None, b"")
            return self.robots[host]

    def allowed(self, url: str, delay: float, headers: dict[str, str]) -> str:
        """The robots verdict for `url`: allowed, disallowed, no robots.txt or unreadable."""
        state, parser, _ = self.robots_for(url, delay, headers)
        if parser is not None and not parser.can_fetch(url, USER_AGENT):
            return "disallowed"
        return state


def probe_sources(sources: list[Source], options: ProbeOptions) -> list[RouteReport]:
    """Probe every route of `sources` (in the file's order); hosts side by side, each host politely."""
    hosts = _Hosts(options)
    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        per_source = list(pool.map(lambda source: _probe_source(source, hosts, options), sources))
    return [report for reports in per_source for report in reports]


def _probe_source(source: Source, hosts: _Hosts, options: ProbeOptions) -> list[RouteReport]:
    reports = []
    for kind, url in source.routes():
        if kind == "robots":
            reports += _robots_routes(source, url, hosts, options)
        elif kind == "listing":
            listing = next(item for item in source.listing if item.url == url)
            reports.append(_probe(source, kind, url, hosts, options, listing=listing))
        else:
            reports.append(_probe(source, kind, url, hosts, options))
    return reports


def _delay(source: Source) -> float:
    return source.delay if source.delay is not None else DOWNLOAD_DELAY


def _robots_routes(source: Source, url: str, hosts: _Hosts, options: ProbeOptions) -> list[RouteReport]:
    """`sitemaps = "robots"`: each Sitemap: line of robots.txt is a route of its own."""
    headers = source_headers(source)
    state, _, body = hosts.robots_for(url, _delay(source), headers)
    found = robots_sitemaps(body, url)
    if not found:
        verdict = "empty" if state == "allowed" else "broken"
        why = {"allowed": "robots.txt lists no Sitemap: lines", "no robots.txt": "the site has no robots.txt"}.get(
            state, "robots.txt could not be read")
        return [RouteReport(source.name, "robots", url, verdict, robots=state, reason=why,
                            checked=_checked(source))]
    return [_probe(source, "sitemap", sitemap, hosts, options) for sitemap in found]


def _checked(source: Source) -> str | None:
    return source.checked.isoformat() if source.checked else None


def _probe(source: Source, kind: str, url: str, hosts: _Hosts, options: ProbeOptions,
           listing: Listing | None = None) -> RouteReport:
    """Fetch and read one route."""
    report = RouteReport(source.name, kind, url, "broken", checked=_checked(source))
    delay, headers = _delay(source), source_headers(source)
    report.robots = hosts.allowed(url, delay, headers)
    if report.robots == "disallowed":
        report.verdict, report.reason = "disallowed", "robots.txt forbids crosswire this URL: not fetched"
        return report
    page = _get(report, url, hosts, delay, headers)
    if page is None:
        return report
    if kind == "feed":
        _read_feed(report, page)
    elif kind == "listing" and listing is not None:
        _read_listing(report, page, listing)
    elif _read_sitemap(report, page, source, hosts, options):
        return report     # an index whose newest page could not be read: that page's verdict stands
    _judge(report, options)
    return report


def _get(report: RouteReport, url: str, hosts: _Hosts, delay: float, headers: dict[str, str]) -> Page | None:
    """The page, or None with the report's verdict, status and reason set."""
    try:
        page = hosts.fetch(url, delay, headers)
    except FetchError as exc:
        report.status = exc.status or None
        refused = exc.status in REFUSALS or exc.kind == "closed"
        # The message names the URL, which the report shows already.
        why = str(exc).replace(f" fetching {url}", "").replace(f"cannot fetch {url}: ", "")
        report.verdict, report.reason = ("blocked" if refused else "broken"), why
        return None
    report.status = page.status
    if len(page.body) > MAX_BYTES:
        report.reason = f"over {MAX_BYTES // 1024 // 1024} MB"
        return None
    return page


def _read_feed(report: RouteReport, page: Page) -> None:
    parsed = parse_feed(page.body, page.url, page.content_type)
    report.format = parsed.version or parsed.kind
    if parsed.kind == "unknown" and not parsed.entries:
        report.reason = parsed.problem
        return
    if parsed.problem and not parsed.entries:
        report.reason = parsed.problem      # a feed broken before its first entry: broken, not empty
        return
    _entries(report, [(e.published or e.updated, e.title, e.summary) for e in parsed.entries])


def _read_listing(report: RouteReport, page: Page, listing: Listing) -> None:
    parsed = parse_listing(page.body, page.url, listing)
    report.format = "listing"
    if parsed.problem:
        report.reason = f"the listing's selectors matched nothing ({listing.links})"
        return
    _entries(report, [(e.published, e.title, e.summary) for e in parsed.entries])


def _read_sitemap(report: RouteReport, page: Page, source: Source, hosts: _Hosts, options: ProbeOptions) -> bool:
    """A sitemap, or an index and its newest page; True when that page's failure is the route's verdict."""
    parsed = parse_sitemap(page.body)
    if parsed.kind == "":
        report.reason = parsed.problem
        return False
    if parsed.kind == "urlset":
        report.format, report.kind = "urlset", "news-sitemap" if parsed.news else "sitemap"
        _entries(report, [(e.date, e.title, None) for e in parsed.entries])
        return False
    report.format = f"index of {len(parsed.entries)}"
    child = _newest_child(parsed.entries)
    if child is None:
        report.entries = 0
        return False
    newest = _probe(source, "sitemap", child.loc, hosts, options)
    if newest.entries is None:
        report.verdict, report.reason = newest.verdict, f"its newest sitemap {child.loc}: {newest.reason}"
        return True
    report.kind, report.entries, report.carries, report.newest = (newest.kind, newest.entries, newest.carries,
                                                                  newest.newest)
    return False


def _newest_child(children: list[SitemapEntry]) -> SitemapEntry | None:
    """The child the crawl reads first: the first page of a paged index, else the newest by lastmod (one
    without a lastmod first, as it may hold anything)."""
    if not children or offset_pages(children):
        return children[0] if children else None
    return sorted(children, key=lambda c: c.lastmod.timestamp() if c.lastmod else float("inf"), reverse=True)[0]


def _entries(report: RouteReport, entries: list[tuple[datetime | None, str | None, str | None]]) -> None:
    """Count, newest date and what the entries carry."""
    report.entries = len(entries)
    dates = [d for d, _, _ in entries if d is not None]
    report.newest = max(dates).isoformat() if dates else None
    if entries:
        ledes = sum(1 for _, _, summary in entries if summary)
        titles = sum(1 for _, title, _ in entries if title)
        report.carries = ("lede" if ledes * 2 >= len(entries) else
                          "headline" if titles * 2 >= len(entries) else "link")


def _judge(report: RouteReport, options: ProbeOptions) -> None:
    """The verdict of a route that answered: broken unless it was read; empty, stale or ok by its entries."""
    if report.entries is None:
        report.verdict = "broken"
        return
    if report.newest is not None:
        age = options.now - datetime.fromisoformat(report.newest)
        report.age_hours = round(age.total_seconds() / 3600, 1)
    if report.entries == 0:
        report.verdict, report.reason = "empty", report.reason or "no entries"
    elif report.age_hours is not None and report.age_hours > options.stale_after.total_seconds() / 3600:
        report.verdict = "stale"
        limit = _age(options.stale_after.total_seconds() / 3600)
        report.reason = f"newest entry {_age(report.age_hours)} old (stale after {limit})"
    else:
        report.verdict, report.reason = "ok", None


def _age(hours: float) -> str:
    """'45m', '5h', '3d' — how old, for people."""
    if hours < 1:
        return f"{max(0, round(hours * 60))}m"
    return f"{round(hours)}h" if hours < 48 else f"{round(hours / 24)}d"


def age_text(hours: float | None) -> str:
    """An entry's age for the table: '5h', '3d', or '-'."""
    return "-" if hours is None else _age(hours)


def record_reports(db: sqlite_utils.Database, sources: list[Source], reports: list[RouteReport], now: datetime) -> None:
    """`--update`: each probed route's health in the archive (its sources registered as a crawl registers them);
    what a route works with (validators, schedule) stays the crawl's."""
    by_name = {source.name: source for source in sources}
    with writing(db):
        for name in dict.fromkeys(r.source for r in reports):
            sync_source(db, by_name[name])
        for r in reports:
            if r.kind == "robots":
                continue      # robots.txt itself is no route of the archive
            registered = {"feed": "feed", "listing": "listing"}.get(r.kind, "sitemap")   # as the crawl registers it
            read_as = next((k for k in ("rss", "atom", "json") if (r.format or "").startswith(k)), None) \
                if r.kind == "feed" else r.kind
            feed_id = ensure_feed(db, r.url, r.source, kind=registered)
            record_probe(db, feed_id, ok=r.verdict in WORKS, status=r.status, entries=r.entries, kind=read_as,
                         reason=f"probe: {r.verdict}: {r.reason}" if r.verdict not in WORKS else None, now=iso(now))
