"""Turning a failed request into a short kind and a human reason. Pure function of the failure."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as terror
from twisted.web.client import ResponseNeverReceived


def classify(exc: BaseException) -> tuple[str, str]:
    """(kind, reason) for a download failure: http, dns, timeout, connection, too-large, robots, ..."""
    if isinstance(exc, HttpError):
        status = exc.response.status
        return "http", f"HTTP {status}"
    if isinstance(exc, (CannotResolveHostError, terror.DNSLookupError)):
        text = str(exc)
        return "dns", text if text.lower().startswith("dns lookup failed") else f"DNS lookup failed: {text}"
    if isinstance(exc, (DownloadTimeoutError, terror.TimeoutError, terror.TCPTimedOutError)):
        return "timeout", "timed out"
    if isinstance(exc, (DownloadConnectionRefusedError, terror.ConnectionRefusedError)):
        return "connection", "connection refused"
    if isinstance(exc, DownloadCancelledError):
        text = str(exc)
        if "size" in text.lower():
            return "too-large", text or "response larger than the download limit"
        if not text:    # Scrapy cancels without a message only when the body passes DOWNLOAD_MAXSIZE
            return "too-large", "response larger than the download limit (DOWNLOAD_MAXSIZE)"
        return "cancelled", text
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        if getattr(exc, "kind", None):     # crosswire.crawlers.safety's refusals name their own kind
            return exc.kind, text
        if "DOWNLOAD_MAXSIZE" in text:      # a compressed body that inflates past the limit (gzip bomb)
            return "too-large", text
        return ("robots", "forbidden by robots.txt") if "robots" in text.lower() else ("ignored", text)
    if isinstance(exc, ResponseNeverReceived) or isinstance(exc.__cause__, ResponseNeverReceived):
        # Accepted, then closed before a word: how nginx's 444 turns a client away (ReliefWeb does, to scrapers).
        return "connection", "the server closed the connection without answering"
    if isinstance(exc, (ResponseDataLossError, DownloadFailedError, terror.ConnectionLost,
                        terror.ConnectionDone)):
        return "connection", f"connection lost: {exc}" if str(exc) else "connection lost"
    name = type(exc).__name__
    return "error", f"{name}: {exc}" if str(exc) else name


def failure_exception(failure: Any) -> BaseException:
    """The exception inside a Twisted Failure (or the exception itself)."""
    return getattr(failure, "value", failure)
