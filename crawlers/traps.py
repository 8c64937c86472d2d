"""Spider-trap detection: calendar pages that never end, faceted URLs that multiply, paths that loop. Pure.

Each check looks at one URL (and, for calendars, today's date and the backfill date) and returns a short
reason when the URL should not be followed, or None.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from urllib.parse import parse_qsl, urlsplit

# Query parameters that filter or sort the same list of articles in another order.
FACET_PARAMS = re.compile(r"^(sort|order|orderby|sortby|filter|filters?\[.*\]|facet|f|view|display|layout|"
                          r"per_page|perpage|limit|format|tag|tags|category|type|lang)$", re.IGNORECASE)
# At most this many facet parameters: one filter is a section, three stacked are a combinatorial space.
MAX_FACETS = 2
# Oldest year a calendar page may plausibly hold news for.
OLDEST_YEAR = 1995

_YMD_PATH = re.compile(r"/((?:19|20|21|[3-9]\d)\d{2}|1[0-8]\d{2})(?:/(\d{1,2}))?(?:/(\d{1,2}))?(?=/|$)")
_DATE_PARAM = re.compile(r"^(date|day|month|year|d|m|y|from|to|cal|calendar)$", re.IGNORECASE)
_ISO_VALUE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def calendar_date(url: str) -> date | None:
    """The date a calendar-style URL points at (/archive/2024/03/ or ?date=2024-03-11), if any."""
    return _calendar(url)[0]


def _calendar(url: str) -> tuple[date | None, int]:
    """The date a URL points at and how many of year/month/day it gave (0 when none)."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        match = _ISO_VALUE.match(value.strip())
        if _DATE_PARAM.match(key) and match:
            return _to_date(*match.groups()), sum(1 for g in match.groups() if g)
    match = _YMD_PATH.search(parts.path)
    if not match:
        return None, 0
    return _to_date(*match.groups()), sum(1 for g in match.groups() if g)


def _to_date(year: str, month: str | None, day: str | None) -> date | None:
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


def calendar_trap(url: str, today: date, since: date | None = None) -> str | None:
    """Why a calendar URL leads nowhere: a date in the future, before any news, or before the backfill date."""
    when, precision = _calendar(url)
    if when is None:
        return None
    if when > today:
        return f"calendar page in the future ({when.isoformat()})"
    if when.year < OLDEST_YEAR:
        return f"calendar page before {OLDEST_YEAR} ({when.isoformat()})"
    # A year or month page covers the whole year or month: compare at the precision the URL gives.
    key = (when.year, when.month, when.day)[:precision]
    if since is not None and key < (since.year, since.month, since.day)[:precision]:
        return f"calendar page before --since ({when.isoformat()})"
    return None


def facet_trap(url: str, *, strict: bool = True) -> str | None:
    """Why a URL is a faceted variant of a list: stacked filters, a repeated parameter, a looping path.

    With strict=False the stacked-filter rule is left out: a publisher's own feed or sitemap may name an
    article "?id=5&lang=en&type=news&category=world", while a link scraped off a page with such a query is
    far more likely a filter.
    """
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    names = Counter(k.lower() for k, _ in params)
    repeated = [k for k, n in names.items() if n > 1]
    if repeated:
        return f"faceted URL: parameter {repeated[0]!r} repeated"
    facets = [k for k in names if FACET_PARAMS.match(k)]
    if strict and len(facets) > MAX_FACETS:
        return f"faceted URL: {len(facets)} filter parameters ({', '.join(sorted(facets))})"
    segments = [s for s in parts.path.split("/") if s]
    counts = Counter(segments)
    looping = [s for s, n in counts.items() if n > 2 and not s.isdigit()]
    if looping:
        return f"looping path: segment {looping[0]!r} repeated {counts[looping[0]]} times"
    if len(segments) > 12:
        return f"path {len(segments)} segments deep"
    return None


def trap_reason(url: str, today: date | datetime, since: date | datetime | None = None, *,
                navigation: bool = True, strict: bool = True) -> str | None:
    """The first trap reason that applies to `url`, or None when it looks safe to follow.

    Calendar checks apply to navigation (listing pages, sitemaps) only: an article URL's date is the
    article's own, judged by the backfill date elsewhere.
    """
    today = today.date() if isinstance(today, datetime) else today
    since = since.date() if isinstance(since, datetime) else since
    return facet_trap(url, strict=strict) or (calendar_trap(url, today, since) if navigation else None)
