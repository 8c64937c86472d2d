"""Single polite GETs outside a crawl (`crosswire extract URL`, `sources add`, `sources probe`), saved pages,
and the request headers the crawl and these GETs share.

The crawl fetches through Scrapy; these look at one page by hand, so they use the standard library and a
short timeout rather than a crawler. Like the crawl, they fetch http(s) only, redirects included, and send the
crawl's headers: its User-Agent, its default Accept and Accept-Language, and a source's own `headers`.
"""

from __future__ import annotations

import gzip
import http.client
import socket
import urllib.error
import urllib.request
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from crosswire.core.errors import ExtractionError
from crosswire.core.sources import Source
from crosswire.crawlers.settings import DEFAULT_REQUEST_HEADERS, USER_AGENT
from crosswire.identity.urls import unfetchable_reason

TIMEOUT_SECONDS = 15.0
# A news page is rarely over a few MB; more than this is a download, not an article.
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    """Raw page bytes with the URL they belong to and the server's Content-Type, if any."""

    body: bytes
    url: str
    content_type: str | None = None
    status: int = 200


class FetchError(Exception):
    """One GET failed; the message is the one line to show. `kind`: http, timeout, closed (the server hung up
    without answering), scheme, or connection (refused, DNS, TLS and the rest)."""

    def __init__(self, message: str, status: int = 0, kind: str = "connection") -> None:
        super().__init__(message)
        self.status = status
        self.kind = "http" if status else kind


def accept_language(language: str | None) -> str:
    """Accept-Language for an outlet writing in `language` (ISO 639-1): its language first, then English."""
    if not language or language == "en":
        return DEFAULT_REQUEST_HEADERS["Accept-Language"]
    return f"{language},en;q=0.7,*;q=0.5"


def source_headers(source: Source | None) -> dict[str, str]:
    """The headers a request for `source` adds to the defaults: Accept-Language for its language, then its own
    `headers` from the sources file (which the sources file never lets name User-Agent)."""
    if source is None:
        return {}
    out = {"Accept-Language": accept_language(source.language)} if source.language else {}
    out.update(source.headers)
    return out


def _said(reason: object) -> str:
    """An OS error's own words ("Connection refused", "Name or service not known") without its "[Errno 111]"."""
    words = reason.strerror if isinstance(reason, OSError) and reason.strerror else None
    return str(words or reason)


def is_web_url(text: str) -> bool:
    """Is `text` an http(s) URL rather than a path?"""
    return text.lower().startswith(("http://", "https://"))


def read_file(path: Path, url: str | None = None) -> Page:
    """A saved page; `.gz` files are decompressed; the URL defaults to the file's file:// URL."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExtractionError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ExtractionError(f"is a directory, not a page: {path}") from None
    except OSError as exc:
        raise ExtractionError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise ExtractionError(f"not a valid gzip file: {path}") from None
    return Page(body=data, url=url or path.resolve().as_uri())


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only: urllib would follow one to ftp:// (and its own file:// handler is
    there for the asking)."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        reason = unfetchable_reason(urljoin(req.full_url, newurl))
        if reason is not None:
            raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} refused: {reason}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


# Only the handlers an http(s) GET needs: no file://, ftp:// or data: handler to be talked into.
_OPENER = urllib.request.OpenerDirector()
for _handler in (urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(),
                 urllib.request.HTTPErrorProcessor(), _HttpOnlyRedirects()):
    _OPENER.add_handler(_handler)


def get(url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES, accept: str | None = None,
        headers: Mapping[str, str] | None = None) -> Page:
    """One GET of an http(s) URL with the crawl's headers (`accept` and `headers` on top of the defaults, the
    User-Agent always crosswire's), redirects followed to http(s) only; a body cut at `max_bytes` + 1 (the
    caller decides what too large means). Raises FetchError with one line."""
    reason = unfetchable_reason(url)
    if reason is not None:
        raise FetchError(f"cannot fetch {url}: {reason}", kind="scheme")
    sent = dict(DEFAULT_REQUEST_HEADERS)
    if accept:
        sent["Accept"] = accept
    sent.update(headers or {})
    sent.update({"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"})
    request = urllib.request.Request(url, headers=sent)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
            page = Page(body=data, url=response.geturl(), content_type=response.headers.get("Content-Type"),
                        status=response.status)
            encoding = (response.headers.get("Content-Encoding") or "").lower()
    except urllib.error.HTTPError as exc:
        exc.close()  # the error carries the open response; leaving it to GC leaks the socket
        raise FetchError(f"HTTP {exc.code} {exc.reason} fetching {url}", status=exc.code) from None
    except urllib.error.URLError as exc:
        timed_out = isinstance(exc.reason, socket.timeout)
        raise FetchError(f"cannot fetch {url}: {'timed out' if timed_out else _said(exc.reason)}",
                         kind="timeout" if timed_out else "connection") from None
    except (TimeoutError, socket.timeout):
        raise FetchError(f"cannot fetch {url}: timed out after {timeout:g}s", kind="timeout") from None
    except http.client.RemoteDisconnected:
        # Accepting the connection, then closing it unanswered: how nginx's 444 refuses a client.
        raise FetchError(f"cannot fetch {url}: the server closed the connection without answering",
                         kind="closed") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise FetchError(f"cannot fetch {url}: {_said(exc)}") from None
    if encoding == "gzip":
        try:
            page = Page(body=gzip.decompress(page.body), url=page.url, content_type=page.content_type,
                        status=page.status)
        except (OSError, EOFError, zlib.error):
            raise FetchError(f"broken gzip body from {url}") from None
    return page


def fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> Page:
    """One page for `crosswire extract`: a failure or a body over MAX_BYTES is one ExtractionError line."""
    try:
        page = get(url, timeout=timeout)
    except FetchError as exc:
        raise ExtractionError(str(exc)) from None
    if len(page.body) > MAX_BYTES:
        raise ExtractionError(f"page too large (over {MAX_BYTES // 1024 // 1024} MB): {url}")
    return page
