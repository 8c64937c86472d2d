"""The "archive" outlet: saved real news pages (../shared/data/extraction-dev) served as they were fetched.

Copy 1 of page <id> lives at /articles/<id>.html; with copies=k, copy n (2..k) lives at /c<n>/articles/<id>.html,
so a benchmark can crawl 400 pages made from 40; with count=n only the first n of those are served (141 is three
copies and 21 pages of a fourth). /feed.xml (RSS 2.0) lists every page served.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from testweb import feeds
from testweb.site import Request, Response, Site, make_response

if TYPE_CHECKING:
    from testweb.server import Mounted

# A fixed date so ETags, Last-Modified and feed dates never depend on when the tests run.
EPOCH = datetime(2019, 11, 20, 12, 0, tzinfo=timezone.utc)


def load_pages(folder: Path) -> tuple[dict[str, bytes], dict[str, dict[str, str]]]:
    """Every saved page's bytes by id, and ground-truth.json ({id: {"url", "articleBody"}})."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for page_id in sorted(truth):
        pages[page_id] = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
    return pages, truth


def copy_path(page_id: str, copy: int) -> str:
    """Where copy number `copy` (1-based) of a page is served."""
    return f"/articles/{page_id}.html" if copy == 1 else f"/c{copy}/articles/{page_id}.html"


def mount(folder: Path, copies: int, base_url: str, count: int | None = None) -> "Mounted":
    """Build the archive Site (`count` pages, else `copies` of each); its ground truth rows carry the page id,
    original URL and article body."""
    from testweb.server import Mounted

    if copies < 1 or (count is not None and count < 1):
        raise ValueError("real_pages_copies and real_pages_count must be at least 1")
    pages, truth = load_pages(Path(folder))
    if count is not None:
        copies = -(-count // len(pages))
    site = Site("archive", base_url)
    articles: list[dict[str, Any]] = []
    items = []
    for copy in range(1, copies + 1):
        for index, page_id in enumerate(pages):
            if count is not None and len(articles) == count:
                break
            path = copy_path(page_id, copy)
            response = make_response(pages[page_id], "text/html; charset=utf-8", last_modified=EPOCH)
            site.add(path, lambda request, response=response: response)
            published = EPOCH - timedelta(minutes=index + (copy - 1) * len(pages))
            url = site.url(path)
            articles.append({"url": url, "path": path, "id": page_id, "copy": copy,
                             "original_url": truth[page_id]["url"], "text": truth[page_id]["articleBody"]})
            items.append(feeds.FeedItem(link=url, title=f"Archived page {page_id[:12]} (copy {copy})",
                                        guid=url, published=published))
    channel = feeds.FeedChannel(title="Archive of saved real pages", link=site.url("/"),
                                self_url=site.url("/feed.xml"), description="Real news pages for benchmarks",
                                language="en", items=items)
    feed_body, feed_type = feeds.render(channel, "rss20")

    def feed(request: Request) -> Response:
        return make_response(feed_body, feed_type, last_modified=EPOCH)

    site.add("/feed.xml", feed)
    links = "".join(f'<li><a href="{copy_path(page_id, 1)}">{page_id}</a></li>' for page_id in pages)
    site.add_static("/", f"<!DOCTYPE html><html><head><title>Archive</title></head><body><ul>{links}</ul></body></html>",
                    "text/html; charset=utf-8", last_modified=EPOCH)
    return Mounted(site, articles, [site.url("/feed.xml")], "en", "", ["archive"])
