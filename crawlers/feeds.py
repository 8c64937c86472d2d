"""Feeds: reading them (pure) and polling them (the spider's feed callbacks).

Reading: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed 1.0/1.1 by its spec (feedparser has none).

Polling: a conditional GET with the validators of the last fetch; a 304 means nothing new; a feed's next
check follows its posting rate (crosswire.crawlers.schedule); a failure backs off and is recorded.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from crosswire.core.article import FeedEntry
from crosswire.core.times import iso
from crosswire.crawlers.entrypoints import header
from crosswire.crawlers.failures import classify, failure_exception
from crosswire.crawlers.schedule import after_success, failure_decision
from crosswire.storage.feeds import (
    feed_published_times,
    feed_state,
    record_feed_failure,
    record_feed_success,
)

# feedparser names versions like "rss20", "rss10", "rss091u", "atom10"; we keep the family.
KINDS = {"rss": "rss", "atom": "atom", "cdf": "rss"}


@dataclass
class ParsedFeed:
    """A parsed feed: its kind, title, entries, and the parser's complaint if the feed was malformed."""

    kind: str                         # rss | atom | json | unknown
    title: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    problem: str | None = None        # None when the feed parsed cleanly
    version: str | None = None        # e.g. rss20, atom10, json11
    ttl_minutes: int | None = None    # RSS <ttl>, a hint for polling
    bad_items: list[tuple[str, str]] = field(default_factory=list)   # (which item, why) of items left out
    cut: int = 0                      # entries past MAX_FEED_ENTRIES, not read


def strip_html(text: str | None) -> str | None:
    """Plain text of an HTML fragment, whitespace collapsed."""
    if not text:
        return None
    if "<" not in text and "&" not in text:
        return " ".join(text.split()) or None
    # why here: beautifulsoup4 is ~0.1 s of imports, paid by a crawl only once an entry carries markup (a feed
    # answering 304, or one of plain-text entries, never does)
    from bs4 import BeautifulSoup

    plain = BeautifulSoup(text, "lxml").get_text(" ")
    return " ".join(plain.split()) or None


# WordPress ends a feed's excerpt with "[…]" and, on many sites, a paragraph linking the post and the site.
_APPEARED_FIRST = re.compile(r"<p>\s*The post <a\b[^>]*>.*?</a>\s+appeared first on\s+<a\b[^>]*>.*?</a>\.?\s*</p>\s*$",
                             re.DOTALL | re.IGNORECASE)
_MORE_MARK = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\))\s*$")
_SENTENCE_END = ".!?…»\"'”’)"


def excerpt(html: str | None) -> str | None:
    """A feed item's summary as plain text, without blog software's trimmings: WordPress's closing "The post …
    appeared first on …" paragraph, and its "[…]" mark (kept as "…" when the excerpt stops mid-sentence)."""
    text = strip_html(_APPEARED_FIRST.sub("", html) if html else html)
    marked = _MORE_MARK.search(text) if text else None
    if marked:
        text = text[:marked.start()].rstrip()
        if text and text[-1] not in _SENTENCE_END:
            text += "…"
    return text or None


def _struct_to_dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return None


