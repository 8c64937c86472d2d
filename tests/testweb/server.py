"""TestWeb: one loopback HTTP server per fictional outlet, a request log, and the ground truth tests check.

    with TestWeb() as web:
        web.base_url("levant-ledger")          # "http://127.0.0.1:41234"
        web.sources_toml()                     # a crosswire sources file pointing at every outlet
        web.articles("gulf-wire")              # what a crawl should store
        web.requests                           # every request seen, in order
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from testweb import outlets as content
from testweb.site import Request, Response, Site, html_page

# Outlets served when none are named, in the order they are started.
DEFAULT_OUTLETS = [
    "levant-ledger", "northern-dispatch", "gulf-wire", "al-mirsad", "vestnik-frontira",
    "frontline-review", "broken-outlet",
]
ARCHIVE = "archive"       # the outlet serving saved real pages, present when real_pages_dir is given


class DropConnection(Exception):
    """Raised by a handler to close the socket without any response (a hostile server)."""


@dataclass(frozen=True)
class RequestLog:
    """One request an outlet received and the status it answered."""

    outlet: str
    method: str
    path: str                       # path with its query string, as requested
    headers: dict[str, str]
    status: int
    at: float = 0.0                 # time.monotonic() when the request arrived


@dataclass
class Mounted:
    """An outlet once bound: its routes, its ground truth and its entry for a sources file."""

    site: Site
    articles: list[dict[str, Any]] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)       # absolute feed URLs
    language: str = "en"
    country: str = ""
    tags: list[str] = field(default_factory=list)
    bad_urls: dict[str, str] = field(default_factory=dict)   # kind -> URL of a misbehaving route


class _OutletServer(ThreadingHTTPServer):
    daemon_threads = True           # a slow handler must never keep the test process alive
    site: Site
    web: "TestWeb"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up (a timeout, a size limit); report anything else."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _OutletServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        arrived = time.monotonic()
        split = urlsplit(self.path)
        request = Request(self.command, split.path, split.query, dict(self.headers.items()))
        web = self.server.web
        if web.latency:
            web.release.wait(web.latency)   # a distant server: every answer takes this long
        try:
            response = self.server.site.handle(request)
        except DropConnection:
            web._record(self.server.site.name, request, self.path, 0, arrived)
            self.close_connection = True
            return
        except Exception:  # a bug in a handler should look like a broken server, not hang the client
            response = html_page("<h1>Internal Server Error</h1>", status=500)
        web._record(self.server.site.name, request, self.path, response.status, arrived)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        # A client that gave up (download timeout, size limit) makes these writes fail; handle_error ignores it.
        self.end_headers()
        if send_body and response.status != 304:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the request log replaces stderr noise


def closed_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on: bind a socket, read its port, close it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)   # a JSON string is a valid TOML basic string


class TestWeb:
    """Fictional news outlets on free loopback ports, with a thread-safe request log."""

    __test__ = False  # keep pytest from collecting this class

    def __init__(self, outlets: list[str] | None = None, real_pages_dir: Path | None = None,
                 real_pages_copies: int = 1, *, real_pages_count: int | None = None, slow_seconds: float = 5.0,
                 host: str = "127.0.0.1", port_base: int | None = None, latency: float = 0.0,
                 sites: dict[str, Callable[[str], Mounted]] | None = None) -> None:
        names = list(outlets) if outlets is not None else list(DEFAULT_OUTLETS)
        # Outlets the caller builds itself from their base URL (bench/bench_scale.py's generated ones).
        self.sites = dict(sites or {})
        # Any content/<name>.toml is an outlet, so adding a file is enough to serve a new one.
        known = sorted({p.stem for p in content.CONTENT_DIR.glob("*.toml")} | {ARCHIVE} | set(self.sites))
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"unknown test web outlet(s) {unknown}; known: {known}")
        if ARCHIVE in names and real_pages_dir is None:
            raise ValueError("the archive outlet needs real_pages_dir")
        if real_pages_dir is not None and outlets is None:
            names.append(ARCHIVE)
        self._names = names
        self.real_pages_dir = Path(real_pages_dir) if real_pages_dir is not None else None
        self.real_pages_copies = real_pages_copies
        self.real_pages_count = real_pages_count   # serve only this many real pages (copies as needed)
        self.slow_seconds = slow_seconds
        self.latency = latency                    # seconds every response waits, like a server far away
        self.host = host
        self.port_base = port_base
        self.refused_port = 0
        self.real_pages: dict[str, str] = {}     # served URL -> page id in ground-truth.json
        self._lock = threading.Lock()
        self._log: list[RequestLog] = []
        self._servers: dict[str, _OutletServer] = {}
        self._threads: list[threading.Thread] = []
        self._mounted: dict[str, Mounted] = {}
        self.release = threading.Event()          # set on stop() so slow handlers return at once

    # lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> "TestWeb":
        """Bind every outlet to a port, build its routes, and serve each from a daemon thread."""
        self.release.clear()
        self.refused_port = closed_port(self.host)
        try:
            for index, name in enumerate(self._names):
                port = self.port_base + index if self.port_base is not None else 0
                self._servers[name] = _OutletServer((self.host, port), _Handler)
            for name, server in self._servers.items():
                mounted = self._build(name, f"http://{self.host}:{server.server_address[1]}")
                self._mounted[name] = mounted
                server.site, server.web = mounted.site, self
        except BaseException:
            for server in self._servers.values():   # never leak bound sockets when an outlet fails to build
                server.server_close()
            self._servers.clear()
            raise
        for name, server in self._servers.items():
            # A short poll interval keeps stop() fast: shutdown() waits for the next poll.
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"testweb-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Shut every server down and release any handler still sleeping."""
        self.release.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> "TestWeb":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _build(self, name: str, base_url: str) -> Mounted:
        if name in self.sites:
            return self.sites[name](base_url)
        if name == ARCHIVE:
            from testweb import realpages
            assert self.real_pages_dir is not None   # checked in __init__
            mounted = realpages.mount(self.real_pages_dir, self.real_pages_copies, base_url,
                                      self.real_pages_count)
            self.real_pages = {a["url"]: a["id"] for a in mounted.articles}
            return mounted
        if name == "broken-outlet":
            from testweb import broken
            return broken.mount(self, base_url)
        from testweb import outlets_discovery, outlets_real
        if name in outlets_discovery.OUTLETS:
            return outlets_discovery.mount(self, name, base_url)
        if name in outlets_real.OUTLETS:
            return outlets_real.mount(self, name, base_url)
        outlet = content.load_outlet(name)
        site = content.build_site(outlet, base_url)
        return Mounted(site, content.ground_truth(outlet, site), [site.url(f.path) for f in outlet.feeds],
                       outlet.language, outlet.country, list(outlet.tags))

    # what tests ask --------------------------------------------------------------------------------------
    @property
    def outlets(self) -> list[str]:
        """Names of the outlets this web serves."""
        return list(self._names)

    def site(self, outlet: str) -> Site:
        """The running Site of an outlet, to add or replace routes at run time."""
        return self._mounted[outlet].site

    def base_url(self, outlet: str) -> str:
        """e.g. 'http://127.0.0.1:41234' (no trailing slash)."""
        return self._mounted[outlet].site.base_url

    def feed_urls(self, outlet: str) -> list[str]:
        """Absolute URLs of an outlet's feeds."""
        return list(self._mounted[outlet].feeds)

    def articles(self, outlet: str) -> list[dict[str, Any]]:
        """Ground truth: each article as a crawl should store it, in content order.

        Fictional outlets: url, path, title, authors, published/modified (ISO), language, section, lede,
        paragraphs, text, feed_links (every link the outlet's feeds give for it). The archive: url, path, id,
        copy, original_url and text (the human-marked body from ground-truth.json).
        """
        return [dict(a) for a in self._mounted[outlet].articles]

    def bad_urls(self, outlet: str = "broken-outlet") -> dict[str, str]:
        """URL of each misbehaving route by kind ("server-error", "slow", "refused", ...); see broken.py."""
        return dict(self._mounted[outlet].bad_urls)

    def sources_toml(self, names: list[str] | None = None) -> str:
        """A crosswire sources file with one [[source]] per running outlet (or the named ones)."""
        from testweb import outlets_real
        from testweb.outlets_discovery import _SOURCE_KEYS, source_toml

        chunks = []
        for name in names if names is not None else self._names:
            if name in _SOURCE_KEYS:   # sitemap, listing and rules outlets carry their own keys
                chunks.append(source_toml(self, name).rstrip("\n"))
                continue
            if name in outlets_real.OUTLETS:   # so do the outlets shaped like real formats
                chunks.append(outlets_real.source_toml(self, name).rstrip("\n"))
                continue
            mounted = self._mounted[name]
            chunks.append("\n".join([
                "[[source]]",
                f"name = {_toml_string(name)}",
                f"homepage = {_toml_string(mounted.site.url('/'))}",
                "feeds = [" + ", ".join(_toml_string(f) for f in mounted.feeds) + "]",
                *([f"language = {_toml_string(mounted.language)}"] if mounted.language else []),
                *([f"country = {_toml_string(mounted.country)}"] if mounted.country else []),
                "tags = [" + ", ".join(_toml_string(t) for t in mounted.tags) + "]",
            ]))
        return "# Generated by testweb: fictional outlets on loopback ports.\n\n" + "\n\n".join(chunks) + "\n"

    # the request log -----------------------------------------------------------------------------------
    def _record(self, outlet: str, request: Request, raw_path: str, status: int, arrived: float) -> None:
        entry = RequestLog(outlet, request.method, raw_path, dict(request.headers), status, arrived)
        with self._lock:
            self._log.append(entry)

    @property
    def requests(self) -> list[RequestLog]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        """Forget the requests received so far."""
        with self._lock:
            self._log.clear()


__all__ = ["TestWeb", "RequestLog", "Mounted", "DropConnection", "Response", "closed_port"]
