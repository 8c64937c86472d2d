"""The comparison page's data, taken from issue 6's crosswire.compare (a plain timeline until it is there)."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def comparison(db: sqlite_utils.Database, story: dict[str, Any], articles: list[dict[str, Any]]) -> dict[str, Any]:
    """Timeline, per-outlet headline/lede, distinctive words and missing facts for one story."""
    first = articles[0]["time"] if articles else 0.0
    timeline = [{"id": a["id"], "source": a["source"], "outlet": a.get("source_title") or a["source"],
                 "title": a["title"], "lede": a.get("lede"), "published": a.get("published") or a.get("first_seen"),
                 "lag": a["time"] - first, "is_copy": a.get("family_role") == "copy", "country": a.get("country"),
                 "tags": a.get("tags") or []} for a in articles]
    outlets: dict[str, dict[str, Any]] = {}
    for row in timeline:
        outlets.setdefault(row["source"], row)
    return {"timeline": timeline, "outlets": list(outlets.values()), "distinctive": [], "missing": [],
            "available": False}
