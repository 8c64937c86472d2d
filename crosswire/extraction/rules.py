"""Per-outlet extraction rules: a source's CSS selectors, applied before the generic extractor.

A source whose pages fool the generic extractor (the body in an odd container, a sidebar that wins, the
date only in a dateline) gets a `[source.rules]` table: `drop` removes elements first, then `title`,
`body`, `date` and `authors` are read with their selectors and win over what the generic extractor found.
When the generic extractor finds nothing at all, the rules alone make the Article. Pure functions.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from crosswire.core.article import Article
from crosswire.extraction.bylines import sort_byline
from crosswire.extraction.cleaning import clean_text, parse_date
from crosswire.extraction.pagedates import parse_dateline

LOGGER = logging.getLogger(__name__)

# Elements whose text is its own paragraph when a rule's body is read.
_BLOCKS = {"p", "h2", "h3", "h4", "li", "blockquote", "pre"}
_NEVER_TEXT = {"script", "style", "noscript", "template", "iframe", "svg", "form", "button"}


def _select(tree: HtmlElement, css: str) -> list[HtmlElement]:
    return [el for el in tree.cssselect(css) if isinstance(el.tag, str)]


def _text(el: HtmlElement) -> str:
    return clean_text(" ".join(el.itertext())) or ""


def _paragraphs(el: HtmlElement) -> list[str]:
    """The paragraphs inside a body element: its block children's texts, or its own text when it has none."""
    blocks = []
    for b in el.iterdescendants():
        if isinstance(b.tag, str) and b.tag in _BLOCKS:
            # An <li> holding a <p> is one paragraph, not two: skip blocks inside another block.
            outer = b.getparent()
            while outer is not None and outer is not el and outer.tag not in _BLOCKS:
                outer = outer.getparent()
            if outer is el or outer is None:
                blocks.append(b)
    texts = [_text(b) for b in blocks] if blocks else [_text(el)]
    return [t for t in texts if t]


def _date(el: HtmlElement) -> datetime | None:
    machine = el.get("datetime") or el.get("content")
    if not machine:
        inner = el.cssselect("[datetime]")
        machine = inner[0].get("datetime") if inner else None
    return parse_date(machine) or parse_dateline(_text(el))


def apply_rules(tree: HtmlElement, url: str, rules: dict[str, Any]) -> dict[str, Any]:
    """Remove the `drop` elements (and scripts, styles, forms: never text) from the page's tree, in place;
    return the fields the rules found (title, text, published, authors)."""
    for el in list(tree.iter(*_NEVER_TEXT)):
        el.drop_tree()   # never body text, and they would leak into a rule's paragraphs
    for css in rules.get("drop", ()):
        for el in _select(tree, css):
            el.drop_tree()
    found: dict[str, Any] = {}
    if rules.get("title"):
        hits = _select(tree, rules["title"])
        if hits and _text(hits[0]):
            found["title"] = _text(hits[0])
    if rules.get("body"):
        paragraphs = [p for el in _select(tree, rules["body"]) for p in _paragraphs(el)]
        if paragraphs:
            found["text"] = "\n\n".join(paragraphs)
    if rules.get("date"):
        for el in _select(tree, rules["date"]):
            when = _date(el)
            if when:
                found["published"] = when
                break
    if rules.get("authors"):
        byline = sort_byline([_text(el) for el in _select(tree, rules["authors"])])
        if byline.people or byline.agencies:
            found["authors"] = byline.people or byline.agencies
        if byline.agencies:
            found["agencies"] = byline.agencies
    found["declares_lede"] = bool(tree.cssselect('meta[name="description"], meta[property="og:description"]'))
    missing = [k for k, field in (("title", "title"), ("body", "text"), ("date", "published"), ("authors", "authors"))
               if rules.get(k) and field not in found]
    if missing:
        LOGGER.info("%s: rule selectors for %s matched nothing", url, ", ".join(missing))
    return found


def overlay(article: Article, found: dict[str, Any]) -> Article:
    """The Article with what the rules found put over what the generic extractor found, each such field's
    provenance "rules"."""
    if not article.provenance:
        article.provenance = {k: "feed" for k in ("title", "published", "language") if getattr(article, k)}
    for key, value in found.items():
        if key != "declares_lede":
            setattr(article, key, value)
            article.provenance[key] = "rules"
    if "text" in found and not found.get("declares_lede"):
        # Without a declared description the generic lede was the first paragraph of the wrong body.
        article.lede = found["text"].split("\n\n", 1)[0]
        article.provenance["lede"] = "rules"
    return article
