"""Outlets for finding articles beyond feeds: sitemaps, news sitemaps, listing pages, rules, traps, bad input.

    cedar-post        no feeds: robots.txt → sitemap index → gzipped March sitemap + plain February sitemap
    tigris-news       a Google News sitemap (news:title, news:publication_date, news:keywords) and an RSS
                      feed announced by <link rel="alternate"> on the homepage
    harbinger-review  no feed, no sitemap: category listing pages, three posts a page (like ../shared/seed/)
    kasr-observer     pages a generic extractor gets wrong; its source needs [source.rules]
    maze-gazette      traps: a month calendar running into the future, faceted search links, a pagination
                      loop, an endless generated "daily" archive
    brittle-times     broken sitemaps (HTML, empty, truncated, 50,000 entries, forbidden by robots.txt) and a
                      listing page its selectors do not fit

Each outlet's articles come from content/<name>.toml. `DiscoveryState.hide()` / `.reveal()` take articles
off and back onto the sitemaps and listings at run time, so tests can check what a second crawl asks for.
`source_toml(web, name)` gives the [[source]] block a crosswire sources file needs for each outlet.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from typing import TYPE_CHECKING, Callable
from urllib.parse import parse_qs
from xml.sax.saxutils import escape as xml_escape

from testweb import outlets as content
from testweb import pages
from testweb.site import Request, Response, Site, conditional, html_page, make_response, not_found

if TYPE_CHECKING:
    from testweb.server import Mounted, TestWeb

OUTLETS = ("cedar-post", "tigris-news", "harbinger-review", "kasr-observer", "maze-gazette", "brittle-times")
PER_PAGE = 3                 # harbinger-review posts per listing page
HUGE_ENTRIES = 50_000        # brittle-times' oversized sitemap
DAILY_PATH = "/daily/"       # maze-gazette's endless archive


@dataclass
class DiscoveryState:
    """Which articles an outlet currently shows on its sitemaps and listings, and when each appeared."""

    hidden: set[str] = field(default_factory=set)
    revealed: dict[str, datetime] = field(default_factory=dict)

    def hide(self, *paths: str) -> None:
        """Take articles off the sitemaps and listings (their pages stay up)."""
        self.hidden.update(paths)

    def reveal(self, *paths: str) -> None:
        """Put articles back, with a lastmod of now (as a newly published article would have)."""
        for path in paths:
            self.hidden.discard(path)
            self.revealed[path] = datetime.now(timezone.utc).replace(microsecond=0)


class DiscoverySite(Site):
    """A Site that also routes by path prefix (calendars and archives have endless paths)."""

    state: DiscoveryState
    language: str
    prefixes: dict[str, Callable[[Request], Response]]

    def handle(self, request: Request) -> Response:
        """Exact routes first, then the longest matching prefix route."""
        if request.path not in self.routes:
            for prefix in sorted(self.prefixes, key=len, reverse=True):
                if request.path.startswith(prefix):
                    return conditional(request, self.prefixes[prefix](request))
        return super().handle(request)


def _xml(text: str) -> Response:
    return make_response(text, "application/xml; charset=utf-8")


def _visible(outlet: content.Outlet, state: DiscoveryState) -> list[content.ArticleData]:
    """The outlet's shown articles, newest first."""
    return sorted((a for a in outlet.articles if a.path not in state.hidden), key=lambda a: a.published, reverse=True)


def _lastmod(article: content.ArticleData, state: DiscoveryState) -> datetime:
    return state.revealed.get(article.path) or article.modified or article.published


