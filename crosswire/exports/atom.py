"""Atom 1.0 (RFC 4287) from export records."""

from __future__ import annotations

from typing import Any

from lxml import etree

from crosswire.core.times import rfc3339
from crosswire.exports.common import (
    GENERATOR,
    FeedInfo,
    content_html,
    entry_id,
    feed_updated,
    published_of,
    title_of,
    updated_of,
    xml_text,
)
from crosswire.identity.urls import web_url

ATOM_NS = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _sub(parent: etree._Element, tag: str, text: Any = None, **attrs: str) -> etree._Element:
    """Append an Atom child element with XML-safe text and attributes."""
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def write_atom(records: list[dict[str, Any]], info: FeedInfo) -> bytes:
    """An Atom feed document (UTF-8 bytes) with one entry per record."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    if info.language:
        feed.set(_XML_LANG, info.language)
    _sub(feed, "id", info.id)
    _sub(feed, "title", info.title)
    if info.description:
        _sub(feed, "subtitle", info.description)
    _sub(feed, "updated", rfc3339(feed_updated(records)))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=info.self_url)
    if web_url(info.home_url):
        _sub(feed, "link", rel="alternate", type="text/html", href=web_url(info.home_url))
    # A feed-level author satisfies RFC 4287 for entries whose article names nobody.
    _sub(_sub(feed, "author"), "name", GENERATOR)
    _sub(feed, "generator", GENERATOR)
    for record in records:
        entry = _sub(feed, "entry")
        if record.get("language"):
            entry.set(_XML_LANG, xml_text(record["language"]))
        _sub(entry, "id", entry_id(record))
        _sub(entry, "title", title_of(record))
        _sub(entry, "updated", rfc3339(updated_of(record)))
        published = published_of(record)
        if published:
            _sub(entry, "published", rfc3339(published))
        if web_url(record["url"]):
            _sub(entry, "link", rel="alternate", type="text/html", href=web_url(record["url"]))
        for name in record.get("authors") or []:
            _sub(_sub(entry, "author"), "name", name)
        if record.get("source"):
            _sub(entry, "category", term=record["source"], label=record["source"])
        if record.get("lede"):
            _sub(entry, "summary", record["lede"], type="text")
        _sub(entry, "content", content_html(record), type="html")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)
