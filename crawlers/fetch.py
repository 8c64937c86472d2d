"""One page's bytes for `crosswire extract`: a saved file (.html or .html.gz) or a single polite HTTP GET.

The crawl fetches through Scrapy; this is only for looking at one page by hand, so it uses the standard
library and a short timeout rather than a crawler.
"""

from __future__ import annotations

import gzip
import socket
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

from crosswire import PROJECT_URL, __version__
from crosswire.core.errors import ExtractionError

USER_AGENT = f"crosswire/{__version__} (+{PROJECT_URL})"
TIMEOUT_SECONDS = 15.0
# A news page is rarely over a few MB; more than this is a download, not an article.
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    """Raw page bytes with the URL they belong to and the server's Content-Type, if any."""

    body: bytes
    url: str
    content_type: str | None = None


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


def fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> Page:
    """GET one page with crosswire's User-Agent; HTTP and network failures become one-line errors."""
    request = urllib.request.Request(
        url,
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                 "Accept-Encoding": "gzip"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 -- http(s) only, checked by caller
            data = response.read(MAX_BYTES + 1)
            final_url = response.geturl()
            content_type = response.headers.get("Content-Type")
            encoding = (response.headers.get("Content-Encoding") or "").lower()
    except urllib.error.HTTPError as exc:
        exc.close()  # the error carries the open response; leaving it to GC leaks the socket
        raise ExtractionError(f"HTTP {exc.code} {exc.reason} fetching {url}") from None
    except urllib.error.URLError as exc:
        reason = "timed out" if isinstance(exc.reason, socket.timeout) else exc.reason
        raise ExtractionError(f"cannot fetch {url}: {reason}") from None
    except (TimeoutError, socket.timeout):
        raise ExtractionError(f"cannot fetch {url}: timed out after {timeout:g}s") from None
    except (OSError, ValueError) as exc:
        raise ExtractionError(f"cannot fetch {url}: {exc}") from None
    if len(data) > MAX_BYTES:
        raise ExtractionError(f"page too large (over {MAX_BYTES // 1024 // 1024} MB): {url}")
    if encoding == "gzip":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise ExtractionError(f"broken gzip body from {url}") from None
    return Page(body=data, url=final_url, content_type=content_type)
