"""Outlets shaped like the real formats the bundled sources use: each one is the twin of some real outlets' routes.

    euphrates-post   WordPress: RSS 2.0 at /feed/ and /?feed=rss2 (categories, "[…]" excerpts, content:encoded)
                     and a category listing in a magazine theme's markup, headline and lede per post like
                     ../shared/seed/ (The Duran; SANA, Syria Direct, North Press, Dabanga, Sudans Post, ...)
    caravan-wire     Arc XP: an "outboundfeeds" RSS feed and a Google News sitemap index paged with `&from=N`,
                     headlines and dates without ledes, world and business desks mixed (Reuters, The National)
    lantern-press    a Google News sitemap named in robots.txt, headlines only, language "eng", every desk (AP)
    steppe-agency    403 to a request without an Accept header; a full feed and a headlines-only feed (TASS, RIA)
    coastal-times    robots.txt disallows the feed path (The Times of Israel)
    sealed-gazette   403 to crawlers; a feed whose server closes the connection unanswered (Al Arabiya, ReliefWeb)

Articles come from content/<name>.toml. TWINS says which bundled source each outlet stands for, and by which
route; `source_toml(web, name)` gives the [[source]] block that reads it, the bundled configuration's own
listing selectors, include patterns and topics included, so a crawl of the twin proves the configuration.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Callable
from xml.sax.saxutils import escape as xml_escape

from crosswire.core.paths import bundled_sources_path
from crosswire.core.sources import Source, load_sources
from testweb import outlets as content
from testweb import pages
from testweb.outlets_discovery import DiscoverySite, DiscoveryState, _visible, _xml
from testweb.server import DropConnection, Mounted
from testweb.site import Request, Response, Site, html_page, make_response, not_found

if TYPE_CHECKING:
    from testweb.server import TestWeb

OUTLETS = ("euphrates-post", "caravan-wire", "lantern-press", "steppe-agency", "coastal-times", "sealed-gazette")
LISTING_PATH = "/category/news/"         # euphrates-post's category listing
PER_PAGE = 3                             # posts per listing page, entries per Arc sitemap page
ARC_INDEX = "/arc/outboundfeeds/news-sitemap-index/"
ARC_PAGE = "/arc/outboundfeeds/news-sitemap/"
ARC_RSS = "/arc/outboundfeeds/rss/"
ARC_SPORT = "/arc/outboundfeeds/rss/category/sport/"


def _site(outlet: content.Outlet, base_url: str, handle: Callable[[DiscoverySite, Request], Response] | None = None
          ) -> DiscoverySite:
    """The outlet's plain routes on a DiscoverySite (prefix routes, hide/reveal state); `handle` may answer a
    request before the routes do (return None from it to let them)."""
    plain = content.build_site(outlet, base_url)
    site = _Gated(outlet.name, base_url) if handle else DiscoverySite(outlet.name, base_url)
    site.routes.update({k: v for k, v in plain.routes.items() if k != "/robots.txt"})
    site.state, site.prefixes, site.language = DiscoveryState(), {}, outlet.language
    if handle:
        site.gate = handle
    return site


class _Gated(DiscoverySite):
    """A site whose gate sees every request first (a bot filter, a dropped connection)."""

    gate: Callable[[DiscoverySite, Request], Response | None]

    def handle(self, request: Request) -> Response:
        """The gate's answer if it has one, else the routes'."""
        return self.gate(self, request) or super().handle(request)


# --- euphrates-post: WordPress feed and a magazine theme's category listing ------------------------------------

def listing_page(outlet: content.Outlet, site: Site, articles: list[content.ArticleData], page: int) -> str | None:
    """A category page in a magazine theme's markup: per post an <article> with the title in h3.entry-title, a
    byline and <time> in the header, the excerpt in .entry-summary; "Next page" in the theme's pagination."""
    chunk = articles[(page - 1) * PER_PAGE: page * PER_PAGE]
    if not chunk:
        return None
    posts = []
    for a in chunk:
        url = escape(site.url(a.path))
        posts.append(
            f'<article class="entry-tpl-listxxl post type-post status-publish category-news">'
            f'<div class="entry-featured-media"><a class="g1-frame" href="{url}"><img '
            f'src="/uploads/{a.path.strip("/").replace("/", "-")}.jpg" alt=""></a></div>'
            f'<div class="entry-body"><header class="entry-header">'
            f'<div class="entry-before-title"><span class="entry-categories"><a class="entry-category" '
            f'href="{LISTING_PATH}">News</a></span></div>'
            f'<h3 class="g1-gamma g1-gamma-1st entry-title"><a href="{url}" rel="bookmark">{escape(a.title)}</a></h3>'
            f'<p class="g1-meta entry-meta"><span class="entry-byline">by <a class="entry-author" href="/author/'
            f'{a.authors[0].split()[0].lower()}/">{escape(a.authors[0])}</a></span> <time class="entry-date" '
            f'datetime="{a.published.isoformat()}">{a.published:%B %d, %Y}</time></p></header>'
            f'<div class="entry-summary"><p>{escape(a.lede)}</p></div></div></article>')
    older = page * PER_PAGE < len(articles)
    nav = ('<nav class="g1-pagination"><div class="g1-pagination-inner">'
           + (f'<div class="g1-pagination-item g1-pagination-item-prev"><a class="g1-link prev" href="'
              f'{LISTING_PATH}{"" if page == 2 else f"page/{page - 1}/"}">Previous page</a></div>' if page > 1 else "")
           + (f'<div class="g1-pagination-item g1-pagination-item-next"><a class="g1-link g1-link-right next" '
              f'href="{LISTING_PATH}page/{page + 1}/">Next page</a></div>' if older else "")
           + "</div></nav>")
    body = (f'<div class="g1-header"><a class="g1-logo" href="/">{escape(outlet.title)}</a>'
            f'<ul class="g1-primary-nav-menu"><li><a href="{LISTING_PATH}">News</a></li>'
            f'<li><a href="/category/analysis/">Analysis</a></li></ul></div>\n'
            f'<div class="g1-row"><h1 class="g1-alpha page-title archive-title">News</h1>\n'
            f'<div class="g1-collection-items">\n' + "\n".join(posts) + f"\n</div>\n{nav}</div>\n"
            f'<aside class="g1-sidebar"><section class="widget"><h2 class="widgettitle">Newsletter</h2>'
            f'<p>Our best commentary, once a week.</p></section></aside>')
    return pages._document(outlet, f"News Archives - {outlet.title}", "", body)


