"""Attention over time for the browser: the view a page asks for, a story's default view, and a cache of
drawn charts (crosswire.exports.charts draws them)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable
from urllib.parse import urlencode

from crosswire.core.times import parse_iso

WINDOW_DAYS = 7          # a story's chart covers this many days either side of its span
PLACES = 2               # the story's most named places make its attention query


@dataclass(frozen=True)
class AttentionView:
    """What the attention page and image need: the query and its options, already checked."""

    q: str
    by: str = "source"
    interval: str = "day"
    since: str = ""
    until: str = ""

    def params(self) -> str:
        """The URL query string for this view (same for the page and the image)."""
        fields = {"q": self.q, "by": self.by, "interval": self.interval, "since": self.since, "until": self.until}
        return urlencode({k: v for k, v in fields.items() if v})

    def title(self) -> str:
        """The chart's title."""
        return f"{self.q} — share of articles by {self.by}, per {self.interval}"


def story_view(report: dict[str, Any]) -> AttentionView | None:
    """The attention view for a comparison: the story's most named places, a week either side of it."""
    places = [name for name, count in (report.get("places") or {}).items() if count >= 2][:PLACES]
    story = report.get("story") or {}
    first, last = parse_iso(story.get("first_published")), parse_iso(story.get("last_published"))
    if not places or first is None or last is None:
        return None
    query = " OR ".join(f'"{p}"' if " " in p else p for p in places if '"' not in p)
    return AttentionView(q=query, by="source", interval="day",
                         since=(first - timedelta(days=WINDOW_DAYS)).date().isoformat(),
                         until=(last + timedelta(days=WINDOW_DAYS)).date().isoformat())   # inclusive, as typed


class ChartCache:
    """The last few charts drawn, by view and archive state: matplotlib takes ~0.5 s a chart, a lookup none."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Callable[[], bytes]) -> bytes:
        """The chart for `key`, drawn by `make` when not cached (the key must change when the data does)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        body = make()
        with self._lock:
            self._items[key] = body
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return body


def group_totals(cells: list[Any]) -> list[tuple[str, int, int]]:
    """(group, matching articles, all articles) over the whole range, most matches first."""
    sums: dict[str, list[int]] = {}
    for cell in cells:
        entry = sums.setdefault(cell.group, [0, 0])
        entry[0] += cell.matches
        entry[1] += cell.total
    return sorted(((g, m, t) for g, (m, t) in sums.items()), key=lambda row: (-row[1], row[0]))