def _iso_to_dt(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def looks_like_json_feed(body: bytes) -> bool:
    """Whether the body is a JSON Feed document (by its version URL)."""
    head = body.lstrip()[:1]
    return head == b"{" and b"jsonfeed.org/version" in body[:4096]


def parse_json_feed(body: bytes, url: str, max_entries: int = 0) -> ParsedFeed:
    """Parse a JSON Feed (https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ParsedFeed(kind="json", problem=f"invalid JSON Feed: {exc}")
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        return ParsedFeed(kind="json", problem="invalid JSON Feed: no items list")
    version = str(doc.get("version", ""))
    entries, bad = [], []
    items = doc["items"][:max_entries] if max_entries else doc["items"]
    cut = len(doc["items"]) - len(items)
    for index, item in enumerate(items, 1):
        problem = _json_item_problem(item)
        if problem is not None:
            bad.append((f"item-{index}", f"JSON Feed item {index}: {problem}"))
            continue
        link = item.get("url") or item.get("external_url")
        if not link:
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        feed_language = doc.get("language") if isinstance(doc.get("language"), str) else None
        entries.append(FeedEntry(
            url=urljoin(url, link), guid=str(item.get("id")) if item.get("id") is not None else None,
            title=strip_html(item.get("title")),
            summary=strip_html(item.get("summary") or item.get("content_text") or item.get("content_html")),
            authors=[a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)],
            published=_iso_to_dt(item.get("date_published")), updated=_iso_to_dt(item.get("date_modified")),
            tags=[t for t in item.get("tags") or [] if isinstance(t, str)],
            image=item.get("image") or item.get("banner_image"),
            language=item.get("language") or feed_language,
        ))
    title = doc.get("title") if isinstance(doc.get("title"), str) else None
    return ParsedFeed(kind="json", title=title, entries=entries, bad_items=bad, cut=cut,
                      version="json" + version.rsplit("/", 1)[-1].replace(".", ""))


# JSON Feed 1.1's item fields and the JSON types the spec gives them (a string id may also come as a number).
_JSON_ITEM_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str, int), "url": (str,), "external_url": (str,), "title": (str,), "summary": (str,),
    "content_text": (str,), "content_html": (str,), "image": (str,), "banner_image": (str,),
    "date_published": (str,), "date_modified": (str,), "language": (str,), "tags": (list,),
    "authors": (list,), "author": (dict,),
}


def _json_item_problem(item: Any) -> str | None:
    """Why a JSON Feed item cannot be read (a field of the wrong type), or None."""
    if not isinstance(item, dict):
        return f"expected an object, got {type(item).__name__}"
    for name, types in _JSON_ITEM_TYPES.items():
        value = item.get(name)
        if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
            return f'"{name}" is {_json_kind(value)}, expected {" or ".join(_json_kind(k()) for k in types)}'
    return None


def _json_kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "a boolean"}.get(type(value), type(value).__name__)


def _entry_from_feedparser(e: Any, base: str, language: str | None) -> FeedEntry | None:
    link = e.get("link")
    if not link:
        # Some feeds carry the article URL only as the guid.
        guid = e.get("id")
        link = guid if isinstance(guid, str) and guid.startswith(("http://", "https://")) else None
    if not link:
        return None
    authors = [a.get("name") for a in e.get("authors", []) if a.get("name")]
    if not authors and e.get("author"):
        authors = [e["author"]]
    image = None
    for media in e.get("media_content", []) + e.get("media_thumbnail", []):
        if media.get("url"):
            image = media["url"]
            break
    if not image:
        for enc in e.get("enclosures", []):
            if enc.get("type", "").startswith("image/") and enc.get("href"):
                image = enc["href"]
                break
    return FeedEntry(
        url=urljoin(base, link.strip()), guid=e.get("id"), title=strip_html(e.get("title")),
        summary=excerpt(e.get("summary")), authors=authors,
        # dict.get: feedparser's own .get maps a missing updated_parsed to published_parsed, with a warning;
        # an entry that never said it was updated must not look updated.
        published=_struct_to_dt(dict.get(e, "published_parsed")) or _struct_to_dt(dict.get(e, "updated_parsed")),
        updated=_struct_to_dt(dict.get(e, "updated_parsed")),
        tags=[t.get("term") for t in e.get("tags", []) if t.get("term")],
        image=image, language=language,
    )


# A feed longer than this is read to this many entries (in document order, which feeds keep newest first):
# feedparser holds every entry of a document in memory at once, ~3 KB apiece (a 100,000-entry feed: 300 MB).
MAX_FEED_ENTRIES = 5000
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")
_ROOT = re.compile(rb"<(?![?!])((?:[A-Za-z_][\w.-]*:)?(?:rss|RDF|feed))[\s>]")


def parse_feed(body: bytes, url: str, content_type: str | None = None,
               max_entries: int = MAX_FEED_ENTRIES) -> ParsedFeed:
    """Parse a feed body of any supported format; a malformed feed yields what could be parsed and a problem.
    Only the first `max_entries` entries are read (`ParsedFeed.cut` says how many were left)."""
    if looks_like_json_feed(body) or (content_type or "").split(";")[0].strip() in (
            "application/feed+json", "application/json"):
        return parse_json_feed(body, url, max_entries)
    body, cut = _first_entries(body, max_entries)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # why here: feedparser is ~50 ms of imports that a crawl whose feeds all answer 304 (most cron runs) never uses
    import feedparser

    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    version = parsed.get("version") or None
    kind = next((k for prefix, k in KINDS.items() if (version or "").startswith(prefix)), "unknown")
    language = parsed.feed.get("language")
    language = language.split("-")[0].lower() if isinstance(language, str) and language else None
    entries = [entry for e in parsed.entries if (entry := _entry_from_feedparser(e, url, language))]
    problem = None
    exc = parsed.get("bozo_exception")
    # A feed served as text/html or without a Content-Type parses fine; only a broken document is a problem.
    if parsed.get("bozo") and not isinstance(exc, feedparser.NonXMLContentType):
        problem = f"{type(exc).__name__}: {exc}" if exc else "malformed feed"
    if kind == "unknown" and not entries:
        problem = "not a feed" + (f" ({problem})" if problem else "")
    ttl = parsed.feed.get("ttl")
    return ParsedFeed(kind=kind, title=parsed.feed.get("title"), entries=entries, problem=problem,
                      version=version, ttl_minutes=int(ttl) if str(ttl or "").isdigit() else None, cut=cut)


def _first_entries(body: bytes, limit: int) -> tuple[bytes, int]:
    """The document cut after its `limit`-th item or entry and closed again, and how many entries it lost;
    the body itself when it is short enough (the usual case: one regex scan, no copy)."""
    ends = [m.end() for m in _ITEM_END.finditer(body)]
    root = _ROOT.search(body[:4096])
    if len(ends) <= limit or root is None:
        return body, 0
    name = root.group(1)
    closing = b"</channel></" + name + b">" if name.endswith(b"rss") else b"</" + name + b">"
    return body[:ends[limit - 1]] + closing, len(ends) - limit


class FeedMixin:
    """The spider's feed callbacks (mixed into crosswire.crawlers.spiders.news.NewsSpider)."""

    def feed_request(self, url: str, feed_id: int, source: str) -> scrapy.Request:
        """A conditional GET for a feed, using the validators from its last fetch."""
        state = feed_state(self.db, feed_id)
        if self.crawler.settings.getbool("CROSSWIRE_FULL_FETCH"):
            state = {}      # after an interrupted crawl: re-read every feed in full to pick up missed articles
        return scrapy.Request(
            url, headers=self.headers_for(source, self.conditional_headers(state)), callback=self.on_feed,
            errback=self.on_feed_failed,
            dont_filter=True, meta={"handle_httpstatus_list": [304], "feed_id": feed_id, "source": source,
                                    "kind": "feed"},
        )

    def on_feed(self, response: Response) -> Iterable[scrapy.Request]:
        """A fetched feed: schedule its next check, record its state, request its unknown entries."""
        feed_id, source = response.meta["feed_id"], response.meta["source"]
        self.stat("feeds_checked")
        now, cache_control = self.now, header(response, "Cache-Control")
        if response.status == 304:
            self.stat("feeds_not_modified")
            # Nothing new to learn the posting rate from: use what this feed brought before.
            decision = after_success(now, published=feed_published_times(self.db, feed_id),
                                     cache_control=cache_control, config=self.poll_config)
            record_feed_success(self.db, feed_id, status=304, next_check=iso(decision.next_check), now=iso(now))
            return
        parsed = parse_feed(response.body, response.url, header(response, "Content-Type") or "")
        decision = after_success(now, published=[e.published for e in parsed.entries] or
                                 feed_published_times(self.db, feed_id), ttl_minutes=parsed.ttl_minutes,
                                 cache_control=cache_control, config=self.poll_config)
        # The feed's new state is written once every entry it names is settled (see crawlers/context.py).
        self.context.hold(feed_id, {
            "status": response.status, "kind": parsed.kind, "entries": len(parsed.entries),
            "etag": header(response, "ETag"), "bozo": parsed.problem,
            "last_modified": header(response, "Last-Modified"), "next_check": iso(decision.next_check),
            "now": iso(now)})
        if parsed.problem:
            # A malformed feed still yields what could be parsed; the problem is kept against the feed, and
            # counts as an error only when nothing could be read.
            self.stat("feed_problems")
            self.note(source, response.url, "parse", parsed.problem, feed_id=feed_id, count=not parsed.entries)
        for where, problem in parsed.bad_items:
            self.note(source, f"{response.url}#{where}", "parse", problem, feed_id=feed_id)
        if parsed.cut:
            self.cut(source, response.url, f"feed lists {len(parsed.entries) + parsed.cut} entries; read the first "
                     f"{len(parsed.entries)}", feed_id=feed_id)
        entries = parsed.entries
        if len(entries) > self.limit(source, "max_articles"):
            # Newest first, so the per-crawl limit keeps the recent end of a long feed.
            entries = sorted(entries, key=lambda e: e.published.timestamp() if e.published else float("-inf"),
                             reverse=True)
        capped = yield from self.article_requests(entries, feed_id=feed_id, source=source)
        self.context.listed(feed_id, capped=capped)

    def on_feed_failed(self, failure: Any) -> None:
        """A feed that could not be fetched: back off (honouring Retry-After), record why."""
        request = failure.request
        kind, reason = classify(failure_exception(failure))
        self.stat("feeds_checked")
        self.stat("feeds_failed")
        self.context.feed_failures[(kind, reason)] += 1
        response = getattr(failure.value, "response", None)
        status = getattr(response, "status", None)
        now = self.now
        retry_after = header(response, "Retry-After") if status in (429, 503) else None
        decision, wait = failure_decision(feed_state(self.db, request.meta["feed_id"]), now, self.poll_config,
                                          self.rng, reason=reason, retry_after=retry_after)
        if wait is not None:
            reason = f"{reason}, Retry-After {wait:.0f}s"
        record_feed_failure(self.db, request.meta["feed_id"], reason=reason, status=status,
                            next_check=iso(decision.next_check), paused=decision.paused,
                            paused_reason=decision.reason, now=iso(now),
                            retry_after=iso(now + timedelta(seconds=wait)) if wait is not None else None)
        self.note(request.meta["source"], request.url, kind, reason, feed_id=request.meta["feed_id"])

    def on_article_failed(self, failure: Any) -> None:
        """An article page that could not be fetched: recorded; its entry point is read in full next time."""
        request = failure.request
        kind, reason = classify(failure_exception(failure))
        self.note(request.meta.get("source"), request.url, kind, reason, feed_id=request.meta.get("feed_id"))
        self.context.settle(request.meta["key"], ok=False)
