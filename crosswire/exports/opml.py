"""OPML 2.0 import and export of the sources list (pure functions over text and Source objects).

Export writes one outline per feed (readers expect flat feed outlines), each carrying its outlet's homepage,
language, tags (as OPML categories) and crosswire name/country as namespaced attributes so a round trip
rebuilds the same sources. Import accepts any reader's OPML: nested folders become tags.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from crosswire.core.errors import SourcesError
from crosswire.core.sourcecheck import CREDENTIALS_REFUSED
from crosswire.core.sources import Source, is_http_url, parse_sources
from crosswire.identity.urls import has_credentials, redact

NS = "https://github.com/crosswire/opml"   # our attributes' namespace; only needs to be unique and stable
_NAME = f"{{{NS}}}name"
_COUNTRY = f"{{{NS}}}country"


def export_opml(sources: list[Source], title: str = "crosswire sources") -> bytes:
    """OPML 2.0 (UTF-8 bytes) listing every feed of every source; sources without feeds as links."""
    opml = etree.Element("opml", version="2.0", nsmap={"crosswire": NS})
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(opml, "body")
    for source in sources:
        attrs = {"text": source.display_name, "title": source.display_name, "htmlUrl": source.homepage}
        if source.language:
            attrs["language"] = source.language
        if source.tags:
            attrs["category"] = ",".join("/" + tag for tag in source.tags)
        extra = {_NAME: source.name, **({_COUNTRY: source.country} if source.country else {})}
        for url in source.feeds:
            etree.SubElement(body, "outline", {**attrs, "type": "rss", "xmlUrl": url, **extra})
        if not source.feeds:
            etree.SubElement(body, "outline", {**attrs, "type": "link", "url": source.homepage, **extra})
    return etree.tostring(opml, xml_declaration=True, encoding="utf-8", pretty_print=True)


@dataclass
class _Draft:
    """A source being assembled from one or more outlines."""

    name: str | None
    title: str | None
    homepage: str | None
    language: str | None = None
    country: str | None = None
    tags: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """A lowercase a-z0-9 slug with single hyphens ('' when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _site(url: str) -> str:
    """The scheme://host/ of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _outlines(body: etree._Element) -> list[tuple[etree._Element, list[str]]]:
    """Every leaf-ish outline (one with a feed or link URL) with the texts of the folders above it."""
    found = []

    def walk(element: etree._Element, folders: list[str]) -> None:
        for child in element:
            if not isinstance(child.tag, str) or child.tag != "outline":
                continue
            if child.get("xmlUrl") or child.get("type") == "link":
                found.append((child, folders))
            walk(child, folders + [child.get("text") or child.get("title") or ""]
                 if not child.get("xmlUrl") else folders)

    walk(body, [])
    return found


def import_opml(data: bytes, origin: str = "OPML") -> list[Source]:
    """The sources an OPML document describes: feeds grouped by outlet; invalid metadata is dropped."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SourcesError(f"{origin}: not valid OPML/XML: {exc}") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise SourcesError(f"{origin}: not an OPML document (no <opml><body>)")
    drafts: dict[str, _Draft] = {}
    for outline, folders in _outlines(body):
        feed = (outline.get("xmlUrl") or "").strip()
        for url in (feed, (outline.get("htmlUrl") or outline.get("url") or "").strip()):
            if has_credentials(url):
                raise SourcesError(f"{origin}: {redact(url)} {CREDENTIALS_REFUSED}; nothing was imported")
        if feed and not is_http_url(feed):
            continue  # file:, feed: or broken URLs cannot be crawled
        homepage = (outline.get("htmlUrl") or outline.get("url") or "").strip()
        if not is_http_url(homepage):
            homepage = _site(feed) if feed else ""
        if not homepage:
            continue
        title = (outline.get("title") or outline.get("text") or "").strip() or None
        key = outline.get(_NAME) or homepage
        draft = drafts.setdefault(key, _Draft(name=outline.get(_NAME), title=title, homepage=homepage,
                                              language=outline.get("language"), country=outline.get(_COUNTRY)))
        categories = [c.strip().strip("/").split("/")[-1] for c in (outline.get("category") or "").split(",")]
        for tag in [slug(t) for t in categories + folders if t.strip()]:
            if tag and tag not in draft.tags:
                draft.tags.append(tag)
        if feed and feed not in draft.feeds and not any(feed in d.feeds for d in drafts.values()):
            draft.feeds.append(feed)
    return _finish(list(drafts.values()), origin)


def _finish(drafts: list[_Draft], origin: str) -> list[Source]:
    """Validated Sources with unique names; metadata a source file would reject is left out, never fatal."""
    used: set[str] = set()
    sources = []
    for draft in drafts:
        base = slug(draft.name or "") or slug(draft.title or "") or slug(urlsplit(draft.homepage or "").hostname
                                                                          or "") or "source"
        name, n = base, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        full = {"name": name, "homepage": draft.homepage, "title": draft.title, "feeds": draft.feeds,
                "language": draft.language, "country": draft.country, "tags": draft.tags}
        for attempt in (full, {k: full[k] for k in ("name", "homepage", "title", "feeds")}):
            try:
                sources.append(parse_sources(sources_toml([attempt]), origin)[0])
                break
            except SourcesError:
                continue
        else:
            raise SourcesError(f"{origin}: outline for {redact(draft.homepage or '')} cannot become a source")
    return sources


def sources_toml(items: list[dict[str, object] | Source]) -> str:
    """`[[source]]` tables for a sources file (None and empty values left out)."""
    blocks = []
    for item in items:
        values = item.as_dict() if isinstance(item, Source) else item
        lines = ["[[source]]"]
        for key in ("name", "title", "homepage", "feeds", "language", "country", "tags"):
            value = values.get(key)
            if value in (None, "", [], ()):
                if key == "feeds":
                    lines.append("feeds = []")
                continue
            # JSON strings and arrays of strings are valid TOML basic strings and arrays.
            lines.append(f"{key} = {json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
