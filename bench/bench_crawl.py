"""End-to-end crawl rate vs bare single-core trafilatura, on the real pages served by the local test web.

Usage:  python bench/bench_crawl.py [--copies 1 10] [--workers 2]

For each size (40 pages x copies) it runs, in this one invocation:
  1. baseline: trafilatura.bare_extraction() on every page, one after another, in this process;
  2. crosswire: `crosswire crawl` (a subprocess: the reactor runs once per process) fetching the feed and
     every page from the test web, extracting in a process pool and storing into a fresh SQLite file.
The crawl rate counts the crawl's own measured time (reactor start to finish, pool start-up included),
and also the whole command including Python start-up. Both rates and their ratio are printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "extraction-dev"
# The test web lives with the tests (it is not installed).
sys.path.insert(0, str(ROOT / "tests"))


def bare_trafilatura(pages: list[tuple[str, str]]) -> float:
    """Seconds for trafilatura alone to extract every (url, html) page on one core."""
    import trafilatura

    started = time.perf_counter()
    for url, html in pages:
        trafilatura.bare_extraction(html, url=url)
    return time.perf_counter() - started


def crawl(copies: int, workers: int) -> tuple[float, float, int]:
    """(crawl seconds, whole-command seconds, articles stored) for one crawl of 40*copies pages."""
    from testweb import TestWeb

    with TestWeb(outlets=["archive"], real_pages_dir=DATA, real_pages_copies=copies) as web, \
            tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.toml"
        sources.write_text(web.sources_toml())
        db = Path(tmp) / "bench.db"
        cmd = [sys.executable, "-m", "crosswire", "crawl", "--db", str(db), "--sources", str(sources),
               "-s", f"CROSSWIRE_EXTRACT_WORKERS={workers}", "-s", "DOWNLOAD_DELAY=0",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
               "-s", "ROBOTSTXT_OBEY=False"]
        started = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        whole = time.perf_counter() - started
        import sqlite3

        conn = sqlite3.connect(db)
        stats = json.loads(conn.execute("select stats from runs order by id desc limit 1").fetchone()[0])
        stored = conn.execute("select count(*) from articles").fetchone()[0]
        conn.close()
        seconds = float(re.search(r" in ([0-9.]+)s", out).group(1))
        assert stats["articles_new"] == stored, (stats, stored)
        # Copies k>=2 of a page carry the same body: each is fetched and extracted, then stored as a
        # duplicate of the first copy. Every page counts, stored new or linked as a duplicate.
        return seconds, whole, stats["articles_new"] + stats["articles_duplicate"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the median ratio is reported too")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} not found: the benchmark needs ../shared/data/extraction-dev beside the repository")
    truth = json.loads((DATA / "ground-truth.json").read_text())
    base_pages = [(truth[p.name.split(".")[0]]["url"], gzip.decompress(p.read_bytes()).decode("utf-8"))
                  for p in sorted((DATA / "html").glob("*.html.gz"))]
    for copies in args.copies:
        pages = base_pages * copies
        ratios = []
        for _ in range(args.repeat):
            # Baseline and crawl back to back in each round, so both see the same machine load.
            bare = bare_trafilatura(pages)
            seconds, whole, stored = crawl(copies, args.workers)
            bare_rate, crawl_rate, whole_rate = len(pages) / bare, stored / seconds, stored / whole
            ratios.append(crawl_rate / bare_rate)
            print(f"pages={len(pages)} extracted+stored={stored} bare_trafilatura={bare_rate:.1f}/s "
                  f"crawl={crawl_rate:.1f}/s (ratio {crawl_rate / bare_rate:.2f}x) "
                  f"whole_command={whole_rate:.1f}/s (ratio {whole_rate / bare_rate:.2f}x)", flush=True)
        if args.repeat > 1:
            print(f"pages={len(pages)} workers={args.workers} median crawl ratio {statistics.median(ratios):.2f}x "
                  f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x over {args.repeat} runs)", flush=True)


if __name__ == "__main__":
    main()
