"""Attention charts: each group's share of articles matching a query, over time, as PNG or SVG.

Drawn with matplotlib's Agg backend (no display: charts are written from cron and servers). pyplot keeps
global state, so drawing is serialised: the web reader draws from several threads.

Groups often have the same share (0 % for most outlets on most days, 100 % for a small one), and lines drawn
over each other hide all but the last. So every series has its own marker shape and line style, and is
shifted sideways within its period (a "dodge"): equal values stand side by side instead of on top of each other.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 — the backend must be chosen before pyplot is imported

from crosswire.core.errors import QueryError  # noqa: E402
from crosswire.core.files import write_file  # noqa: E402
from crosswire.storage.attention import Cell  # noqa: E402

CHART_SERIES = 8            # lines drawn at most: the groups with the most matching articles
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")
DODGE = 0.5                 # the series of one period spread over this fraction of the gap between periods
_DRAW = threading.Lock()


def chart(cells: list[Cell], path: Path, *, title: str) -> Path:
    """Draw each group's share over time to a PNG or SVG file (chosen by the suffix), written whole."""
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise QueryError(f"{path}: the chart file must end in .png or .svg")
    return write_file(path, render(cells, suffix[1:], title))


def png(cells: list[Cell], title: str) -> bytes:
    """The chart of `cells` as PNG bytes."""
    return render(cells, "png", title)


def series(cells: list[Cell]) -> tuple[list[str], dict[str, list[tuple[float, float]]]]:
    """The periods, and for each drawn group (most matches first) its (x, share %) points, x dodged so no two
    groups share a point."""
    periods = sorted({c.period for c in cells})
    totals: dict[str, int] = {}
    for cell in cells:
        totals[cell.group] = totals.get(cell.group, 0) + cell.matches
    groups = sorted(totals, key=lambda g: (-totals[g], g))[:CHART_SERIES]
    share = {(c.period, c.group): c.share * 100 for c in cells}
    step = DODGE / max(len(groups) - 1, 1) if len(groups) > 1 else 0.0
    points = {}
    for k, group in enumerate(groups):
        offset = (k - (len(groups) - 1) / 2) * step
        points[group] = [(i + offset, share.get((p, group), 0.0)) for i, p in enumerate(periods)]
    return periods, points


def render(cells: list[Cell], fmt: str, title: str) -> bytes:
    """The chart as PNG or SVG bytes; each group's line carries the gid `series-<n>` in SVG."""
    periods, points = series(cells)
    with _DRAW:
        fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
        try:
            for k, (group, xy) in enumerate(points.items()):
                line, = ax.plot([x for x, _ in xy], [y for _, y in xy], label=group, marker=MARKERS[k % len(MARKERS)],
                                linestyle=LINESTYLES[k % len(LINESTYLES)], markersize=6, linewidth=1.4, alpha=0.9,
                                markeredgecolor="white", markeredgewidth=0.6)
                line.set_gid(f"series-{k}")
            ax.set_xticks(range(len(periods)), periods)
            ax.set_title(title)
            ax.set_ylabel("% of the group's articles")
            ax.set_xlabel("")
            ax.tick_params(axis="x", labelrotation=45)
            if points:
                ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
            fig.tight_layout()
            out = io.BytesIO()
            # Fixed metadata so the same data gives the same file (no creation date in the SVG/PNG).
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            fig.savefig(out, format=fmt, metadata=metadata)
        finally:
            plt.close(fig)
    return out.getvalue()
