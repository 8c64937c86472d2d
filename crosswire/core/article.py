"""The Article: what extraction produces and storage keeps."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Article:
    """One extracted news article. Dates are timezone-aware UTC or None; missing fields are None/empty."""

    url: str                              # the URL the page was fetched from (final URL after redirects)
    canonical_url: str | None = None      # rel=canonical / og:url when present
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    language: str | None = None           # ISO 639-1 code, e.g. "en", "ar", "ru"
    lede: str | None = None               # standfirst / description, or the first paragraph
    text: str = ""                        # body text, paragraphs separated by a blank line
    image: str | None = None              # top image URL
    section: str | None = None
    keywords: list[str] = field(default_factory=list)
    site_name: str | None = None
    agencies: list[str] = field(default_factory=list)   # news agencies credited (AFP, dpa…), apart from people
    # Where each field came from, field -> source: the page's "json-ld", "og" (OpenGraph), "twitter", "meta",
    # "link", "html-lang", "title-tag", "h1" (the visible heading), "byline", "microdata", "time", "url",
    # "standfirst", "body", "signature" (a name signing the end of the text), "streamed" (article HTML a
    # script-rendered page carries as data); "htmldate", "trafilatura", "trafilatura-fallback", "guess";
    # "feed" (the feed entry, when the page said nothing); "rules" (the source's own selectors).
    provenance: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: dates as ISO 8601 strings."""
        return _to_dict(self, ("published", "modified"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        """The inverse of to_dict (unknown keys ignored)."""
        return _from_dict(cls, data, ("published", "modified"))

    @property
    def paragraphs(self) -> list[str]:
        """The body split into paragraphs."""
        return [p for p in self.text.split("\n\n") if p.strip()]


@dataclass
class FeedEntry:
    """What a feed (or sitemap, or listing page) said about one article before we fetched it."""

    url: str
    guid: str | None = None
    title: str | None = None
    summary: str | None = None            # plain text, tags stripped
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None     # UTC-aware
    updated: datetime | None = None       # UTC-aware
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: dates as ISO 8601 strings."""
        return _to_dict(self, ("published", "updated"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FeedEntry":
        """The inverse of to_dict (unknown keys ignored)."""
        return _from_dict(cls, data, ("published", "updated"))


def _to_dict(obj: Any, date_keys: tuple[str, ...]) -> dict[str, Any]:
    # Dicts cross process boundaries and become JSON, so dates travel as ISO 8601 strings. The fields are
    # strings, dates, lists of strings and a dict of strings: copying the containers one level deep is what
    # dataclasses.asdict does to them, without deep-copying every string and date on the way (a worker's
    # every page goes through here).
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        out[f.name] = list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value
    for key in date_keys:
        out[key] = out[key].isoformat() if out[key] else None
    return out


def _from_dict(cls: Any, data: dict[str, Any], date_keys: tuple[str, ...]) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    values = {k: v for k, v in data.items() if k in names}
    for key in date_keys:
        if values.get(key):
            values[key] = datetime.fromisoformat(values[key])
    return cls(**values)
