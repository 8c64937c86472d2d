"""`crosswire sources add URL`: from an outlet's homepage, find its feeds and sitemaps and propose a source.

Feeds come from `<link rel="alternate">` on the homepage, then from the paths feed software usually serves
(/feed, /rss, /rss.xml, /atom.xml, /feed.json, /index.xml); each candidate is fetched and kept only if it
parses as a feed with entries. Sitemaps come from robots.txt `Sitemap:` lines (else /sitemap.xml). Paths
robots.txt forbids are not fetched. The parsing and the proposal are pure; fetching is one injectable function.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from protego import Protego

from crosswire.core.errors import CrosswireError
from crosswire.core.sources import is_http_url
from crosswire.crawlers.feeds import parse_feed
from crosswire.crawlers.fetch import USER_AGENT, FetchError, get
from crosswire.crawlers.sitemaps import parse_sitemap, robots_sitemaps

COMMON_FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.json", "/index.xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
              "application/rdf+xml", "text/xml", "application/xml")
MAX_BYTES = 5 * 1024 * 1024

# (status, content type, body); status 0 when the request failed outright.
Fetched = tuple[int, str, bytes]
Fetcher = Callable[[str], Fetched]


@dataclass
class Discovery:
    """What a homepage revealed about an outlet."""

    homepage: str
    title: str | None = None
    language: str | None = None
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    sitemaps_from_robots: bool = False


def http_fetch(url: str, timeout: float = 15.0) -> Fetched:
    """GET a URL (http(s) only, redirects too) with crosswire's User-Agent; (0, "", b"") when it cannot be
    reached, (status, content type, b"") for an HTTP error."""
    try:
        page = get(url, timeout=timeout, max_bytes=MAX_BYTES)
    except FetchError as exc:
        return exc.status, "", b""
    return page.status, page.content_type or "", page.body[:MAX_BYTES]


def feed_links(html: str | bytes, base: str) -> list[str]:
    """Absolute URLs of the feeds a page announces with <link rel="alternate" type="...feed type...">."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    page = Selector(text=text or "<html></html>")
    out: list[str] = []
    for link in page.css("link[href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            url = urljoin(base, link.attrib["href"].strip())
            if is_http_url(url) and url not in out:
                out.append(url)
    return out


def page_title(html: str | bytes) -> str | None:
    """The outlet's name as the homepage gives it: og:site_name, else <title>."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    page = Selector(text=text or "<html></html>")
    title = page.css('meta[property="og:site_name"]::attr(content)').get() or page.css("title::text").get()
    return " ".join(title.split()) if title and title.strip() else None


def page_language(html: str | bytes) -> str | None:
    """The two-letter language of <html lang="...">, if declared."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    lang = Selector(text=text or "<html></html>").css("html::attr(lang)").get()
    match = re.match(r"^([a-zA-Z]{2})\b", lang or "")
    return match.group(1).lower() if match else None


def slug(url: str) -> str:
    """A source name from a URL's host: "https://www.al-monitor.com/" → "al-monitor"."""
    host = (urlsplit(url).hostname or "source").lower()
    host = re.sub(r"^(www\d*|m|en|news)\.", "", host)
    parts = host.split(".")
    base = parts[0] if len(parts) > 1 and not host.replace(".", "").isdigit() else host
    return re.sub(r"[^a-z0-9]+", "-", base).strip("-") or "source"


def discover(url: str, fetch: Fetcher = http_fetch) -> Discovery:
    """Fetch a homepage and find the outlet's feeds and sitemaps."""
    if not is_http_url(url):
        raise CrosswireError(f"expected an http(s) URL, got {url!r}")
    status, _, body = fetch(url)
    if status != 200:
        raise CrosswireError(f"cannot read {url}: " + (f"HTTP {status}" if status else "unreachable"))
    found = Discovery(homepage=url, title=page_title(body), language=page_language(body))
    r_status, _, robots_body = fetch(urljoin(url, "/robots.txt"))
    robots = Protego.parse(robots_body.decode("utf-8", "replace")) if r_status == 200 else None

    def allowed(candidate: str) -> bool:
        return robots is None or robots.can_fetch(candidate, USER_AGENT)

    candidates = feed_links(body, url) + [urljoin(url, p) for p in COMMON_FEED_PATHS]
    for candidate in dict.fromkeys(candidates):
        if candidate in found.feeds or not allowed(candidate):
            continue
        c_status, c_type, c_body = fetch(candidate)
        if c_status == 200 and c_body:
            with warnings.catch_warnings():
                # feedparser's updated→published fallback warns from inside parse_feed; not ours to fix here.
                warnings.simplefilter("ignore", DeprecationWarning)
                parsed = parse_feed(c_body, candidate, c_type)
            if parsed.entries:
                found.feeds.append(candidate)
    if robots is not None:
        found.sitemaps = robots_sitemaps(robots_body, url)
        found.sitemaps_from_robots = bool(found.sitemaps)
    if not found.sitemaps:
        fallback = urljoin(url, "/sitemap.xml")
        s_status, _, s_body = fetch(fallback) if allowed(fallback) else (0, "", b"")
        if s_status == 200 and parse_sitemap(s_body).entries:
            found.sitemaps = [fallback]
    return found


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)   # a JSON string is a valid TOML basic string


def propose_source(found: Discovery, name: str | None = None) -> str:
    """A [[source]] TOML block for what was discovered, with comments where the user must decide."""
    host = urlsplit(found.homepage).hostname or ""
    if name is None and found.title and re.fullmatch(r"[\d.:]+", host):
        # An address says nothing about the outlet; its title does ("The Cedar Post" → "the-cedar-post").
        name = re.sub(r"[^a-z0-9]+", "-", found.title.lower()).strip("-") or None
    lines = ["[[source]]", f"name = {_toml(name or slug(found.homepage))}"]
    if found.title:
        lines.append(f"title = {_toml(found.title)}")
    lines.append(f"homepage = {_toml(found.homepage)}")
    lines.append("feeds = [" + ", ".join(_toml(f) for f in found.feeds) + "]")
    if found.sitemaps_from_robots:
        lines.append('sitemaps = "robots"' + "   # " + ", ".join(found.sitemaps))
    elif found.sitemaps:
        lines.append("sitemaps = [" + ", ".join(_toml(s) for s in found.sitemaps) + "]")
    if found.language:
        lines.append(f"language = {_toml(found.language)}")
    if not found.feeds and not found.sitemaps:
        lines += ["# No feed or sitemap found: describe a listing page, e.g.",
                  "# [[source.listing]]", f'# url = {_toml(found.homepage)}', '# links = "h2 a"', '# next = "a.next"']
    lines.append('# country = "XX"   tags = ["..."]   (fill in: see `crosswire sources list`)')
    return "\n".join(lines) + "\n"