def urlset(site: Site, articles: list[content.ArticleData], state: DiscoveryState, news: str | None = None) -> str:
    """A sitemap <urlset>; with `news` (the publication name) a Google News sitemap."""
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    rows = []
    for a in articles:
        extra = ""
        if news:
            extra = (f"<news:news><news:publication><news:name>{xml_escape(news)}</news:name>"
                     f"<news:language>en</news:language></news:publication>"
                     f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
                     f"<news:title>{xml_escape(a.title)}</news:title>"
                     f"<news:keywords>{xml_escape(', '.join(a.tags))}</news:keywords></news:news>")
        rows.append(f"<url><loc>{xml_escape(site.url(a.path))}</loc>"
                    f"<lastmod>{_lastmod(a, state).isoformat()}</lastmod>{extra}</url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            f"{ns}>\n" + "\n".join(rows) + "\n</urlset>\n")


def _site(outlet: content.Outlet, base_url: str) -> DiscoverySite:
    plain = content.build_site(outlet, base_url)
    site = DiscoverySite(outlet.name, base_url)
    # Everything but robots.txt, which must read this site's own sitemaps and disallow lists.
    site.routes.update({k: v for k, v in plain.routes.items() if k != "/robots.txt"})
    site.state, site.prefixes, site.language = DiscoveryState(), {}, outlet.language
    return site


# --- cedar-post: robots.txt → sitemap index → gzipped child + plain child --------------------------------------

def _cedar(outlet: content.Outlet, site: DiscoverySite) -> None:
    site.sitemaps.append("/sitemap_index.xml")

    def month(prefix: str) -> list[content.ArticleData]:
        return [a for a in _visible(outlet, site.state) if a.published.strftime("%Y-%m") == prefix]

    def index(request: Request) -> Response:
        rows = []
        for name, prefix in (("/sitemaps/2024-03.xml.gz", "2024-03"), ("/sitemaps/2024-02.xml", "2024-02")):
            newest = max((_lastmod(a, site.state) for a in month(prefix)), default=None)
            lastmod = f"<lastmod>{newest.isoformat()}</lastmod>" if newest else ""
            rows.append(f"<sitemap><loc>{site.url(name)}</loc>{lastmod}</sitemap>")
        return _xml('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                    'sitemap/0.9">\n' + "\n".join(rows) + "\n</sitemapindex>\n")

    site.add("/sitemap_index.xml", index)
    # gzip.compress with mtime=0: equal content, equal bytes, so the ETag (and a 304) stays stable.
    site.add("/sitemaps/2024-03.xml.gz", lambda r: make_response(
        gzip.compress(urlset(site, month("2024-03"), site.state).encode(), mtime=0), "application/x-gzip"))
    site.add("/sitemaps/2024-02.xml", lambda r: _xml(urlset(site, month("2024-02"), site.state)))


# --- tigris-news: Google News sitemap, RSS announced on the homepage -------------------------------------------

def _tigris(outlet: content.Outlet, site: DiscoverySite) -> None:
    site.sitemaps.append("/news-sitemap.xml")
    site.add("/news-sitemap.xml", lambda r: _xml(urlset(site, _visible(outlet, site.state), site.state, news=outlet.title)))
    home = pages.render_home(outlet, site).replace(
        "</head>", '<link rel="alternate" type="application/rss+xml" title="All stories" href="/feeds/all.rss">\n</head>')
    site.add("/", lambda r: html_page(home))


# --- harbinger-review: category listing pages ------------------------------------------------------------------

LISTING_PATH = "/category/syrian-conflict/"


def listing_page(outlet: content.Outlet, site: Site, articles: list[content.ArticleData], page: int) -> str | None:
    """One WordPress-style category page: headline, date and first paragraph per post, then "Older posts"."""
    chunk = articles[(page - 1) * PER_PAGE: page * PER_PAGE]
    if not chunk:
        return None
    blocks = []
    for a in chunk:
        blocks.append(
            f'<article class="post"><header><h2 class="entry-title"><a href="{escape(site.url(a.path))}" rel="bookmark">'
            f'{escape(a.title)}</a></h2><span class="posted-on"><time class="entry-date" datetime="{a.published.isoformat()}">'
            f'{a.published:%B %d, %Y}</time></span></header>\n<div class="entry-summary"><p>{escape(a.lede)}</p></div>'
            f'<a class="more-link" href="{escape(site.url(a.path))}">Continue reading</a></article>')
    nav = ""
    if page * PER_PAGE < len(articles):
        nav = f'<nav class="pagination"><a class="next page-numbers" href="{LISTING_PATH}page/{page + 1}/">Older posts</a></nav>'
    body = (f'<header><p class="site-title"><a href="/">{escape(outlet.title)}</a></p></header>\n'
            f'<main><h1 class="page-title">Syrian conflict</h1>\n' + "\n".join(blocks) + f"\n{nav}</main>")
    return pages._document(outlet, f"Syrian conflict | {outlet.title}", "", body)


def _harbinger(outlet: content.Outlet, site: DiscoverySite) -> None:
    def handle(request: Request) -> Response:
        rest = request.path[len(LISTING_PATH):]
        page = 1
        if rest:
            parts = rest.strip("/").split("/")
            if len(parts) != 2 or parts[0] != "page" or not parts[1].isdigit():
                return not_found(request)
            page = int(parts[1])
        html_text = listing_page(outlet, site, _visible(outlet, site.state), page)
        return html_page(html_text) if html_text else not_found(request)

    site.prefixes[LISTING_PATH] = handle


# --- kasr-observer: pages that need per-outlet rules -----------------------------------------------------------

def kasr_page(outlet: content.Outlet, a: content.ArticleData) -> str:
    """An article page whose headline, body and date hide where a generic extractor does not look."""
    paras = "\n".join(f'<div class="para">{escape(p)}</div>' for p in a.paragraphs)
    dossier = " ".join([
        "<p>The Nile dossier: for twenty years this newspaper has followed the negotiations over the waters of the",
        "Nile, from the first technical committees to the summit meetings of recent years, and our archive holds",
        "every statement, map and agreement published by the three governments since the talks began.</p>",
        "<p>Readers can browse the dossier by year or by country, and subscribers receive a monthly digest of new",
        "documents together with commentary by our correspondents in Cairo, Khartoum and Addis Ababa, who have",
        "covered the river and the communities along its banks for many years.</p>",
        "<p>Our archive team also answers questions from researchers and students, and welcomes corrections and",
        "additional documents from readers who hold material that has not yet been published anywhere else.</p>",
    ])
    authors = " ".join(f'<a class="byline-name" href="/writers/{i}">{escape(n)}</a>' for i, n in enumerate(a.authors))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(outlet.title)}</title></head>
<body><h1 class="brand">{escape(outlet.title)}</h1>
<div class="nav"><a href="/">Home</a> <a href="/sudan">Sudan</a> <a href="/gaza">Gaza</a></div>
<div class="story"><div class="hl">{escape(a.title)}</div>
<div class="dateline">Published: {a.published:%d/%m/%Y %H:%M} GMT</div>
<div class="writers">{authors}</div>
{paras}
</div>
<div class="dossier"><h2>The Nile dossier</h2>{dossier}</div>
<div class="foot">© {escape(outlet.title)}</div></body></html>
"""


def _kasr(outlet: content.Outlet, site: DiscoverySite) -> None:
    for a in outlet.articles:
        site.add(a.path, (lambda art: lambda r: html_page(kasr_page(outlet, art)))(a))
    site.add("/sitemap.xml", lambda r: _xml(urlset(site, _visible(outlet, site.state), site.state)))


# --- maze-gazette: traps ---------------------------------------------------------------------------------------

def _maze(outlet: content.Outlet, site: DiscoverySite) -> None:
    by_path = {a.path: a for a in outlet.articles}

    def links(paths: list[str]) -> str:
        return "".join(f'<li><a href="{escape(site.url(p))}">{escape(by_path[p].title if p in by_path else p)}</a></li>'
                       for p in paths)

    def calendar(request: Request) -> Response:
        parts = request.path.strip("/").split("/")   # archive/YYYY/MM
        if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
            return not_found(request)
        year, month = int(parts[1]), int(parts[2])
        shown = [a.path for a in outlet.articles if (a.published.year, a.published.month) == (year, month)
                 and a.path in CALENDAR_STORIES]
        nxt = (year + month // 12, month % 12 + 1)   # "next month", forever
        return html_page(f'<h1>Archive {year}-{month:02d}</h1><ul class="day-list">{links(shown)}</ul>'
                         f'<a class="next-month" href="/archive/{nxt[0]}/{nxt[1]:02d}/">Next month</a>')

    def search(request: Request) -> Response:
        facets = ['/search?q=damascus&sort=new&view=list&filter=photo', '/search?q=damascus&tag=a&tag=b',
                  '/search?q=damascus&order=old&layout=grid&type=video']
        items = links(["/story/qasioun-cable-car"]) + "".join(f'<li><a href="{escape(f)}">Refine</a></li>' for f in facets)
        return html_page(f'<h1>Search</h1><ul class="results">{items}</ul>')

    def topics(request: Request) -> Response:
        # Page 1 and 2 point at each other: a pagination loop.
        page = {"/topics/idlib/page/1/": 1, "/topics/idlib/page/2/": 2}.get(request.path)
        if page is None:
            return not_found(request)
        story = ["/story/idlib-olive-harvest-prices", "/story/idlib-schools-generators"][page - 1]
        return html_page(f'<h1>Idlib, page {page}</h1><ul class="results">{links([story])}</ul>'
                         f'<a class="next" href="/topics/idlib/page/{3 - page}/">More</a>')

    def daily(request: Request) -> Response:
        if request.path == DAILY_PATH:
            n = int((parse_qs(request.query).get("page") or ["1"])[0] or 1)
            return html_page(f'<h1>Daily notebook, page {n}</h1><ul class="results">'
                             f'<li><a href="{DAILY_PATH}notebook-{n}">Damascus notebook, part {n}</a></li></ul>'
                             f'<a class="next" href="{DAILY_PATH}?page={n + 1}">Older</a>')
        n = request.path[len(DAILY_PATH) + len("notebook-"):]
        if not request.path.startswith(DAILY_PATH + "notebook-") or not n.isdigit():
            return not_found(request)
        return html_page(daily_notebook(outlet, site, int(n)))

    site.prefixes.update({"/archive/": calendar, "/topics/": topics, DAILY_PATH: daily})
    site.add("/search", search)


CALENDAR_STORIES = ("/story/qasioun-cable-car", "/story/souq-hamidiyeh-fire-inquiry", "/story/barada-river-clean-up")


def daily_notebook(outlet: content.Outlet, site: Site, n: int) -> str:
    """A generated article, one per page of the endless archive."""
    article = content.ArticleData(
        path=f"{DAILY_PATH}notebook-{n}", title=f"Damascus notebook, part {n}", authors=["Hala Mardini"],
        published=datetime(2024, 3, 1, 6, 0, tzinfo=timezone.utc), lede="Notes from a week in the capital.",
        paragraphs=[f"This is part {n} of a notebook kept in Damascus: the queues for bread and fuel, the prices in "
                    "the markets, and what neighbours talk about in the evenings when the power comes back.",
                    "Each part follows the same streets a week later, to see what has changed and what has not."])
    return pages.render_article(outlet, site, article)


# --- brittle-times: bad sitemaps and a listing its selectors do not fit ---------------------------------------

def _brittle(outlet: content.Outlet, site: DiscoverySite) -> None:
    arts = sorted(outlet.articles, key=lambda a: a.published)
    site.disallow.append("/private/")
    site.add("/sitemap-html.xml", lambda r: html_page("<!DOCTYPE html><html><body><h1>Site map</h1>"
                                                      "<ul><li><a href='/'>Home</a></li></ul></body></html>"))
    site.add("/sitemap-empty.xml", lambda r: _xml(""))
    full = urlset(site, arts[:2], site.state)
    # Cut in the middle of a third entry, as a dropped connection or a full disk leaves it.
    truncated = full[:full.index("</urlset>")] + f"<url><loc>{site.url('/jordan/2024/03/0')}"
    site.add("/sitemap-truncated.xml", lambda r: _xml(truncated))
    cache: dict[str, bytes] = {}

    def huge(request: Request) -> Response:
        if "body" not in cache:
            rows = [f"<url><loc>{site.url(a.path)}</loc><lastmod>{a.published.isoformat()}</lastmod></url>" for a in arts[2:]]
            rows += [f"<url><loc>{site.url(f'/archive/old-{i}')}</loc><lastmod>2015-01-01</lastmod></url>"
                     for i in range(HUGE_ENTRIES - len(rows))]
            cache["body"] = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
                             'sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n").encode()
        return make_response(cache["body"], "application/xml")

    site.add("/sitemap-huge.xml", huge)
    site.add("/private/sitemap.xml", lambda r: _xml(urlset(site, arts, site.state)))
    site.add("/latest/", lambda r: html_page(
        "<h1>Latest</h1>" + "".join(f'<div class="teaser"><h3><a href="{escape(site.url(a.path))}">{escape(a.title)}</a>'
                                    f"</h3></div>" for a in arts)))


_BUILDERS = {"cedar-post": _cedar, "tigris-news": _tigris, "harbinger-review": _harbinger,
             "kasr-observer": _kasr, "maze-gazette": _maze, "brittle-times": _brittle}


def mount(web: "TestWeb", name: str, base_url: str) -> "Mounted":
    """Build one discovery outlet at `base_url`."""
    from testweb.server import Mounted

    outlet = content.load_outlet(name)
    site = _site(outlet, base_url)
    _BUILDERS[name](outlet, site)
    return Mounted(site, content.ground_truth(outlet, site), [site.url(f.path) for f in outlet.feeds],
                   outlet.language, outlet.country, list(outlet.tags))


# --- what a sources file says about each outlet ----------------------------------------------------------------

# Per outlet: (keys of the [[source]] table, its sub-tables); "{base}" is the outlet's base URL.
_SOURCE_KEYS: dict[str, tuple[str, str]] = {
    "cedar-post": ('sitemaps = "robots"', ""),
    "tigris-news": ('sitemaps = ["{base}/news-sitemap.xml"]', ""),
    "harbinger-review": ("", '[[source.listing]]\nurl = "{base}' + LISTING_PATH + '"\nitem = "article.post"\n'
                             'links = "h2.entry-title a"\nheadline = "h2.entry-title"\nlede = ".entry-summary"\n'
                             'date = "time.entry-date"\nnext = "a.next.page-numbers"'),
    "kasr-observer": ('sitemaps = ["{base}/sitemap.xml"]',
                      '[source.rules]\ntitle = ".story .hl"\nbody = ".story .para"\ndate = ".dateline"\n'
                      'authors = ".writers .byline-name"\ndrop = [".dossier", ".nav"]'),
    "maze-gazette": ("", '[[source.listing]]\nurl = "{base}/archive/2024/03/"\nlinks = "ul.day-list a"\n'
                         'next = "a.next-month"\n\n'
                         '[[source.listing]]\nurl = "{base}/search?q=damascus"\nlinks = "ul.results a"\n\n'
                         '[[source.listing]]\nurl = "{base}/topics/idlib/page/1/"\nlinks = "ul.results a"\nnext = "a.next"\n\n'
                         '[[source.listing]]\nurl = "{base}' + DAILY_PATH + '?page=1"\nlinks = "ul.results a"\n'
                         'next = "a.next"\nmax_pages = 3'),
    "brittle-times": ('max_articles = 2\nsitemaps = ["{base}/sitemap-html.xml", "{base}/sitemap-empty.xml", '
                      '"{base}/sitemap-truncated.xml", "{base}/sitemap-huge.xml", "{base}/private/sitemap.xml"]',
                      '[[source.listing]]\nurl = "{base}/latest/"\nlinks = "div.headlines a.story-link"'),
}


def source_toml(web: "TestWeb", name: str, extra: str = "") -> str:
    """The [[source]] block for a discovery outlet; `extra` holds more keys (e.g. 'include = [...]')."""
    base = web.base_url(name)
    keys, tables = (part.replace("{base}", base) for part in _SOURCE_KEYS[name])
    lines = ["[[source]]", f"name = {json.dumps(name)}", f"homepage = {json.dumps(base + '/')}",
             f"language = {json.dumps(web.site(name).language)}"]
    lines += [line for line in (keys, extra) if line]
    return "\n".join(lines) + ("\n\n" + tables if tables else "") + "\n"
