"""RSS 2.0 from export records (with atom:link rel="self" and dc:creator, as validators recommend)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from crosswire.exports.common import (
    GENERATOR,
    FeedInfo,
    content_html,
    entry_id,
    feed_updated,
    published_of,
    rfc822,
    title_of,
    xml_text,
)
from crosswire.identity.urls import web_url

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"


def _sub(parent: etree._Element, tag: str, text: Any = None, **attrs: str) -> etree._Element:
    """Append a child element with XML-safe text and attributes."""
    element = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def write_rss(records: list[dict[str, Any]], info: FeedInfo) -> bytes:
    """An RSS 2.0 document (UTF-8 bytes) with one item per record."""
    rss = etree.Element("rss", version="2.0", nsmap={"atom": ATOM_NS, "dc": DC_NS})
    channel = _sub(rss, "channel")
    _sub(channel, "title", info.title)
    _sub(channel, "link", web_url(info.home_url) or info.self_url)
    _sub(channel, "description", info.description or info.title)
    if info.language:
        _sub(channel, "language", info.language)
    _sub(channel, "lastBuildDate", rfc822(feed_updated(records)))
    _sub(channel, "generator", GENERATOR)
    _sub(channel, f"{{{ATOM_NS}}}link", rel="self", type="application/rss+xml", href=info.self_url)
    for record in records:
        item = _sub(channel, "item")
        _sub(item, "title", title_of(record))
        link = web_url(record["url"])
        if link:
            _sub(item, "link", link)
        # The canonical URL is both the permalink and the stable id (only an http(s) URL is a permalink).
        _sub(item, "guid", entry_id(record), isPermaLink="true" if link else "false")
        published = published_of(record)
        if published:
            _sub(item, "pubDate", rfc822(published))
        for name in record.get("authors") or []:
            _sub(item, f"{{{DC_NS}}}creator", name)
        if record.get("source"):
            _sub(item, "category", record["source"])
        _sub(item, "description", content_html(record))
    return etree.tostring(rss, xml_declaration=True, encoding="utf-8", pretty_print=True)
