"""JSON Feed 1.1 from export records."""

from __future__ import annotations

from typing import Any

from crosswire.core.times import rfc3339
from crosswire.exports.common import (
    FeedInfo,
    content_html,
    entry_id,
    json_dumps,
    published_of,
    title_of,
    updated_of,
)
from crosswire.identity.urls import web_url

VERSION = "https://jsonfeed.org/version/1.1"


def jsonfeed_item(record: dict[str, Any]) -> dict[str, Any]:
    """One JSON Feed item; crosswire's own fields go in the `_crosswire` extension object."""
    item: dict[str, Any] = {"id": entry_id(record), "title": title_of(record), "content_html": content_html(record)}
    if web_url(record.get("url")):
        item["url"] = web_url(record["url"])
    if record.get("lede"):
        item["summary"] = record["lede"]
    published = published_of(record)
    if published:
        item["date_published"] = rfc3339(published)
    item["date_modified"] = rfc3339(updated_of(record))
    if record.get("authors"):
        item["authors"] = [{"name": name} for name in record["authors"]]
    if record.get("language"):
        item["language"] = record["language"]
    if web_url(record.get("image")):       # a javascript: or data: image never reaches a reader
        item["image"] = web_url(record["image"])
    if record.get("keywords"):
        item["tags"] = list(record["keywords"])
    item["_crosswire"] = {"id": record.get("id"), "source": record.get("source")}
    return item


def write_jsonfeed(records: list[dict[str, Any]], info: FeedInfo) -> bytes:
    """A JSON Feed 1.1 document (UTF-8 bytes)."""
    feed: dict[str, Any] = {"version": VERSION, "title": info.title, "feed_url": info.self_url}
    if web_url(info.home_url):
        feed["home_page_url"] = web_url(info.home_url)
    if info.description:
        feed["description"] = info.description
    if info.language:
        feed["language"] = info.language
    feed["items"] = [jsonfeed_item(r) for r in records]
    return (json_dumps(feed, indent=2) + "\n").encode("utf-8")