def _euphrates(outlet: content.Outlet, site: DiscoverySite) -> None:
    main_feed = site.routes["/feed/"].handler
    home = site.routes["/"].handler
    # WordPress answers /?feed=rss2 with the same feed as /feed/ (SANA's feed address is of that kind).
    site.add("/", lambda r: main_feed(r) if r.query == "feed=rss2" else home(r))

    def category(request: Request) -> Response:
        rest = request.path[len(LISTING_PATH):].strip("/")
        page = 1
        if rest:
            parts = rest.split("/")
            if len(parts) != 2 or parts[0] != "page" or not parts[1].isdigit():
                return not_found(request)
            page = int(parts[1])
        news = [a for a in _visible(outlet, site.state) if a.section == "news"]
        text = listing_page(outlet, site, news, page)
        return html_page(text) if text else not_found(request)

    site.prefixes[LISTING_PATH] = category


# --- caravan-wire: Arc XP outbound feeds ---------------------------------------------------------------------

def _arc(request: Request) -> dict[str, str] | None:
    """The query of an outboundfeeds request, or None without outputType=xml (Arc answers nothing then)."""
    query = dict(part.split("=", 1) for part in request.query.split("&") if "=" in part)
    return query if query.get("outputType") == "xml" else None


def arc_rss(outlet: content.Outlet, site: Site, articles: list[content.ArticleData]) -> str:
    """Arc's outbound RSS: one line, CDATA titles, dc:creator, media:content with a caption, ttl 1."""
    items = "".join(
        f"<item><title><![CDATA[{a.title}]]></title><link>{xml_escape(site.url(a.path))}</link>"
        f"<dc:creator><![CDATA[{a.authors[0]}]]></dc:creator><description><![CDATA[{a.lede}]]></description>"
        f"<pubDate>{a.published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
        f'<guid isPermaLink="true">{xml_escape(site.url(a.path))}</guid>'
        f'<media:content url="{xml_escape(site.url("/resizer/" + a.path.strip("/").rsplit("/", 1)[-1] + ".jpg"))}" '
        f'type="image/jpeg" height="1005" width="1920"><media:description type="plain"><![CDATA[A file photo.]]>'
        f'</media:description></media:content></item>' for a in articles)
    newest = max((a.published for a in articles), default=None)
    built = f"<lastBuildDate>{newest:%a, %d %b %Y %H:%M:%S} +0000</lastBuildDate>" if newest else ""
    return ('<?xml version="1.0" encoding="UTF-8"?><rss xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:media="http://search.yahoo.com/mrss/" '
            f'version="2.0"><channel><title><![CDATA[{outlet.title}]]></title><link>{site.url("/")}</link>'
            f'<atom:link href="{xml_escape(site.url(ARC_RSS + "?outputType=xml"))}" rel="self" '
            f'type="application/rss+xml"/><description><![CDATA[{outlet.title} News Feed]]></description>{built}'
            f"<language>en</language><ttl>1</ttl><sy:updatePeriod>hourly</sy:updatePeriod>"
            f"<sy:updateFrequency>1</sy:updateFrequency>{items}</channel></rss>")


