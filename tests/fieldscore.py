"""Metadata-extraction quality, scored the way users judge it (see ../shared/data/metadata-dev/README.md).

Title: exact after collapsing whitespace and casefolding. Published: within one day of the expected time
(a naive expected time is taken as UTC: the one-day margin absorbs the unknown offset). Authors: F1 of the
normalised name sets per page, averaged over the pages where either side names someone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from statistics import mean

_WS = re.compile(r"\s+")


def norm_title(title: str | None) -> str:
    """A title with whitespace collapsed and case folded."""
    return _WS.sub(" ", title or "").strip().casefold()


def title_match(expected: str, got: str | None) -> bool:
    """Whether two titles are the same after whitespace collapse and casefolding."""
    return bool(got) and norm_title(expected) == norm_title(got)


def _aware(value: datetime | str) -> datetime:
    """A timezone-aware datetime (naive ones taken as UTC)."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def date_match(expected: datetime | str, got: datetime | str | None) -> bool:
    """Whether a found date lies within one day of the expected one."""
    return got is not None and abs(_aware(expected) - _aware(got)) <= timedelta(days=1)


def norm_name(name: str) -> str:
    """A name compared loosely: Unicode-normalised, casefolded, whitespace collapsed, edge punctuation off."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", name)).strip(" .,;:-–—").casefold()


def authors_f1(expected: Iterable[str], got: Iterable[str]) -> float | None:
    """F1 of the two normalised name sets; None when neither side names anyone (the page is not scored)."""
    want = {norm_name(n) for n in expected if n and n.strip()}
    have = {norm_name(n) for n in got if n and n.strip()}
    if not want and not have:
        return None
    shared = len(want & have)
    if not shared:
        return 0.0
    precision, recall = shared / len(have), shared / len(want)
    return 2 * precision * recall / (precision + recall)


def summarise(titles: list[bool], dates: list[bool], authors: list[float | None]) -> dict[str, float]:
    """Share of titles right, share of dates within a day, and mean authors F1 over the scored pages."""
    scored = [a for a in authors if a is not None]
    return {
        "title": mean(titles) if titles else 0.0,
        "published": mean(dates) if dates else 0.0,
        "authors": mean(scored) if scored else 0.0,
    }
