"""Crawl runs with their stats, and errors with their reasons."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from crosswire.core.times import utcnow
from crosswire.identity.urls import redact, redact_text


def start_run(db: sqlite_utils.Database, command: str) -> int:
    """Record the start of a crawl run; return its id."""
    return db["runs"].insert({"started": utcnow(), "status": "running", "command": command}).last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, *, status: str, stats: dict[str, Any]) -> None:
    """Record the end of a run with its stats."""
    db["runs"].update(run_id, {"finished": utcnow(), "status": status,
                               "stats": json.dumps(stats, default=str, sort_keys=True)})


def record_error(db: sqlite_utils.Database, *, run_id: int | None, url: str, kind: str, reason: str,
                 feed_id: int | None = None, source: str | None = None, at: str | None = None) -> None:
    """Record why a URL or feed failed; a password in the URL (a stranger's link) is never stored."""
    db["errors"].insert({"run_id": run_id, "feed_id": feed_id, "source": source, "url": redact(url),
                         "kind": kind, "reason": redact_text(reason, url), "at": at or utcnow()})


def mark_interrupted(db: sqlite_utils.Database) -> int:
    """Mark runs still 'running' as 'interrupted' (call while holding the crawl lock); return how many."""
    cursor = db.execute("update runs set status = 'interrupted', finished = ? where status = 'running'", [utcnow()])
    return cursor.rowcount


def last_run_status(db: sqlite_utils.Database) -> str | None:
    """The status of the latest crawl run (None when there was none)."""
    row = db.execute("select status from runs order by id desc limit 1").fetchone()
    return row[0] if row else None
