"""Identity, edits and copies: the test web's ground truth for "one story, one record".

Outlets (content/id-*.toml), served with `TestWeb(outlets=IDENTITY_OUTLETS)` and then `install(web)`:

    id-meridian-post   one article under URL variants: a tracking query (main feed), the m. host (mobile
                       feed), the AMP page (AMP feed), a short link that redirects (social feed); its print
                       view (same body, no canonical link) joins the social feed after `show_print(web)`.
                       The site answers as www.meridian-post.test / m.meridian-post.test: pass `hosts(web)`
                       as CROSSWIRE_HOSTS.
    id-river-gazette   an article edited twice: `set_edition(web, 2)` / `set_edition(web, 3)` switch it (and
                       move its Atom <updated>, unless bump=False); also GET /__admin/edition?n=2&bump=1.
    id-cedar-wire      a wire story (source tagged "wire") ...
    id-harbour-times   ... republished under another headline with words changed and closing boilerplate,
    id-plains-courier  ... re-framed with its own opening, last paragraph dropped, and a subscription plea,
    id-eastern-herald  ... truncated to its first three paragraphs.
                       Harbour Times and Plains Courier also cover the same strike in stories of their own,
                       which must not join the wire's family.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from testweb import feeds, pages
from testweb.outlets import ArticleData, Outlet, feed_channel, load_outlet, page_response
from testweb.site import Request, Response, Site, html_page, make_response

if TYPE_CHECKING:
    from testweb.server import TestWeb

IDENTITY_OUTLETS = ["id-meridian-post", "id-river-gazette", "id-cedar-wire", "id-harbour-times",
                    "id-plains-courier", "id-eastern-herald"]
FAMILY_OUTLETS = ["id-cedar-wire", "id-harbour-times", "id-plains-courier", "id-eastern-herald"]
VARIANTS = "id-meridian-post"
EDITED = "id-river-gazette"
WWW_HOST, M_HOST = "www.meridian-post.test", "m.meridian-post.test"
MAIN_PATH = "/news/2026/04/evacuation-buses-leave-kalmar-ridge"
SHORT_PATH, PRINT_PATH = "/s/8841", "/print/8841"
EDITED_PATH = "/news/shells-hit-dovrenko-market"

# The wire story and who republished it how: (outlet, path).
WIRE_STORY = ("id-cedar-wire", "/world/port-selin-grain-terminal-drone-CW0412")
COPIES = [
    ("id-harbour-times", "/world/2026/apr/12/port-selin-grain-terminal-ablaze"),
    ("id-plains-courier", "/2026/04/12/what-the-port-selin-fire-means-for-wheat"),
    ("id-eastern-herald", "/news/world/drone-attack-destroys-wheat-silos-in-port-selin"),
]
SAME_EVENT_OTHER_STORIES = [
    ("id-harbour-times", "/world/2026/apr/12/port-selin-dockworkers-describe-night-of-explosions"),
    ("id-plains-courier", "/2026/04/12/analysis-port-selin-strike-grain-prices"),
]

# Editions 2 and 3 of the edited article (edition 1 is the content file's).
_P2 = ('''The shelling began shortly after eight, when the market was at its busiest. Stallholders said at least
four shells landed between the covered hall and the bus stop on Soborna Street.''')
_P4 = "Dovrenko lies eleven kilometres from the front line and has been shelled regularly since the autumn."
EDITIONS: dict[int, dict[str, Any]] = {
    2: {
        "title": "Five killed as shells hit market in Dovrenko, officials say",
        "modified": "2026-04-14T10:30:00+00:00",
        "paragraphs": [
            '''Five people were killed and fourteen wounded when shells hit the central market in Dovrenko on
            Tuesday morning, the town's military administration said, raising an earlier toll.''',
            _P2,
            '''Rescue workers pulled two more bodies from the damaged hall at midday. The regional hospital said
            three of the wounded were in a serious condition.''',
            _P4,
        ],
    },
    3: {
        "title": "Five killed as shells hit market in Dovrenko, officials say",
        "modified": "2026-04-14T16:00:00+00:00",
        "paragraphs": [
            '''Five people were killed and fourteen wounded when shells hit the central market in Dovrenko on
            Tuesday morning, the town's military administration said, raising an earlier toll.''',
            '''The shelling began shortly after eight, when the market was at its busiest. Stallholders said at
            least six shells, fired from a multiple rocket launcher, landed between the covered hall and the bus
            stop on Mlynova Street.''',
            '''Rescue workers pulled two more bodies from the damaged hall at midday. The regional hospital said
            three of the wounded were in a serious condition.''',
            _P4,
            '''Correction: an earlier version of this article said the shells landed near the bus stop on Soborna
            Street. They landed near the bus stop on Mlynova Street.''',
        ],
    },
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclasses.dataclass
class _State:
    """What an installed identity web can switch between crawls."""

    edition: int = 1
    feed_updated: datetime | None = None    # the edited article's <updated> as the feed last announced it
    show_print: bool = False


def hosts(web: "TestWeb") -> dict[str, str]:
    """CROSSWIRE_HOSTS for the names the variant outlet answers to."""
    return {WWW_HOST: web.host, M_HOST: web.host}


def _port(site: Site) -> int:
    return urlsplit(site.base_url).port or 80


def variant_urls(web: "TestWeb") -> dict[str, str]:
    """Every URL the variant outlet gives for its main article, by kind."""
    port = _port(web.site(VARIANTS))
    www = f"http://{WWW_HOST}:{port}"
    return {
        "canonical": www + MAIN_PATH,
        "tracking": www + MAIN_PATH + "?utm_source=rss&utm_medium=feed&utm_campaign=all",
        "mobile": f"http://{M_HOST}:{port}" + MAIN_PATH,
        "amp": www + "/amp" + MAIN_PATH,
        "short": www + SHORT_PATH,
        "print": www + PRINT_PATH,
    }


def edition(number: int) -> dict[str, Any]:
    """Title, paragraphs and text of an edition of the edited article (1 = as first published)."""
    if number == 1:
        article = next(a for a in load_outlet(EDITED).articles if a.path == EDITED_PATH)
        paragraphs, title = article.paragraphs, article.title
    else:
        paragraphs = [_one_line(p) for p in EDITIONS[number]["paragraphs"]]
        title = EDITIONS[number]["title"]
    return {"title": title, "paragraphs": paragraphs, "text": "\n\n".join(paragraphs)}


def _state(web: "TestWeb") -> _State:
    return web.site(EDITED).identity_state  # type: ignore[attr-defined]


def set_edition(web: "TestWeb", number: int, *, bump_updated: bool = True) -> None:
    """Serve edition `number` of the edited article; bump_updated=False leaves the feed's <updated> alone
    (so only a revisit, not the feed, can notice the edit)."""
    state = _state(web)
    state.edition = number
    if bump_updated:
        state.feed_updated = datetime.fromisoformat(EDITIONS[number]["modified"]) if number > 1 else None


def show_print(web: "TestWeb", on: bool = True) -> None:
    """List the print view of the variant outlet's article in its social feed."""
    web.site(VARIANTS).identity_state.show_print = on  # type: ignore[attr-defined]


