"""`crosswire crawl -s NAME=VALUE`: settings for one run, checked before anything starts.

Any Scrapy setting may be given; the ones crosswire documents (README, crawlers/settings.py) are checked for
type and range here, so a typo is one clear line (exit 2) rather than a Twisted traceback mid-crawl or, for a
negative concurrency, a crawl that never ends.
"""

from __future__ import annotations

import json
import math
from typing import Callable, Iterable

from crosswire.core.errors import UsageError
from crosswire.core.times import parse_iso


def _number(minimum: float, *, above: bool = False, integer: bool = False) -> Callable[[str], str | None]:
    """A check that the value is a (whole) number >= `minimum` (> with `above`)."""
    def check(value: str) -> str | None:
        try:
            number = float(value)
        except ValueError:
            return "a whole number" if integer else "a number"
        if integer and (not number.is_integer() or not value.strip().lstrip("+-").isdigit()):
            return "a whole number"
        if math.isnan(number) or math.isinf(number) or number < minimum or (above and number == minimum):
            bound = f"> {minimum:g}" if above else f">= {minimum:g}"
            return f"{'a whole number' if integer else 'a number'} {bound}"
        return None
    return check


def _boolean(value: str) -> str | None:
    return None if value.strip().lower() in ("true", "false", "1", "0", "yes", "no", "on", "off") else "true or false"


def _iso_time(value: str) -> str | None:
    return None if parse_iso(value) is not None else "an ISO 8601 time like 2026-03-01T06:00:00+00:00"


def _hosts(value: str) -> str | None:
    try:
        hosts = json.loads(value)
    except json.JSONDecodeError:
        return 'a JSON object like {"outlet.example": "127.0.0.1"}'
    ok = isinstance(hosts, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in hosts.items())
    return None if ok else 'a JSON object like {"outlet.example": "127.0.0.1"}'


# The settings crosswire documents, and what each must hold.
CHECKS: dict[str, Callable[[str], str | None]] = {
    "DOWNLOAD_DELAY": _number(0),
    "DOWNLOAD_DELAY_JITTER": _number(0),
    "DOWNLOAD_TIMEOUT": _number(0, above=True),
    "DOWNLOAD_MAXSIZE": _number(0, integer=True),
    "DOWNLOAD_WARNSIZE": _number(0, integer=True),
    "DNS_TIMEOUT": _number(0, above=True),
    "CONCURRENT_REQUESTS": _number(1, integer=True),
    "CONCURRENT_REQUESTS_PER_DOMAIN": _number(1, integer=True),
    "CONCURRENT_ITEMS": _number(1, integer=True),
    "RETRY_TIMES": _number(0, integer=True),
    "REDIRECT_MAX_TIMES": _number(0, integer=True),
    "ROBOTSTXT_OBEY": _boolean,
    "RETRY_ENABLED": _boolean,
    "AUTOTHROTTLE_ENABLED": _boolean,
    "AUTOTHROTTLE_START_DELAY": _number(0),
    "AUTOTHROTTLE_MAX_DELAY": _number(0),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": _number(0, above=True),
    "CLOSESPIDER_TIMEOUT": _number(0),
    "CROSSWIRE_EXTRACT_WORKERS": _number(0, integer=True),
    "CROSSWIRE_BLOCK_PRIVATE": _boolean,
    "CROSSWIRE_MAX_RUN": _number(0, above=True),
    "CROSSWIRE_BUSY_TIMEOUT": _number(0),
    "CROSSWIRE_STORE_BATCH": _number(1, integer=True),
    "CROSSWIRE_STORE_LINGER": _number(0),
    "CROSSWIRE_POLL_MIN": _number(0, above=True),
    "CROSSWIRE_POLL_MAX": _number(0, above=True),
    "CROSSWIRE_POLL_DEFAULT": _number(0, above=True),
    "CROSSWIRE_BACKOFF_BASE": _number(0, above=True),
    "CROSSWIRE_BACKOFF_MAX": _number(0, above=True),
    "CROSSWIRE_PAUSE_AFTER_DAYS": _number(0, above=True),
    "CROSSWIRE_NOW": _iso_time,
    "CROSSWIRE_SINCE": _iso_time,
    "CROSSWIRE_HOSTS": _hosts,
    "CROSSWIRE_WORKER_TIMEOUT": _number(0, above=True),
    "CROSSWIRE_WORKER_WAIT": _number(0, above=True),
}


def parse_setting_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """`NAME=VALUE` strings from `-s` into a dict; a malformed pair or a documented setting's bad value is a
    UsageError naming the setting and what it must hold."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"-s {pair!r}: expected NAME=VALUE, e.g. -s DOWNLOAD_DELAY=2")
        check = CHECKS.get(name)
        wanted = check(value) if check is not None else None
        if wanted is not None:
            raise UsageError(f"-s {name}={value}: expected {wanted}")
        out[name] = value
    return out