def news_urlset(site: Site, articles: list[content.ArticleData], publication: str, language: str) -> str:
    """A Google News sitemap: per article its URL and news:publication_date and news:title, nothing more."""
    rows = "".join(
        f"<url><loc>{xml_escape(site.url(a.path))}</loc><news:news><news:publication><news:name>"
        f"{xml_escape(publication)}</news:name><news:language>{language}</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat().replace('+00:00', 'Z')}</news:publication_date>"
        f"<news:title><![CDATA[{a.title}]]></news:title></news:news></url>" for a in articles)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{rows}</urlset>')


def _caravan(outlet: content.Outlet, site: DiscoverySite) -> None:
    site.sitemaps.append(ARC_INDEX + "?outputType=xml")

    def index(request: Request) -> Response:
        if _arc(request) is None:
            return not_found(request)
        count = len(_visible(outlet, site.state))
        pages_ = [site.url(ARC_PAGE + "?outputType=xml" + (f"&from={n}" if n else ""))
                  for n in range(0, max(count, 1), PER_PAGE)]
        rows = "".join(f"<sitemap><loc>{xml_escape(u)}</loc></sitemap>" for u in pages_)
        return _xml('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                    f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>')

    def page(request: Request) -> Response:
        query = _arc(request)
        if query is None or not query.get("from", "0").isdigit():
            return not_found(request)
        start = int(query.get("from", "0"))
        chunk = _visible(outlet, site.state)[start:start + PER_PAGE]
        return _xml(news_urlset(site, chunk, outlet.title, "en"))

    def rss(request: Request) -> Response:
        if _arc(request) is None:
            return not_found(request)
        body = arc_rss(outlet, site, _visible(outlet, site.state))
        return make_response(body, "application/rss+xml; charset=utf-8")

    site.add(ARC_INDEX, index)
    site.add(ARC_PAGE, page)
    site.add(ARC_RSS, rss)
    # A section feed with nothing in it, and the address the wire's old RSS feed had before it closed it.
    site.add(ARC_SPORT, lambda r: make_response(arc_rss(outlet, site, []), "application/rss+xml; charset=utf-8")
             if _arc(r) is not None else not_found(r))


# --- lantern-press: a news sitemap without ledes ------------------------------------------------------------------

def _lantern(outlet: content.Outlet, site: DiscoverySite) -> None:
    site.sitemaps.append("/news-sitemap-content.xml")
    site.add("/news-sitemap-content.xml",
             lambda r: _xml(news_urlset(site, _visible(outlet, site.state), outlet.title, "eng")))


# --- steppe-agency, coastal-times, sealed-gazette: who may read, and how ------------------------------------------

def _forbidden(request: Request) -> Response:
    return html_page("<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1>"
                     "</body></html>", status=403)


def _header(request: Request, name: str) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)


def needs_accept(site: DiscoverySite, request: Request) -> Response | None:
    """steppe-agency's bot filter: no Accept header, no answer but 403."""
    return None if _header(request, "Accept") else _forbidden(request)


def refuses_crawlers(site: DiscoverySite, request: Request) -> Response | None:
    """sealed-gazette: its updates feed hangs up on everyone; everything but robots.txt is 403 to a crawler."""
    if request.path == "/updates/rss.xml":
        raise DropConnection()
    agent = (_header(request, "User-Agent") or "").lower()
    if request.path != "/robots.txt" and any(word in agent for word in ("crosswire", "bot", "crawl", "spider")):
        return _forbidden(request)
    return None


def _coastal(outlet: content.Outlet, site: DiscoverySite) -> None:
    site.disallow.append("/feed/")


_BUILDERS: dict[str, tuple[Callable[[content.Outlet, DiscoverySite], None] | None, Callable | None]] = {
    "euphrates-post": (_euphrates, None), "caravan-wire": (_caravan, None), "lantern-press": (_lantern, None),
    "steppe-agency": (None, needs_accept), "coastal-times": (_coastal, None),
    "sealed-gazette": (None, refuses_crawlers),
}