def sources_toml(web: "TestWeb") -> str:
    """A sources file for the identity outlets, including the variant outlet's extra feeds."""
    text = web.sources_toml([n for n in IDENTITY_OUTLETS if n in web.outlets])
    base = f"http://{web.host}:{_port(web.site(VARIANTS))}"   # feeds are fetched by address, pages by name
    extra = ", ".join(f'"{base}{p}"' for p in ("/feeds/mobile.xml", "/feeds/amp.xml", "/feeds/social.xml"))
    main_feed = f'"{base}/feeds/all.xml"'
    return text.replace(f"feeds = [{main_feed}]", f"feeds = [{main_feed}, {extra}]")


def install(web: "TestWeb") -> None:
    """Add the run-time routes: URL variants and their feeds, the edited article's editions, admin routes."""
    if VARIANTS in web.outlets:
        _install_variants(web.site(VARIANTS), load_outlet(VARIANTS))
    if EDITED in web.outlets:
        _install_editions(web.site(EDITED), load_outlet(EDITED))


def _rss(site: Site, title: str, items: list[tuple[str, ArticleData]]) -> Response:
    channel = feeds.FeedChannel(title=title, link=site.url("/"), self_url=site.url("/feeds/"),
                                description=title, language="en")
    channel.items = [feeds.FeedItem(link=link, title=a.title, guid=link, summary=a.lede, published=a.published,
                                    authors=list(a.authors)) for link, a in items]
    body, content_type = feeds.render(channel, "rss20")
    return make_response(body, content_type)


