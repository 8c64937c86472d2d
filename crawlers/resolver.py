"""A DNS resolver with pinned names and RFC 6761's `.invalid` failing locally."""

from __future__ import annotations

from typing import Any, Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError


class PinnedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, plus CROSSWIRE_HOSTS pins and no network query for `.invalid` names."""

    pins: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> "PinnedResolver":
        resolver = super().from_crawler(crawler, reactor)
        resolver.pins = {k.lower(): v for k, v in (crawler.settings.getdict("CROSSWIRE_HOSTS") or {}).items()}
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred:
        lowered = name.lower().rstrip(".")
        if lowered in self.pins:
            return defer.succeed(self.pins[lowered])
        if lowered == "invalid" or lowered.endswith(".invalid"):
            return defer.fail(DNSLookupError(f"{name}: no such host (.invalid never resolves)"))
        return super().getHostByName(name, timeout)
