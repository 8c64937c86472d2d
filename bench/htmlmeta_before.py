"""FROZEN COPY of crosswire/htmlmeta.py before the headline/date/byline work (commit 37c0293), for bench/extraction_before.py only.

Structured metadata a page declares about itself: <meta> tags, <link rel>, and JSON-LD.

These readers only collect raw strings from a parsed lxml tree; extraction.py decides precedence and
cleans values. One pass over <meta> and one over JSON-LD scripts keeps this cheap next to trafilatura.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

# schema.org types that describe the article itself (not the site, breadcrumb or publisher).
ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting",
    "liveblogposting", "socialmediaposting", "scholarlyarticle", "techarticle", "report",
    "webpage", "itempage",
}
_JSON_COMMENTS = re.compile(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(-->|//\s*\]\]>|\]\]>)\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class PageMeta:
    """Raw metadata found on a page, keyed the way the page named it."""

    meta: dict[str, list[str]] = field(default_factory=dict)   # lowercased name/property → contents
    links: dict[str, str] = field(default_factory=dict)        # rel → first href
    jsonld: list[dict[str, Any]] = field(default_factory=list) # article-like JSON-LD objects, best first
    html_lang: str | None = None
    title_tag: str | None = None

    def first(self, *keys: str) -> str | None:
        """The first non-empty content among meta `keys`, in the order given."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value and value.strip():
                    return value.strip()
        return None

    def all(self, *keys: str) -> list[str]:
        """Every non-empty content among meta `keys`."""
        return [v.strip() for key in keys for v in self.meta.get(key, ()) if v and v.strip()]

    def ld(self, key: str) -> Any:
        """The first value of `key` among the article JSON-LD objects."""
        for obj in self.jsonld:
            value = obj.get(key)
            if value not in (None, "", [], {}):
                return value
        return None


def read_page_meta(tree: HtmlElement) -> PageMeta:
    """Collect <meta>, <link rel>, <html lang>, <title> and article JSON-LD from a parsed page."""
    page = PageMeta()
    root = tree.getroottree().getroot()
    page.html_lang = (root.get("lang") or root.get("xml:lang") or "").strip() or None
    for el in tree.iter("meta", "link", "title", "script"):
        tag = el.tag
        if tag == "meta":
            content = el.get("content")
            if content is None:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = el.get(attr)
                if key:
                    page.meta.setdefault(key.strip().lower(), []).append(content)
        elif tag == "link":
            href = el.get("href")
            for rel in (el.get("rel") or "").lower().split():
                if href and rel not in page.links:
                    page.links[rel] = href.strip()
        elif tag == "title":
            if page.title_tag is None and el.text:
                page.title_tag = el.text.strip()
        elif (el.get("type") or "").strip().lower() == "application/ld+json" and el.text:
            page.jsonld.extend(_article_objects(_load_json(el.text)))
    page.jsonld.sort(key=_rank)
    return page


def _load_json(text: str) -> Any:
    text = _CONTROL.sub(" ", _JSON_COMMENTS.sub("", text.strip()))
    try:
        return json.loads(text)
    except ValueError:
        # Some CMSes emit two objects back to back or a trailing semicolon: keep the first.
        try:
            return json.JSONDecoder().raw_decode(text)[0]
        except ValueError:
            return None


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower().rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _article_objects(data: Any) -> list[dict[str, Any]]:
    """Every object of an article type, looking through lists, @graph and mainEntity."""
    found: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if _types(item) & ARTICLE_TYPES:
                found.append(item)
            for key in ("@graph", "mainEntity", "itemListElement"):
                if key in item:
                    stack.append(item[key])
    return found


def _rank(obj: dict[str, Any]) -> int:
    # A NewsArticle beats the WebPage wrapping it, which still beats nothing.
    kinds = _types(obj)
    if kinds & {"webpage", "itempage"} and not kinds - {"webpage", "itempage"}:
        return 1
    return 0
