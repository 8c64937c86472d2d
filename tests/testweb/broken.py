"""broken-outlet: a server that misbehaves in every way a crawl must survive.

Its feed /rss.xml is malformed (an unescaped '&', an unclosed <b>, and a truncated last item with no closing
tags), so feedparser reports bozo yet still yields the entries before and around the damage. Between the good
entries it lists one link per bad route:

    server-error   /news/server-error.html     500
    not-found      /news/removed.html          404 (an explicit route, not a typo)
    slow           /news/slow.html             answers after TestWeb.slow_seconds (read per request)
    pdf            /files/report.pdf           PDF bytes, Content-Type application/pdf
    binary-html    /news/garbled.html          random bytes labelled text/html
    huge           /news/huge.html             a valid article page padded past 3 MB
    refused        http://127.0.0.1:<closed port>/news/unreachable.html   connection refused

/hostile.xml lists the same bad links in a well-formed RSS 2.0 feed, for tests that want them without bozo.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING

from testweb import feeds, outlets, pages
from testweb.site import Request, Response, html_page, make_response, not_found

if TYPE_CHECKING:
    from testweb.server import Mounted, TestWeb

HUGE_BYTES = 3_200_000
FEED_DATE = datetime(2024, 3, 11, 12, 0, tzinfo=timezone.utc)

# kind -> (path, title announced in the feed)
BAD_ROUTES = {
    "server-error": ("/news/server-error.html", "Ministry statement on the border closure"),
    "not-found": ("/news/removed.html", "Correction: casualty figures revised"),
    "slow": ("/news/slow.html", "Live: crossing queues grow through the night"),
    "pdf": ("/files/report.pdf", "Full report: damage to water infrastructure (PDF)"),
    "binary-html": ("/news/garbled.html", "Photo gallery: the reopened market"),
    "huge": ("/news/huge.html", "Readers' stories: a year on the frontier"),
    "refused": ("/news/unreachable.html", "Mirror: our coverage on the partner site"),
}

PDF_BYTES = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def binary_bytes() -> bytes:
    """Deterministic random bytes (the same on every run) for the garbled 'HTML' page."""
    return random.Random(2024).randbytes(20_000)


# The huge page's comment thread: HUGE_OPEN, then HUGE_COMMENT with n = 0, 1, 2, ... until the comments pass
# HUGE_BYTES, then HUGE_CLOSE, all inserted before </body>. Module constants so tests/testweb/freeze.py can
# declare the same rule in the demo's manifest instead of shipping 3 MB.
HUGE_OPEN = '<section class="comments"><ol>\n'
HUGE_COMMENT = ("<li class=\"comment\"><span class=\"comment-author\">reader{n}</span><p>I crossed here every week "
                "for years and never saw the queues this long. Thank you for writing about it.</p></li>\n")
HUGE_CLOSE = "</ol></section>\n"


@lru_cache(maxsize=1)
def huge_page(base_html: str) -> bytes:
    """An article page with a comment thread long enough to pass HUGE_BYTES."""
    chunks, size, n = [], 0, 0
    while size < HUGE_BYTES:
        chunk = HUGE_COMMENT.format(n=n)
        chunks.append(chunk)
        size += len(chunk)
        n += 1
    thread = HUGE_OPEN + "".join(chunks) + HUGE_CLOSE
    return base_html.replace("</body>", thread + "</body>").encode("utf-8")


def bad_urls(web: "TestWeb", base_url: str) -> dict[str, str]:
    """Absolute URL of each bad route (the refused one on a port nothing listens on)."""
    urls = {kind: base_url + path for kind, (path, _) in BAD_ROUTES.items()}
    urls["refused"] = f"http://127.0.0.1:{web.refused_port}{BAD_ROUTES['refused'][0]}"
    return urls


def _items(outlet: outlets.Outlet, base_url: str, urls: dict[str, str]) -> tuple[list, list, feeds.FeedItem]:
    def item(article: outlets.ArticleData) -> feeds.FeedItem:
        url = base_url + article.path
        return feeds.FeedItem(link=url, title=article.title, guid=url, summary=article.lede,
                              published=article.published, authors=list(article.authors))
    good = [item(a) for a in outlet.articles[:2]]
    bad = [feeds.FeedItem(link=urls[kind], title=title, guid=urls[kind], summary=title,
                          published=FEED_DATE - timedelta(hours=i + 1))
           for i, (kind, (_, title)) in enumerate(BAD_ROUTES.items())]
    return good, bad, item(outlet.articles[2])


def malformed_feed(channel: feeds.FeedChannel, damaged: feeds.FeedItem) -> str:
    """RSS 2.0 text with one damaged item (raw '&', unclosed <b>) and a truncated item at the end."""
    text = feeds.rss20(channel)
    head = text[: text.index("  </channel>")]
    broken_item = (f"    <item>\n      <title>{damaged.title}</title>\n      <link>{escape(damaged.link)}</link>\n"
                   f"      <guid>{escape(damaged.guid)}</guid>\n"
                   f"      <description>{escape(damaged.summary)} <b>Read the full Q&A</description>\n"
                   f"      <pubDate>{feeds._rfc822(damaged.published)}</pubDate>\n    </item>\n")
    # The feed stops mid-item: no </title>, </item>, </channel> or </rss>, as when a server dies mid-write.
    return head + broken_item + "    <item>\n      <title>Developing: shelling reported near the"


def mount(web: "TestWeb", base_url: str) -> "Mounted":
    """The broken outlet's site: its three real articles plus every bad route and both feeds."""
    from testweb.server import Mounted

    outlet = outlets.load_outlet("broken-outlet")
    site = outlets.build_site(outlet, base_url)
    urls = bad_urls(web, base_url)
    good, bad, damaged = _items(outlet, base_url, urls)

    def channel(items: list[feeds.FeedItem], path: str) -> feeds.FeedChannel:
        return feeds.FeedChannel(title=outlet.title, link=site.url("/"), self_url=site.url(path),
                                 description=outlet.description, language=outlet.language, items=items)

    rss = malformed_feed(channel(good + bad, "/rss.xml"), damaged)
    site.add_static("/rss.xml", rss, "application/rss+xml; charset=utf-8", last_modified=FEED_DATE)
    hostile, hostile_type = feeds.render(channel(bad, "/hostile.xml"), "rss20")
    site.add_static("/hostile.xml", hostile, hostile_type, last_modified=FEED_DATE)

    def slow(request: Request) -> Response:
        web.release.wait(web.slow_seconds)   # returns at once when the web stops
        return html_page(pages.render_article(outlet, site, outlet.articles[0]))

    base_html = pages.render_article(outlet, site, outlet.articles[1])
    site.add(BAD_ROUTES["server-error"][0],
             lambda request: html_page("<h1>500 Internal Server Error</h1>", status=500))
    site.add(BAD_ROUTES["not-found"][0], not_found)
    site.add(BAD_ROUTES["slow"][0], slow, conditional=False)
    site.add_static(BAD_ROUTES["pdf"][0], PDF_BYTES, "application/pdf")
    site.add_static(BAD_ROUTES["binary-html"][0], binary_bytes(), "text/html")
    site.add(BAD_ROUTES["huge"][0],
             lambda request: make_response(huge_page(base_html), "text/html; charset=utf-8"))
    mounted = Mounted(site, outlets.ground_truth(outlet, site), [site.url("/rss.xml")],
                      outlet.language, outlet.country, list(outlet.tags))
    for row in mounted.articles:
        row["feed_links"] = [row["url"]]
    mounted.bad_urls = urls
    return mounted
