"""When to re-fetch a stored article to catch edits: at 1 h, 6 h, 24 h and 72 h after it was first seen.

Pure functions of the times involved; the caller supplies `now` (CROSSWIRE_NOW in a crawl), so tests
move the clock instead of sleeping.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

REVISIT_AFTER = (timedelta(hours=1), timedelta(hours=6), timedelta(hours=24), timedelta(hours=72))


def revisit_due(first_seen: datetime | None, fetched_at: datetime | None, now: datetime) -> bool:
    """Whether a revisit point (first_seen + 1/6/24/72 h) has passed since the page was last fetched."""
    if first_seen is None:
        return False
    last = fetched_at or first_seen
    passed = [first_seen + after for after in REVISIT_AFTER if first_seen + after <= now]
    return bool(passed) and passed[-1] > last


def crawl_now(value: str | None = None) -> datetime:
    """The crawl's clock: `value` (an ISO 8601 time, e.g. from CROSSWIRE_NOW) if given, else the real UTC now."""
    value = value or os.environ.get("CROSSWIRE_NOW")
    if value:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)
