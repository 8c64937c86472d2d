"""Web reader page latency (p50/p95) for home, search and comparison pages on a synthetic 100,000-article archive.

Usage:  python bench/bench_web.py [--articles 100000] [--runs 40] [--write]

In this one invocation:
  1. generate N synthetic articles with bench_search.generate (executemany + one FTS5 rebuild), then group
     them into stories of 6 articles close in time (one story per 20 articles) with crosswire.storage.stories;
  2. create the app with crosswire.web.create_app (read-only database) and request every page in-process
     through Starlette's TestClient (ASGI, routing, middleware, templates; no sockets);
  3. baseline: the static /healthz route through the same client; each page's p50 is also given as a ratio
     of that baseline's p50;
  4. p50/p95 over --runs requests per page, after one warm-up request.
With --write, the figures replace the "## Web reader" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_search import generate, pct, write_section  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from crosswire.web import create_app  # noqa: E402
from crosswire.storage.db import open_db  # noqa: E402
from crosswire.storage.stories import refresh_stories  # noqa: E402

SECTION = "## Web reader"
STORY_SIZE = 6
ARTICLES_PER_STORY = 20


def make_stories(db, n: int) -> int:
    """Group every 20th run of articles (in time order) into a story of 6; return how many stories."""
    ids = [r[0] for r in db.execute("select id from articles order by published, id")]
    groups = [ids[i:i + STORY_SIZE] for i in range(0, len(ids) - STORY_SIZE, ARTICLES_PER_STORY)]
    db.conn.executemany("update articles set story_id = ? where id = ?",
                        [(sid, aid) for sid, group in enumerate(groups, 1) for aid in group])
    db.conn.commit()
    # The generator's `analyze` ran while story_id was empty: stale statistics would make SQLite shun its index.
    db.execute("analyze")
    with db.atomic():
        refresh_stories(db, range(1, len(groups) + 1), {})
    return len(groups)


def pages(stories: int) -> list[tuple[str, str]]:
    """(label, URL) of the pages measured."""
    return [
        ("baseline: static /healthz", "/healthz"),
        ("home (latest 30 + active stories)", "/"),
        ("home filtered: country + since", "/?country=RU&since=2025-06-01"),
        ("home page 20 (offset 570)", "/?page=20"),
        ("search: common word, ranked", "/search?q=strikes"),
        ("search: phrase", "/search?q=%22fuel+depot%22"),
        ("search: words + country, by date", "/search?q=deir+ezzor+country:SY&sort=date"),
        ("search: word + lang + tag", "/search?q=ceasefire+lang:ar+tag:arab"),
        ("search: page 5", "/search?q=strikes&page=5"),
        ("search: filters only", "/search?q=country:SY+since:2025-12-01"),
        ("comparison (story page)", f"/story/{stories // 2}"),
        ("comparison (newest story)", f"/story/{stories}"),
        ("attention chart PNG (story's image)", "/attention.png?q=strikes&since=2026-01-01&until=2026-01-31"),
        ("article", "/article/5000"),
        ("stories list (since 30d)", "/stories?since=2026-01-01"),
    ]


def measure(client: TestClient, url: str, runs: int) -> tuple[list[float], int, float]:
    """Milliseconds of each of `runs` GETs after a warm-up, the status, and the warm-up's milliseconds."""
    t = time.perf_counter()
    status = client.get(url).status_code
    first = (time.perf_counter() - t) * 1000
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        client.get(url)
        out.append((time.perf_counter() - t) * 1000)
    return out, status, first


def render(rows: list, n: int, stories: int, gen_s: float, command: str) -> str:
    """The BENCHMARKS.md section."""
    base = rows[0][2]
    lines = [SECTION, "",
             f"Command: `{command}`  ",
             f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}. "
             f"{n:,} synthetic articles (bench_search's generator: English/Russian/Arabic, 40 sources, two years), "
             f"{stories:,} stories of {STORY_SIZE} articles; generated in {gen_s:.0f} s.",
             "Each request goes in-process through Starlette's TestClient (routing, security-header middleware, "
             "Jinja2 rendering, read-only SQLite); \"x baseline\" divides by the p50 of the static `/healthz` route "
             "measured the same way in the same run.", "",
             "| page | URL | status | p50 ms | p95 ms | p50 x baseline | first request ms |",
             "|---|---|---|---|---|---|---|"]
    for label, url, p50, p95, status, first in rows:
        lines.append(f"| {label} | `{url}` | {status} | {p50:.1f} | {p95:.1f} | {p50 / base:.0f} | {first:.0f} |")
    pages_only = [r for r in rows[1:] if not r[1].startswith("/attention.png")]
    worst = max(pages_only, key=lambda r: r[3])
    lines += ["", f"Worst p95 over the HTML pages: {worst[3]:.1f} ms ({worst[0]}; aim: ≤ 100 ms). The attention "
              "chart is a separate image request: its first drawing (matplotlib) is the \"first request\" column, "
              "later requests for the same chart and archive state come from the reader's chart cache."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--write", action="store_true", help="write the figures into BENCHMARKS.md")
    parser.add_argument("--tmp", type=Path, default=None, help="where to put the temporary database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        path = Path(tmp) / "web.db"
        db = open_db(path)
        t = time.perf_counter()
        generate(db, args.articles)
        print(f"generated {args.articles:,} articles in {time.perf_counter() - t:.0f} s", flush=True)
        stories = make_stories(db, args.articles)
        gen_s = time.perf_counter() - t
        print(f"grouped them into {stories:,} stories; {gen_s:.0f} s in all", flush=True)
        db.close()
        client = TestClient(create_app(path))
        rows = []
        for label, url in pages(stories):
            ms, status, first = measure(client, url, args.runs)
            rows.append((label, url, pct(ms, 50), pct(ms, 95), status, first))
            print(f"{label:40} {status} p50 {pct(ms, 50):7.1f} ms  p95 {pct(ms, 95):7.1f} ms  first {first:7.1f} ms",
                  flush=True)
    command = "python bench/bench_web.py " + " ".join(sys.argv[1:])
    text = render(rows, args.articles, stories, gen_s, command.strip())
    if args.write:
        write_section(text, SECTION)
    print(text)


if __name__ == "__main__":
    main()