def mount(web: "TestWeb", name: str, base_url: str) -> "Mounted":
    """Build one real-format outlet at `base_url`."""
    outlet = content.load_outlet(name)
    build, gate = _BUILDERS[name]
    site = _site(outlet, base_url, gate)
    if build is not None:
        build(outlet, site)
    return Mounted(site, content.ground_truth(outlet, site), [site.url(f.path) for f in outlet.feeds],
                   outlet.language, outlet.country, list(outlet.tags))


# --- which bundled sources each outlet stands for, and the [[source]] block that reads it ----------------------

# Bundled source -> (twin outlet, the twin's route for that source's route). Every enabled bundled source has a
# twin here or among the older outlets (see TWINS_ELSEWHERE); tests/test_real_formats.py holds the two together.
TWINS: dict[str, tuple[str, str]] = {
    "the-duran": ("euphrates-post", LISTING_PATH),
    "reuters": ("caravan-wire", ARC_INDEX + "?outputType=xml"),
    "the-national": ("caravan-wire", ARC_RSS + "?outputType=xml"),
    "ap": ("lantern-press", "/news-sitemap-content.xml"),
    "tass": ("steppe-agency", "/rss/v2.xml"),
    "ria-novosti": ("steppe-agency", "/export/rss2/archive/index.xml"),
    "sana": ("euphrates-post", "/?feed=rss2"),
    **{name: ("euphrates-post", "/feed/") for name in (
        "enab-baladi", "syria-direct", "north-press", "dabanga", "sudans-post", "sohr", "airwars", "acled",
        "sudan-tribune")},
}
# Plain RSS 2.0, RSS 1.0 and their kin: outlets the suite has crawled end to end since before the twins.
TWINS_ELSEWHERE: dict[str, tuple[str, str]] = {
    **{name: ("levant-ledger", "/feeds/world.xml") for name in (
        "anadolu", "ukrinform", "kyiv-independent", "asharq-al-awsat", "bbc", "bbc-arabic", "guardian", "france24",
        "france24-arabic", "npr", "rt", "meduza", "meduza-russian", "al-jazeera", "al-jazeera-arabic", "daily-sabah",
        "trt-world", "press-tv", "irna", "tehran-times", "mehr", "jerusalem-post", "haaretz", "kurdistan24")},
    "dw": ("al-mirsad", "/rss.rdf"),            # RDF (RSS 1.0), as rss.dw.com/rdf/ serves
    "dw-russian": ("al-mirsad", "/rss.rdf"),
}


def _bundled(name: str) -> Source:
    return next(s for s in load_sources(bundled_sources_path()) if s.name == name)


def source_toml(web: "TestWeb", name: str, extra: str = "") -> str:
    """The [[source]] block for a real-format outlet: its routes, read as the bundled twin source reads its own
    (The Duran's listing selectors, AP's topics), so a crawl of the outlet tests the bundled configuration."""
    base = web.base_url(name)
    lines = ["[[source]]", f"name = {json.dumps(name)}", f"homepage = {json.dumps(base + '/')}",
             f"language = {json.dumps(web.site(name).language)}"]
    tables = ""
    if name == "euphrates-post":
        lines.append(f"feeds = {json.dumps([base + '/feed/'])}")
        duran = _bundled("the-duran").listing[0]
        keys = {key: getattr(duran, key) for key in ("item", "links", "headline", "lede", "date", "next")}
        tables = "[[source.listing]]\n" + f"url = {json.dumps(base + LISTING_PATH)}\n" + "".join(
            f"{key} = {json.dumps(value)}\n" for key, value in keys.items() if value)
    elif name == "caravan-wire":
        lines += [f"feeds = {json.dumps([base + ARC_RSS + '?outputType=xml'])}",
                  f"sitemaps = {json.dumps([base + ARC_INDEX + '?outputType=xml'])}", 'include = ["/world/"]']
    elif name == "lantern-press":
        ap = _bundled("ap")
        lines += [f"sitemaps = {json.dumps([base + '/news-sitemap-content.xml'])}",
                  f"topics = {json.dumps(list(ap.topics))}", "only_topics = true"]
    else:
        lines.append(f"feeds = {json.dumps(web.feed_urls(name))}")
    lines += [line for line in (extra,) if line]
    return "\n".join(lines) + ("\n\n" + tables if tables else "") + "\n"


__all__ = ["OUTLETS", "TWINS", "TWINS_ELSEWHERE", "mount", "source_toml", "listing_page", "news_urlset", "arc_rss"]
