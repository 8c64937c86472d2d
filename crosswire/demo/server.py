"""DemoWeb: the frozen outlets served from loopback, one small HTTP server per outlet on a free port.

    with DemoWeb() as web:
        web.outlets                    # names, in the order they started
        web.base_url("gulf-wire")      # "http://127.0.0.1:41234"
        web.sources_toml()             # a crosswire sources file pointing at every outlet

Every 200 answer carries an ETag (and Last-Modified when the route has one) and a conditional GET that still
matches gets 304, as a well-behaved news site does. Unknown paths get a 404 page.
"""

from __future__ import annotations

import hashlib
import html
import socket
import sys
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crosswire.demo.frozen import (
    DATA_DIR,
    FrozenRoute,
    FrozenWeb,
    load,
    read_body,
    source_base,
)


@dataclass(frozen=True)
class Prepared:
    """A route's answer, rendered once when the server starts."""

    route: FrozenRoute
    headers: dict[str, str]        # Content-Type, Last-Modified, ETag: what a 200 sends besides its length
    body: bytes


def etag_for(body: bytes) -> str:
    """A strong ETag derived from the body, so equal bodies share a tag."""
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def not_found_page(path: str) -> bytes:
    """The 404 page for a path no route serves."""
    return (f"<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
            f"<body><h1>Not Found</h1><p>No page at {html.escape(path)}.</p></body></html>").encode("utf-8")


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    # Weak comparison, as RFC 7232 asks for If-None-Match.
    return "*" in tags or etag in tags or f"W/{etag}" in tags


def not_modified(prepared: Prepared, request_headers: Any) -> bool:
    """Whether a conditional GET may be answered 304: If-None-Match first, else If-Modified-Since."""
    if prepared.route.status != 200 or not prepared.route.conditional:
        return False
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        # If-None-Match wins over If-Modified-Since when both are sent (RFC 7232 section 6).
        return _etag_matches(if_none_match, prepared.headers["ETag"])
    since, modified = request_headers.get("If-Modified-Since"), prepared.headers.get("Last-Modified")
    if not (since and modified):
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False   # an unparseable date means "send the full response"


def closed_port(host: str) -> int:
    """A port nothing listens on: bind a socket, read its port, close it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class _OutletServer(ThreadingHTTPServer):
    daemon_threads = True          # a held answer must never keep the process alive
    routes: dict[str, Prepared]
    web: "DemoWeb"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up (its timeout, its size limit); report anything else."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as crawlers expect
    timeout = 30                   # an idle keep-alive connection frees its thread after this many seconds
    server: _OutletServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        prepared = self.server.routes.get(path)
        if prepared is None:
            self._send(404, {"Content-Type": "text/html; charset=utf-8"}, not_found_page(path), send_body)
            return
        if prepared.route.hold:
            self.server.web._hold()
        if not_modified(prepared, self.headers):
            kept = {k: v for k, v in prepared.headers.items() if k in ("ETag", "Last-Modified")}
            self._send(304, kept, b"", send_body)
            return
        self._send(prepared.route.status, prepared.headers, prepared.body, send_body)

    def _send(self, status: int, headers: dict[str, str], body: bytes, send_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        # A client that gave up (download timeout, size limit) makes these writes fail; handle_error ignores it.
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the crawl reports what it fetched; per-request lines on stderr would bury the demo's output


class DemoWeb:
    """The frozen fictional outlets, each on a free loopback port, until `stop()`."""

    def __init__(self, data_dir: Path = DATA_DIR, host: str = "127.0.0.1", port_base: int | None = None) -> None:
        self.data_dir = data_dir
        self.frozen: FrozenWeb = load(data_dir)
        self.host = host
        # Outlets on port_base, port_base + 1, ... when they are free (else on any free ports): the same ports
        # for the same archive give the same URLs, so a second demo into it finds its articles already stored.
        self.port_base = port_base
        self.refused_url = ""
        self._servers: dict[str, _OutletServer] = {}
        self._threads: list[threading.Thread] = []
        self._release = threading.Event()       # set on stop() so held answers go out at once
        self._held = threading.Condition()
        self._holding = 0

    # lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> "DemoWeb":
        """Bind every outlet to a free port, render its routes for that port, and serve it from a thread."""
        self._release.clear()
        self.refused_url = f"http://{self.host}:{closed_port(self.host)}"
        try:
            ports = self._ports()
            for outlet, port in zip(self.frozen.outlets, ports):
                server = _OutletServer((self.host, port), _Handler)
                self._servers[outlet.name] = server
                server.web = self
                base_url = f"http://{self.host}:{server.server_address[1]}"
                server.routes = {path: self._prepare(route, base_url) for path, route in outlet.routes.items()}
        except BaseException:
            for server in self._servers.values():   # never leak bound sockets when data fails to load
                server.server_close()
            self._servers.clear()
            raise
        for name, server in self._servers.items():
            # A short poll interval keeps stop() fast: shutdown() waits for the next poll.
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"demoweb-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _ports(self) -> list[int]:
        """The port for each outlet: the block at port_base when every one of them is free, else 0 (any)."""
        count = len(self.frozen.outlets)
        if self.port_base is None:
            return [0] * count
        wanted = list(range(self.port_base, self.port_base + count))
        for port in wanted:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the servers bind
                try:
                    probe.bind((self.host, port))
                except OSError:
                    return [0] * count
        return wanted

    def stop(self) -> None:
        """Release every held answer, then shut every server down."""
        self._release.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> "DemoWeb":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _prepare(self, route: FrozenRoute, base_url: str) -> Prepared:
        body = route.render(read_body(self.data_dir, route), base_url, self.refused_url)
        headers = {"Content-Type": route.content_type}
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if route.status == 200:
            headers["ETag"] = etag_for(body)
        return Prepared(route, headers, body)

    def _hold(self) -> None:
        with self._held:
            self._holding += 1
            self._held.notify_all()
        try:
            self._release.wait(self.frozen.hold_seconds)
        finally:
            with self._held:
                self._holding -= 1
                self._held.notify_all()

    # what callers ask ----------------------------------------------------------------------------------
    @property
    def outlets(self) -> list[str]:
        """Names of the outlets, in the order they start."""
        return [o.name for o in self.frozen.outlets]

    def base_url(self, outlet: str) -> str:
        """e.g. 'http://127.0.0.1:41234' (no trailing slash); only while started."""
        return f"http://{self.host}:{self._servers[outlet].server_address[1]}"

    def sources_toml(self) -> str:
        """A crosswire sources file with one [[source]] per outlet, pointing at the running servers."""
        text = self.frozen.sources_toml
        for name in self.outlets:
            text = text.replace(source_base(name), self.base_url(name))
        return text

    def wait_holding(self, count: int, timeout: float) -> bool:
        """Wait until `count` answers are being held (a client is waiting on a page that never finishes)."""
        with self._held:
            return self._held.wait_for(lambda: self._holding >= count, timeout)
