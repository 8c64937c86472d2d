"""Times as crosswire stores and shows them: one format, one parser, one clock.

Stored times are ISO 8601 in UTC to the second (`2026-02-03T06:52:00+00:00`): they sort as text, SQLite's
date functions read them, and Datasette shows them as they are. A time without an offset is taken as UTC.
The clock can be pinned (CROSSWIRE_NOW, an ISO time) so that tests and replays move time instead of
sleeping.
"""

from __future__ import annotations

from datetime import datetime, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_iso(value: object) -> datetime | None:
    """An ISO 8601 string (a trailing Z allowed) as an aware UTC datetime, naive meaning UTC; else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    return aware(moment)


def aware(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def iso(moment: datetime) -> str:
    """The one stored format: UTC, to the second, with its +00:00 offset."""
    return aware(moment).isoformat(timespec="seconds")


def now_utc(pinned: str | None = None) -> datetime:
    """The clock: the pinned ISO time when one is given (CROSSWIRE_NOW), else the real time in UTC."""
    if pinned:
        moment = parse_iso(pinned)
        if moment is not None:
            return moment
    return datetime.now(timezone.utc)


def utcnow() -> str:
    """Now, in the stored format."""
    return iso(datetime.now(timezone.utc))


def epoch_seconds(value: str | None) -> float:
    """Seconds since 1970 of a stored time; 0.0 when missing or unreadable."""
    moment = parse_iso(value)
    return moment.timestamp() if moment is not None else 0.0


def rfc3339(moment: datetime) -> str:
    """UTC with a Z, as Atom and JSON Feed want it."""
    return aware(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(moment: datetime) -> str:
    """A compact UTC stamp for file names: 20260301T120000Z."""
    return aware(moment).strftime("%Y%m%dT%H%M%SZ")


def minute(value: str | None) -> str:
    """A stored time shown to a reader: 'YYYY-MM-DD HH:MM UTC', a bare date as it is, '' when missing."""
    if not value:
        return ""
    moment = parse_iso(value)
    if moment is None:
        return value
    if len(value) <= 10:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M UTC")
