"""Helpers for the sitemap, listing, rules, traps and backfill tests: the sources file of discovery outlets,
and what a crawl of them stored and recorded (the crawl itself: tests/crawling.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from testweb import TestWeb
from testweb.outlets_discovery import source_toml


def write_sources(web: TestWeb, tmp: Path, names: list[str], extra: dict[str, str] | None = None) -> Path:
    """A sources file for the named discovery outlets; `extra` adds keys per outlet."""
    path = tmp / "sources.toml"
    path.write_text("\n".join(source_toml(web, n, (extra or {}).get(n, "")) for n in names), encoding="utf-8")
    return path


def path_of(url: str) -> str:
    """The path (and query) of a URL."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def stored(db: Path) -> list[tuple[str, str, str | None]]:
    """(path, title, published) of every stored article, by path."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select url, title, published from articles").fetchall()
    return sorted((path_of(url), title, published) for url, title, published in rows)


def errors(db: Path) -> list[tuple[str, str, str]]:
    """(kind, path, reason) of every recorded error, sorted."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select kind, url, reason from errors").fetchall()
    return sorted((kind, path_of(url), reason) for kind, url, reason in rows)


def requested(web: TestWeb, outlet: str) -> list[str]:
    """Paths the outlet was asked for (robots.txt left out), sorted."""
    return sorted(r.path for r in web.requests if r.outlet == outlet and r.path != "/robots.txt")


def truth(web: TestWeb, outlet: str) -> list[tuple[str, str, str]]:
    """(path, title, published) of every article of an outlet's content, by path."""
    return sorted((a["path"], a["title"], a["published"]) for a in web.articles(outlet))
