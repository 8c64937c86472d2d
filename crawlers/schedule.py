"""When to poll a feed next: pure functions of what we observed; the clock and the RNG are arguments.

    after a success   next = now + clamp(max(half the posting interval, TTL, Cache-Control max-age), min, max)
    after a failure   next = now + max(backoff, Retry-After), backoff = base * 2**(n-1) capped, +-jitter
    failing N days    the feed is paused (kept, with its reason) and re-probed every `paused_recheck`

Polling at half the observed interval between posts means a new article waits at most about half a
posting gap; the server's own TTL / max-age are a floor (it asked us not to come sooner); the configured
minimum protects the site and the maximum keeps a quiet feed from being forgotten.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Iterable

from crosswire.core.times import now_utc, parse_iso

MINUTE = 60.0
HOUR = 60 * MINUTE
DAY = 24 * HOUR


@dataclass(frozen=True)
class PollConfig:
    """Polling limits, in seconds (settings CROSSWIRE_POLL_* override them)."""

    min_interval: float = 15 * MINUTE       # never poll a feed more often than this
    max_interval: float = 12 * HOUR         # never leave a working feed longer than this
    default_interval: float = 1 * HOUR      # when the feed gives no dates to learn a rate from
    backoff_base: float = 15 * MINUTE       # wait after the first failure
    backoff_max: float = 1 * DAY            # longest wait between retries of a failing feed
    jitter: float = 0.2                     # +-20 % so many failing feeds don't retry in lockstep
    pause_after_days: float = 7.0           # failing this long -> paused
    paused_recheck: float = 7 * DAY         # a paused feed is still probed this often


@dataclass(frozen=True)
class Decision:
    """The outcome for one feed: when to look again, and whether it is now paused (and why)."""

    next_check: datetime
    paused: bool = False
    reason: str | None = None


def posting_interval(published: Iterable[datetime | None], *, limit: int = 20) -> float | None:
    """Mean seconds between the newest `limit` distinct posting times, or None with fewer than two."""
    times = sorted({t for t in published if t is not None}, reverse=True)[:limit]
    if len(times) < 2:
        return None
    span = (times[0] - times[-1]).total_seconds()
    return span / (len(times) - 1) if span > 0 else None


def cache_max_age(cache_control: str | None) -> float | None:
    """Seconds from a Cache-Control header's s-maxage or max-age directive, else None."""
    if not cache_control:
        return None
    found = {}
    for name, value in re.findall(r"(s-maxage|max-age)\s*=\s*\"?(\d+)", cache_control.lower()):
        found[name] = float(value)
    return found.get("s-maxage", found.get("max-age"))


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def clamp(value: float, low: float, high: float) -> float:
    """`value` limited to [low, high]."""
    return max(low, min(high, value))


def success_interval(*, rate: float | None, ttl_seconds: float | None = None,
                     max_age: float | None = None, config: PollConfig = PollConfig()) -> float:
    """Seconds until the next poll of a feed that just worked."""
    interval = rate / 2 if rate else config.default_interval
    hints = [h for h in (ttl_seconds, max_age) if h]
    if hints:
        interval = max(interval, *hints)
    return clamp(interval, config.min_interval, config.max_interval)


def backoff_delay(failures: int, rng: random.Random, config: PollConfig = PollConfig()) -> float:
    """Exponential backoff for the n-th consecutive failure (n >= 1), capped, with +-jitter."""
    exponent = min(max(failures, 1) - 1, 32)   # 2**32 * base is far past any cap; avoid huge floats
    delay = min(config.backoff_base * 2 ** exponent, config.backoff_max)
    return delay * rng.uniform(1 - config.jitter, 1 + config.jitter)


def after_success(now: datetime, *, published: Iterable[datetime | None] = (), ttl_minutes: float | None = None,
                  cache_control: str | None = None, config: PollConfig = PollConfig()) -> Decision:
    """The next check of a feed that answered 200 or 304 (a success also un-pauses it)."""
    interval = success_interval(rate=posting_interval(published),
                                ttl_seconds=ttl_minutes * MINUTE if ttl_minutes else None,
                                max_age=cache_max_age(cache_control), config=config)
    return Decision(now + timedelta(seconds=interval))


def after_failure(now: datetime, *, failures: int, failing_since: datetime | None, reason: str,
                  rng: random.Random, retry_after: float | None = None,
                  config: PollConfig = PollConfig()) -> Decision:
    """The next check of a feed whose fetch failed for the `failures`-th time in a row."""
    delay = backoff_delay(failures, rng, config)
    if retry_after is not None:
        delay = max(delay, retry_after)     # the server said when; never come back sooner
    since = failing_since or now
    days = (now - since).total_seconds() / DAY
    if failures >= 2 and days >= config.pause_after_days:
        why = f"paused after {failures} failures over {days:.0f} days; last: {reason}"
        return Decision(now + timedelta(seconds=max(delay, config.paused_recheck)), paused=True, reason=why)
    return Decision(now + timedelta(seconds=delay))


def is_due(next_check: str | None, now: datetime) -> bool:
    """Whether a feed whose stored next_check is `next_check` (ISO 8601 or None) should be polled at `now`."""
    when = parse_iso(next_check)
    # A feed never polled is due, and an unreadable schedule must never stop a feed from being polled.
    return when is None or when <= now


def failure_decision(state: dict[str, Any], now: datetime, config: PollConfig, rng: random.Random, *,
                     reason: str, retry_after: str | None) -> tuple[Decision, float | None]:
    """The next check of a feed (its stored row `state`) that just failed, and the server's Retry-After in
    seconds when it sent one."""
    wait = retry_after_seconds(retry_after, now)
    decision = after_failure(now, failures=int(state.get("consecutive_failures") or 0) + 1,
                             failing_since=parse_iso(state.get("failing_since")) or now, reason=reason, rng=rng,
                             retry_after=wait, config=config)
    return decision, wait


# Scrapy setting -> PollConfig field; values in seconds (days for the pause period).
SETTINGS = {
    "CROSSWIRE_POLL_MIN": "min_interval",
    "CROSSWIRE_POLL_MAX": "max_interval",
    "CROSSWIRE_POLL_DEFAULT": "default_interval",
    "CROSSWIRE_BACKOFF_BASE": "backoff_base",
    "CROSSWIRE_BACKOFF_MAX": "backoff_max",
    "CROSSWIRE_PAUSE_AFTER_DAYS": "pause_after_days",
}


def poll_config(settings: Any) -> PollConfig:
    """PollConfig from Scrapy settings; unset ones keep PollConfig's defaults."""
    values = {name: settings.getfloat(key) for key, name in SETTINGS.items() if settings.get(key) is not None}
    return PollConfig(**values)


def crawl_clock(settings: Any) -> datetime:
    """The crawl's clock: CROSSWIRE_NOW (ISO 8601, for tests and replays) or the real time."""
    return now_utc(settings.get("CROSSWIRE_NOW"))
