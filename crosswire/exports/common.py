"""What every feed writer shares: feed metadata, dates, XML-safe text, sanitized HTML, entry ids."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

import nh3

from crosswire.core.times import EPOCH, parse_iso
from crosswire.identity.urls import redact

# Characters XML 1.0 forbids (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF): a feed
# holding one is not well-formed and every reader rejects the whole document, so they are dropped; so are DEL
# and the C1 controls, which XML allows but which only ever drive a terminal (U+009B starts an escape sequence).
_XML_INVALID = re.compile("[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_C1 = re.compile("[\u007f-\u009f]")


def json_dumps(value: Any, **options: Any) -> str:
    """JSON with non-ASCII text kept and DEL and the C1 controls escaped (json.dumps escapes the C0 ones), so
    no export written as JSON carries a raw terminal control character; decoding gives back the same text."""
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False, **options))
GENERATOR = "crosswire"


@dataclass(frozen=True)
class FeedInfo:
    """A feed's own metadata."""

    title: str
    id: str                       # a stable IRI: the same feed keeps its id across exports
    self_url: str                 # where the feed itself is served (rel="self")
    home_url: str | None = None   # the web page the feed is about, if any
    description: str = ""
    language: str | None = None


def xml_text(value: Any) -> str:
    """`value` as text that can go into XML: None becomes '', forbidden characters are removed."""
    return _XML_INVALID.sub("", "" if value is None else str(value))


def published_of(record: dict[str, Any]) -> datetime | None:
    """When the article says it was published, else when we first saw it."""
    return parse_iso(record.get("published")) or parse_iso(record.get("first_seen"))


def updated_of(record: dict[str, Any]) -> datetime:
    """When the article last changed as far as we know (never None: feeds need it)."""
    return (parse_iso(record.get("modified")) or published_of(record)
            or EPOCH)


def feed_updated(records: list[dict[str, Any]]) -> datetime:
    """The feed's updated time: its newest entry's, so re-exporting unchanged content changes nothing."""
    if not records:
        return EPOCH
    return max(updated_of(r) for r in records)


def rfc822(when: datetime) -> str:
    """A datetime as RFC 822 (RFC 2822), as RSS 2.0 wants: 'Wed, 14 Jan 2026 08:00:00 GMT'."""
    return format_datetime(when.astimezone(timezone.utc), usegmt=True)


def entry_id(record: dict[str, Any]) -> str:
    """The entry's stable id: the article's canonical URL, which never changes once stored (credentials masked:
    a canonical URL never has them, but an archive written by an older crosswire might)."""
    return redact(str(record["url"]))


def content_html(record: dict[str, Any]) -> str:
    """The article body as sanitized HTML paragraphs (escaped plain text, then cleaned by nh3 as a backstop)."""
    paragraphs = [p.strip() for p in (record.get("text") or "").split("\n\n") if p.strip()]
    if not paragraphs and record.get("lede"):
        paragraphs = [record["lede"]]
    body = "".join(f"<p>{html.escape(xml_text(p)).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return nh3.clean(body)


def title_of(record: dict[str, Any]) -> str:
    """The entry title; feeds need one, so an untitled article falls back to its URL."""
    return xml_text(record.get("title")) or entry_id(record)
