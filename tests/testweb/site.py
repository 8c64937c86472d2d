"""One outlet of the test web: a table of routes, path -> handler, plus HTTP caching rules.

A handler takes a `Request` and returns a `Response` (a plain `(status, headers, body)` tuple). Later work
adds sitemaps, listing pages, redirects or hostile handlers by calling `Site.add` with a new path.
The server applies `conditional()` to every response so ETag / Last-Modified / 304 behave the same everywhere.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Callable, NamedTuple


@dataclass(frozen=True)
class Request:
    """What a handler sees of one HTTP request."""

    method: str
    path: str                       # path without the query string
    query: str                      # raw query string, "" when absent
    headers: dict[str, str]


class Response(NamedTuple):
    """What a handler returns."""

    status: int
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Request], Response]


@dataclass
class Route:
    """A handler and whether the server may answer conditional requests for it with 304."""

    handler: Handler
    conditional: bool = True


def http_date(moment: datetime) -> str:
    """An RFC 7231 date for headers, e.g. 'Mon, 11 Mar 2024 07:40:00 GMT'."""
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def etag_for(body: bytes) -> str:
    """A strong ETag derived from the body, so equal bodies share a tag."""
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def make_response(body: str | bytes, content_type: str, *, status: int = 200,
                  last_modified: datetime | None = None, encoding: str = "utf-8",
                  extra: dict[str, str] | None = None) -> Response:
    """A response with Content-Type and (optionally) Last-Modified; `conditional()` adds the ETag."""
    data = body if isinstance(body, bytes) else body.encode(encoding)
    headers = {"Content-Type": content_type}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    headers.update(extra or {})
    return Response(status, headers, data)


def html_page(body: str, *, status: int = 200, last_modified: datetime | None = None) -> Response:
    """A UTF-8 HTML response."""
    return make_response(body, "text/html; charset=utf-8", status=status, last_modified=last_modified)


def not_found(request: Request) -> Response:
    """The 404 page every outlet shares."""
    path = html.escape(request.path)
    return html_page(
        f"<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
        f"<body><h1>Not Found</h1><p>No page at {path}.</p></body></html>",
        status=404,
    )


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    # Weak comparison, as RFC 7232 asks for If-None-Match.
    return "*" in tags or etag in tags or f"W/{etag}" in tags


def conditional(request: Request, response: Response, *, enabled: bool = True) -> Response:
    """Add ETag to a 200 response and answer 304 when the client's validators still match."""
    if response.status != 200:
        return response
    headers = dict(response.headers)
    headers.setdefault("ETag", etag_for(response.body))
    if not enabled:
        return Response(response.status, headers, response.body)
    not_modified = Response(304, {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}, b"")
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        # If-None-Match wins over If-Modified-Since when both are sent (RFC 7232 section 6).
        return not_modified if _etag_matches(if_none_match, headers["ETag"]) else Response(200, headers, response.body)
    since, modified = request.headers.get("If-Modified-Since"), headers.get("Last-Modified")
    if since and modified:
        try:
            if parsedate_to_datetime(modified) <= parsedate_to_datetime(since):
                return not_modified
        except (TypeError, ValueError):
            pass  # an unparseable date means "send the full response"
    return Response(200, headers, response.body)


@dataclass
class Site:
    """One fictional outlet: its name, base URL once bound, and its routes."""

    name: str
    base_url: str
    routes: dict[str, Route] = field(default_factory=dict)
    sitemaps: list[str] = field(default_factory=list)   # paths announced in robots.txt
    disallow: list[str] = field(default_factory=list)   # paths robots.txt forbids

    def __post_init__(self) -> None:
        self.add("/robots.txt", self._robots)

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return self.base_url + path

    def add(self, path: str, handler: Handler, *, conditional: bool = True) -> None:
        """Register (or replace) the handler for an exact path."""
        self.routes[path] = Route(handler, conditional)

    def add_static(self, path: str, body: str | bytes, content_type: str,
                   last_modified: datetime | None = None) -> None:
        """Register a fixed body at a path."""
        response = make_response(body, content_type, last_modified=last_modified)
        self.add(path, lambda request: response)

    def handle(self, request: Request) -> Response:
        """Route one request and apply the caching rules; unknown paths get the 404 page."""
        route = self.routes.get(request.path)
        if route is None:
            return not_found(request)
        return conditional(request, route.handler(request), enabled=route.conditional)

    def _robots(self, request: Request) -> Response:
        lines = ["User-agent: *"]
        lines += [f"Disallow: {p}" for p in self.disallow] or ["Disallow:"]
        lines += [f"Sitemap: {self.url(p)}" for p in self.sitemaps]
        return make_response("\n".join(lines) + "\n", "text/plain; charset=utf-8")
