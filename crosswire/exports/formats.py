"""The feed formats crosswire writes, in one table: name, label, file suffix, media type and writer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from crosswire.exports.atom import write_atom
from crosswire.exports.common import FeedInfo
from crosswire.exports.jsonfeed import write_jsonfeed
from crosswire.exports.rss import write_rss


@dataclass(frozen=True)
class FeedFormat:
    """One feed format."""

    name: str                    # what --format and the code call it
    label: str                   # what a reader is shown
    suffix: str                  # file and URL suffix
    media_type: str
    write: Callable[[list[dict[str, Any]], FeedInfo], bytes]


FORMATS: dict[str, FeedFormat] = {f.name: f for f in (
    FeedFormat("atom", "Atom", ".atom", "application/atom+xml", write_atom),
    FeedFormat("rss", "RSS", ".rss", "application/rss+xml", write_rss),
    FeedFormat("jsonfeed", "JSON Feed", ".json", "application/feed+json", write_jsonfeed),
)}


def by_suffix(suffix: str) -> FeedFormat | None:
    """The format whose suffix is `suffix` (with or without its dot), or None."""
    wanted = "." + suffix.lstrip(".")
    return next((f for f in FORMATS.values() if f.suffix == wanted), None)
