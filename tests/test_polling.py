"""Adaptive polling: rates, server hints, backoff with jitter, Retry-After, pausing. Clock and RNG injected."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from crosswire.crawlers import schedule
from crosswire.crawlers.schedule import DAY, HOUR, MINUTE, Decision, PollConfig

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
NO_JITTER = PollConfig(jitter=0.0)


def hours_ago(*hours: float) -> list[datetime]:
    return [NOW - timedelta(hours=h) for h in hours]


@pytest.mark.parametrize("published, expected", [
    ([], None),
    (hours_ago(1), None),
    (hours_ago(0, 2, 4, 6), 2 * HOUR),
    ([*hours_ago(0, 2, 2, 4), None], 2 * HOUR),     # duplicates and missing dates ignored
    (hours_ago(5, 5), None),                      # no span: no rate
])
def test_posting_interval(published, expected):
    assert expected == schedule.posting_interval(published)


def test_posting_interval_uses_newest_entries_only():
    # 20 entries an hour apart, then an old one from a month ago that must not slow the rate down.
    published = hours_ago(*range(20)) + [NOW - timedelta(days=30)]
    assert HOUR == schedule.posting_interval(published)


@pytest.mark.parametrize("header, expected", [
    (None, None), ("", None), ("no-cache", None),
    ("public, max-age=600", 600.0), ('max-age="120"', 120.0),
    ("max-age=60, s-maxage=900", 900.0),
])
def test_cache_max_age(header, expected):
    assert expected == schedule.cache_max_age(header)


@pytest.mark.parametrize("rate, ttl, max_age, expected", [
    (None, None, None, HOUR),                    # nothing known: default
    (2 * HOUR, None, None, HOUR),                # half the posting interval
    (10 * MINUTE, None, None, 15 * MINUTE),      # never under the minimum
    (3 * DAY, None, None, 12 * HOUR),            # never over the maximum
    (2 * HOUR, 3 * HOUR, None, 3 * HOUR),        # TTL is a floor the server asked for
    (2 * HOUR, None, 2 * HOUR, 2 * HOUR),        # so is max-age
    (2 * HOUR, 7 * DAY, None, 12 * HOUR),        # but the maximum still wins
])
def test_success_interval(rate, ttl, max_age, expected):
    assert expected == schedule.success_interval(rate=rate, ttl_seconds=ttl, max_age=max_age)


def test_after_success_uses_entries_ttl_and_cache_control():
    decision = schedule.after_success(NOW, published=hours_ago(0, 1, 2), ttl_minutes=45,
                                     cache_control="max-age=60")
    assert Decision(NOW + timedelta(minutes=45)) == decision


@pytest.mark.parametrize("failures, expected", [
    (1, 15 * MINUTE), (2, 30 * MINUTE), (3, HOUR), (4, 2 * HOUR), (7, 16 * HOUR), (8, DAY), (500, DAY),
])
def test_backoff_doubles_and_caps_without_jitter(failures, expected):
    assert expected == schedule.backoff_delay(failures, random.Random(1), NO_JITTER)


@pytest.mark.parametrize("failures", [1, 3, 9])
def test_backoff_jitter_stays_within_bounds_and_varies(failures):
    rng = random.Random(42)
    base = schedule.backoff_delay(failures, rng, NO_JITTER)
    delays = [schedule.backoff_delay(failures, rng) for _ in range(500)]
    assert all(base * 0.8 <= d <= base * 1.2 for d in delays)
    assert max(delays) - min(delays) > base * 0.3       # actually spread, not a constant
    assert len(set(delays)) == 500


def test_backoff_is_reproducible_with_a_seeded_rng():
    first = [schedule.backoff_delay(n, random.Random(7)) for n in range(1, 6)]
    again = [schedule.backoff_delay(n, random.Random(7)) for n in range(1, 6)]
    assert first == again


@pytest.mark.parametrize("value, expected", [
    (None, None), ("", None), ("soon", None),
    ("120", 120.0), (" 3600 ", 3600.0),
    ("Sun, 01 Mar 2026 12:30:00 GMT", 1800.0),
    ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),          # a date in the past: go now
])
def test_retry_after_seconds(value, expected):
    assert expected == schedule.retry_after_seconds(value, NOW)


def test_retry_after_is_honoured_when_longer_than_backoff():
    decision = schedule.after_failure(NOW, failures=1, failing_since=NOW, reason="HTTP 429",
                                     rng=random.Random(0), retry_after=6 * HOUR, config=NO_JITTER)
    assert Decision(NOW + timedelta(hours=6)) == decision


def test_retry_after_never_shortens_backoff():
    decision = schedule.after_failure(NOW, failures=4, failing_since=NOW - timedelta(hours=3), reason="HTTP 503",
                                     rng=random.Random(0), retry_after=10, config=NO_JITTER)
    assert Decision(NOW + timedelta(hours=2)) == decision


def test_feed_failing_for_days_is_paused_with_its_reason_and_still_probed():
    decision = schedule.after_failure(NOW, failures=30, failing_since=NOW - timedelta(days=8),
                                     reason="DNS lookup failed", rng=random.Random(0), config=NO_JITTER)
    assert Decision(NOW + timedelta(days=7), paused=True,
                    reason="paused after 30 failures over 8 days; last: DNS lookup failed") == decision


def test_a_feed_failing_for_less_than_the_pause_period_is_not_paused():
    decision = schedule.after_failure(NOW, failures=30, failing_since=NOW - timedelta(days=6, hours=23),
                                     reason="HTTP 500", rng=random.Random(0), config=NO_JITTER)
    assert (False, None) == (decision.paused, decision.reason)


@pytest.mark.parametrize("next_check, expected", [
    (None, True), ("", True), ("garbage", True),
    ("2026-03-01T11:59:59+00:00", True), ("2026-03-01T12:00:00+00:00", True),
    ("2026-03-01T12:00:01+00:00", False), ("2026-03-01T12:00:01", False),
])
def test_is_due(next_check, expected):
    assert expected == schedule.is_due(next_check, NOW)
