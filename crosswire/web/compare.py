"""The comparison page's data: issue 6's crosswire.analysis.compare report (a plain timeline if that is not installed)."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def comparison(db: sqlite_utils.Database, story_id: int) -> dict[str, Any]:
    """compare_story's report, plus `article_of`: each outlet's first article id, for links."""
    try:
        from crosswire.analysis.compare import compare_story
    except ImportError:
        report = _timeline_only(db, story_id)
    else:
        report = compare_story(db, story_id)
    report["article_of"] = {}
    for entry in report["timeline"]:
        report["article_of"].setdefault(entry["source"], entry["article_id"])
    return report


def _timeline_only(db: sqlite_utils.Database, story_id: int) -> dict[str, Any]:
    """The same shape as compare_story's report with only the timeline and headlines filled in."""
    from crosswire.web.render import lag
    from crosswire.storage.stories import get_story, story_articles

    rows = story_articles(db, story_id)
    start = rows[0]["time"] if rows else 0.0
    timeline = [{"article_id": r["id"], "source": r["source"], "perspective": (r.get("tags") or [None])[0],
                 "published": r.get("published") or r.get("first_seen"), "lag": lag(r["time"] - start),
                 "title": r["title"], "lede": r.get("lede"), "url": r.get("url"),
                 "role": "copy" if r.get("family_role") == "copy" else "own", "copy_of": None} for r in rows]
    outlets: dict[str, dict[str, Any]] = {}
    for row, entry in zip(rows, timeline):
        outlets.setdefault(entry["source"], {
            "source": entry["source"], "perspective": entry["perspective"], "country": row.get("country"),
            "first": entry["published"], "lag": entry["lag"], "headline": entry["title"], "lede": entry["lede"],
            "role": entry["role"], "copy_of": None, "people": [], "places": [], "only_names": []})
    story = get_story(db, story_id) or {}
    return {"story": {**story, "outlets": len(outlets)}, "timeline": timeline, "outlets": list(outlets.values()),
            "copies": [e for e in timeline if e["role"] == "copy"],
            "distinctive": {"by_outlet": {}, "by_perspective": {}}, "facts": [], "people": {}, "places": {}}
