"""Listing pages → article entries: headlines, ledes and dates read with a source's CSS selectors. Pure.

A listing is a page of teasers (a category page, an archive page) for outlets without feeds. `links`
selects the article links; when `item` is given, each item element yields one link and the headline, lede
and date selectors are read inside it, otherwise they are read page-wide and paired with the links in
order. `next` selects the link to the following (older) page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urldefrag

from parsel import Selector

from crosswire.core.article import FeedEntry
from crosswire.extraction.cleaning import clean_text, parse_date
from crosswire.core.sources import Listing, is_http_url


@dataclass
class ParsedListing:
    """What one listing page held: its entries, the next page, and a problem if the selectors failed."""

    entries: list[FeedEntry] = field(default_factory=list)
    next_url: str | None = None
    problem: str | None = None


def _href(sel: Selector) -> str | None:
    """The link target of an <a> (or of the first <a> inside the selected element)."""
    href = sel.attrib.get("href") if sel.root.tag == "a" else None
    return href or sel.css("a::attr(href)").get()


def _text(sel: Selector | None) -> str | None:
    if sel is None:
        return None
    return clean_text(" ".join(t.strip() for t in sel.css("::text").getall() if t.strip()))


def _date(sel: Selector | None) -> object:
    if sel is None:
        return None
    # <time datetime="..."> and <meta content="..."> carry a machine date; fall back to the visible text.
    machine = sel.attrib.get("datetime") or sel.attrib.get("content") or sel.css("[datetime]::attr(datetime)").get()
    return parse_date(machine) or parse_date(_text(sel))


def _first(scope: Selector, css: str | None) -> Selector | None:
    if not css:
        return None
    found = scope.css(css)
    return found[0] if found else None


def _nth(page: Selector, css: str | None, index: int) -> Selector | None:
    if not css:
        return None
    found = page.css(css)
    return found[index] if index < len(found) else None


def parse_listing(html: str | bytes, url: str, listing: Listing) -> ParsedListing:
    """The article entries and the next-page URL of one listing page."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    page = Selector(text=text or "<html></html>", base_url=url)
    result = ParsedListing()
    seen: set[str] = set()
    if listing.item:
        pairs = [(_first(item, listing.links), item) for item in page.css(listing.item)]
    else:
        pairs = [(link, None) for link in page.css(listing.links)]
    for index, (link, item) in enumerate(pairs):
        href = _href(link) if link is not None else None
        if not href:
            continue
        target = urldefrag(urljoin(url, href.strip()))[0]
        if not is_http_url(target) or target in seen:
            continue
        seen.add(target)
        if item is not None:
            headline, lede, date = (_first(item, listing.headline), _first(item, listing.lede),
                                    _first(item, listing.date))
        else:
            headline, lede, date = (_nth(page, listing.headline, index), _nth(page, listing.lede, index),
                                    _nth(page, listing.date, index))
        result.entries.append(FeedEntry(
            url=target, title=_text(headline) or _text(link), summary=_text(lede), published=_date(date),
        ))
    if not result.entries:
        result.problem = "selectors matched nothing"
    if listing.next:
        nxt = page.css(listing.next)
        href = _href(nxt[0]) if nxt else None
        if href:
            target = urldefrag(urljoin(url, href.strip()))[0]
            result.next_url = target if is_http_url(target) else None
    return result