def _install_variants(site: Site, outlet: Outlet) -> None:
    state = _State()
    site.identity_state = state  # type: ignore[attr-defined]
    port = _port(site)
    site.base_url = f"http://{WWW_HOST}:{port}"   # links and canonical tags name the www host
    article = next(a for a in outlet.articles if a.path == MAIN_PATH)
    canonical = site.url(MAIN_PATH)

    def amp_page(request: Request) -> Response:
        body = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
        return html_page(
            f'<!DOCTYPE html><html amp lang="en"><head><meta charset="utf-8"><title>{escape(article.title)}</title>'
            f'<link rel="canonical" href="{escape(canonical)}"><meta name="viewport" content="width=device-width">'
            f'</head><body><header class="amp-header">{escape(outlet.title)}</header><article><h1>'
            f'{escape(article.title)}</h1><p class="amp-byline">By {escape(article.authors[0])}</p>{body}'
            f'</article><footer>© Meridian Post</footer></body></html>', last_modified=article.published)

    def print_page(request: Request) -> Response:
        body = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
        return html_page(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Print: {escape(article.title)}'
            f'</title></head><body onload="window.print()"><h1>{escape(article.title)}</h1>'
            f'<div class="print-body">{body}</div><p class="print-footer">Printed from meridian-post.test</p>'
            f'</body></html>', last_modified=article.published)

    site.add("/amp" + MAIN_PATH, amp_page)
    site.add(PRINT_PATH, print_page)
    site.add(SHORT_PATH, lambda r: Response(301, {"Location": canonical, "Content-Length": "0"}, b""),
             conditional=False)
    site.add("/feeds/mobile.xml", lambda r: _rss(site, "Meridian Post mobile",
                                                 [(f"http://{M_HOST}:{port}{MAIN_PATH}", article)]))
    site.add("/feeds/amp.xml", lambda r: _rss(site, "Meridian Post AMP", [(site.url("/amp" + MAIN_PATH), article)]))

    def social(request: Request) -> Response:
        items = [(site.url(SHORT_PATH), article)]
        if state.show_print:
            items.append((site.url(PRINT_PATH), article))
        return _rss(site, "Meridian Post social", items)

    site.add("/feeds/social.xml", social)

    def admin(request: Request) -> Response:
        state.show_print = parse_qs(request.query).get("on", ["1"])[0] == "1"
        return make_response(f"print variant listed: {state.show_print}\n", "text/plain")

    site.add("/__admin/print", admin, conditional=False)


def _install_editions(site: Site, outlet: Outlet) -> None:
    state = _State()
    site.identity_state = state  # type: ignore[attr-defined]
    original = next(a for a in outlet.articles if a.path == EDITED_PATH)
    spec = outlet.feeds[0]

    def current() -> ArticleData:
        if state.edition == 1:
            return original
        data = EDITIONS[state.edition]
        return dataclasses.replace(original, title=data["title"], modified=datetime.fromisoformat(data["modified"]),
                                   paragraphs=[_one_line(p) for p in data["paragraphs"]])

    def page(request: Request) -> Response:
        article = current()
        return page_response(outlet, pages.render_article(outlet, site, article), article.modified or article.published)

    def feed(request: Request) -> Response:
        shown = dataclasses.replace(current(), modified=state.feed_updated)
        view = dataclasses.replace(outlet, articles=[shown if a is original else a for a in outlet.articles])
        channel = feed_channel(view, site, spec)
        body, content_type = feeds.render(channel, spec.format, spec.encoding)
        return make_response(body, content_type, last_modified=channel.updated)

    def admin(request: Request) -> Response:
        query = parse_qs(request.query)
        number = int(query.get("n", ["1"])[0])
        if number not in (1, *EDITIONS):
            return make_response(f"no edition {number}\n", "text/plain", status=404)
        state.edition = number
        if query.get("bump", ["1"])[0] == "1":
            state.feed_updated = datetime.fromisoformat(EDITIONS[number]["modified"]) if number > 1 else None
        return make_response(f"edition {number}\n", "text/plain")

    site.add(EDITED_PATH, page)
    site.add(spec.path, feed)
    site.add("/__admin/edition", admin, conditional=False)
