"""Downloader middlewares that keep an unattended crawl safe for the sites and for the host it runs on.

    SchemeGuardMiddleware            only http(s) URLs are ever fetched (redirect targets included).

    BlockPrivateAddressesMiddleware  CROSSWIRE_BLOCK_PRIVATE = True refuses requests (redirect targets
                                     included) whose host resolves to a private, loopback, link-local,
                                     multicast, reserved or unspecified address: for hosted setups where a
                                     sources file or a feed's links must not reach the internal network.
                                     Off by default (a laptop user may crawl an intranet, and the local
                                     test web lives on 127.0.0.1).
    RedirectLoopMiddleware           a redirect back to a URL already in the chain fails at once with the
                                     loop in its reason (otherwise the duplicate filter drops it silently);
                                     a redirect to a non-http(s) URL fails naming it.
    ScriptRefreshMiddleware          a page whose <meta http-equiv="refresh"> points at javascript:, data:
                                     or any non-HTTP URL is kept as it is instead of "following" it (which
                                     would fail the request and lose the article).
    MetaRefreshMiddleware            Scrapy's own, run only for a page whose first bytes can hold a refresh:
                                     Scrapy decodes every HTML page to look for one (~1 ms of the crawling
                                     process's CPU a page), and almost none has one.
    RetryAfterMiddleware             a 429/503 carrying Retry-After is not retried at once (Scrapy's retry
                                     would ignore the header) and the rest of this run leaves that host alone.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import get_meta_refresh

from crosswire.core.times import now_utc
from crosswire.crawlers.schedule import retry_after_seconds
from crosswire.identity.urls import unfetchable_reason


class UnsupportedSchemeError(IgnoreRequest):
    """A request for a URL crosswire never fetches (file:, ftp:, data:, ...): refused before any handler."""

    kind = "scheme"


class SchemeGuardMiddleware:
    """Only http(s) requests reach a download handler: a feed, sitemap, listing or redirect naming file://
    would make the crawl read local files, and ftp:// hangs past every timeout. Runs for every request,
    redirects included, before anything else."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> "SchemeGuardMiddleware":
        return cls()

    def process_request(self, request: Request, spider: Any = None) -> None:
        reason = unfetchable_reason(request.url)
        if reason is not None:
            raise UnsupportedSchemeError(reason)


class BlockedAddressError(IgnoreRequest):
    """A request refused because its host resolves to a non-public address."""

    kind = "blocked"


class RateLimitedError(IgnoreRequest):
    """A request not sent because its host asked us (Retry-After) to stay away for now."""

    kind = "rate-limited"


def is_public(address: str) -> bool:
    """Whether an IP address is a routable public one (not private, loopback, link-local, ... )."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped      # ::ffff:127.0.0.1 is loopback too
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified)


class BlockPrivateAddressesMiddleware:
    """Refuse requests to non-public addresses; runs for every request, so redirects are checked too."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "BlockPrivateAddressesMiddleware":
        if not crawler.settings.getbool("CROSSWIRE_BLOCK_PRIVATE"):
            raise NotConfigured
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlparse_cached(request).hostname
        if not host:
            return
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError:
            # Imported here, not at the top: importing twisted.internet.reactor installs Twisted's default
            # reactor, and Scrapy must install its asyncio reactor first.
            from twisted.internet import reactor

            # The reactor's resolver is Scrapy's caching one, so the connection uses the address checked here.
            address = await maybe_deferred_to_future(reactor.resolve(host))
        if not is_public(address):
            raise BlockedAddressError(f"blocked: {host} resolves to non-public address {address} "
                                      f"(CROSSWIRE_BLOCK_PRIVATE is on)")


class RetryAfterMiddleware:
    """Honour Retry-After on 429/503: no immediate retries, and no more requests to that host this run."""

    STATUSES = (429, 503)

    def __init__(self) -> None:
        self.wait_until: dict[str, float] = {}     # host -> time.monotonic() before which we stay away

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RetryAfterMiddleware":
        return cls()

    def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlparse_cached(request).netloc     # host:port, the unit a server rate-limits
        until = self.wait_until.get(host)
        if until is not None and time.monotonic() < until and not request.meta.get("dont_obey_robotstxt"):
            raise RateLimitedError(f"skipped: {host} answered 429/503 with Retry-After "
                                f"{until - time.monotonic():.0f}s still to wait")

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status in self.STATUSES and response.headers.get("Retry-After"):
            value = response.headers.get("Retry-After").decode("latin-1")
            wait = retry_after_seconds(value, now_utc())
            if wait is not None:
                request.meta["dont_retry"] = True      # RetryMiddleware (550) sees this response after us
                host = urlparse_cached(request).netloc
                self.wait_until[host] = time.monotonic() + wait
        return response


# Scrapy looks for a refresh in the first 4,096 characters of the decoded page: at most 4 bytes each.
REFRESH_SCAN_BYTES = 4 * 4096


def may_refresh(body: bytes) -> bool:
    """Whether a page's first characters can hold a <meta http-equiv="refresh">: the word itself in its bytes
    (w3lib too finds it only spelled out), or NUL bytes (UTF-16 or UTF-32, where the bytes cannot tell)."""
    head = body[:REFRESH_SCAN_BYTES]
    return b"refresh" in head.lower() or b"\x00" in head


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware (METAREFRESH_* settings), skipped for a page that cannot hold a refresh."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if not isinstance(response, HtmlResponse) or not may_refresh(response.body):
            return response
        return super().process_response(request, response)


class ScriptRefreshMiddleware:
    """Don't follow a meta refresh to a non-HTTP URL (javascript:, data:, ...); keep the page instead."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ScriptRefreshMiddleware":
        return cls()

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:

        if isinstance(response, HtmlResponse) and may_refresh(response.body):
            _, url = get_meta_refresh(response)
            if url and not url.lower().startswith(("http://", "https://")):
                request.meta["dont_redirect"] = True    # MetaRefreshMiddleware (580) sees this after us
        return response


class RedirectLoopError(IgnoreRequest):
    """A redirect chain that comes back to a URL it already visited."""

    kind = "redirect-loop"


class RedirectLoopMiddleware:
    """Fail a redirect that returns to a URL already in its chain, naming the loop; and one to a URL crosswire
    never fetches (file:, ftp: ...), naming it (Scrapy would only say "HTTP 302")."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RedirectLoopMiddleware":
        return cls()

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        location = response.headers.get("Location")
        if 300 <= response.status < 400 and location:
            target = urljoin(request.url, location.decode("latin-1"))
            reason = unfetchable_reason(target)
            if reason is not None:
                raise UnsupportedSchemeError(f"redirect to {target} refused: {reason}")
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if target in chain:
                loop = " -> ".join([*chain[chain.index(target):], target])
                raise RedirectLoopError(f"redirect loop: {loop}")
        return response
