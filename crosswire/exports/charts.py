"""Attention charts: each group's share of articles matching a query, over time, as PNG or SVG.

Drawn with matplotlib's Agg backend (no display: charts are written from cron and servers). pyplot keeps
global state, so drawing is serialised: the web reader draws from several threads.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 — the backend must be chosen before pyplot is imported

from crosswire.core.errors import QueryError  # noqa: E402
from crosswire.storage.attention import Cell  # noqa: E402

CHART_SERIES = 8            # lines drawn at most: the groups with the most matching articles
_DRAW = threading.Lock()


def chart(cells: list[Cell], path: Path, *, title: str) -> Path:
    """Draw each group's share over time to a PNG or SVG file (chosen by the suffix)."""
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise QueryError(f"{path}: the chart file must end in .png or .svg")
    with _DRAW:
        _draw(cells, path, suffix, title)
    return path


def _draw(cells: list[Cell], path: Path, suffix: str, title: str) -> None:
    periods = sorted({c.period for c in cells})
    totals: dict[str, int] = {}
    for cell in cells:
        totals[cell.group] = totals.get(cell.group, 0) + cell.matches
    groups = sorted(totals, key=lambda g: (-totals[g], g))[:CHART_SERIES]
    share = {(c.period, c.group): c.share * 100 for c in cells}
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    for group in groups:
        ax.plot(periods, [share.get((p, group), 0.0) for p in periods], marker="o", label=group)
    ax.set_title(title)
    ax.set_ylabel("% of the group's articles")
    ax.set_xlabel("")
    ax.tick_params(axis="x", labelrotation=45)
    if groups:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Fixed metadata so the same data gives the same file (no creation date in the SVG/PNG).
    metadata = {"Date": None} if suffix == ".svg" else {"Software": None}
    fig.savefig(path, format=suffix[1:], metadata=metadata)
    plt.close(fig)


def png(cells: list[Cell], title: str) -> bytes:
    """The chart of `cells` as PNG bytes."""
    with tempfile.TemporaryDirectory(prefix="crosswire-chart-") as tmp:
        return chart(cells, Path(tmp) / "attention.png", title=title).read_bytes()
