"""CPU a page of what an extraction worker does (extract + topics) against bare trafilatura, in one process.

Usage:  python bench/bench_worker_cpu.py [--passes 3]

Over the 40 pages of ../shared/data/extraction-dev, page by page and interleaved (so machine load hits both
alike): crosswire.crawlers.pageworker.article_and_topics(html bytes, url) and trafilatura.bare_extraction(the
decoded html, url). Prints each one's CPU (time.process_time) a page and their ratio. To compare two checkouts,
run it with each one's venv Python in turn (from outside the checkouts, so each imports its installed code).
Both are warmed up first as a crawl's workers are (the fork server's warm-up page and written-out dateline,
crosswire/crawlers/forkserver.py), so the figures are a warm worker's, not its first pages'.

Instruction counts, which load on a shared machine does not disturb: `--only ours`, `--only bare` and
`--only none` warm up the same way and then run one untimed pass of that side (none: nothing) over the pages.
Run each under `valgrind --tool=callgrind` and subtract none's total from the other two.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import trafilatura

from crosswire.crawlers.pageworker import article_and_topics
from crosswire.extraction.pagedates import parse_dateline

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "extraction-dev"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--only", choices=("ours", "bare", "none"),
                        help="After the warm-up, one untimed pass of this side only (for callgrind).")
    args = parser.parse_args()
    truth = json.loads((args.data / "ground-truth.json").read_text())
    pages = [(truth[p.name.split(".")[0]]["url"], gzip.decompress(p.read_bytes()))
             for p in sorted((args.data / "html").glob("*.html.gz"))]
    parse_dateline("Published 5 May 2024, 10:00", "en")   # as the workers' fork server does
    for url, body in pages[:3]:     # warm both up (imports, first-use caches)
        article_and_topics(body, url, None, "text/html; charset=utf-8", None)
        trafilatura.bare_extraction(body.decode("utf-8", "replace"), url=url)
    if args.only:
        for url, body in pages:
            if args.only == "ours":
                article_and_topics(body, url, None, "text/html; charset=utf-8", None)
            elif args.only == "bare":
                trafilatura.bare_extraction(body.decode("utf-8", "replace"), url=url)
        return
    ours = bare = 0.0
    for _ in range(args.passes):
        for url, body in pages:
            started = time.process_time()
            article_and_topics(body, url, None, "text/html; charset=utf-8", None)
            ours += time.process_time() - started
            started = time.process_time()
            trafilatura.bare_extraction(body.decode("utf-8", "replace"), url=url)
            bare += time.process_time() - started
    n = args.passes * len(pages)
    print(f"extract + topics {ours / n * 1000:.1f} ms CPU a page, bare trafilatura {bare / n * 1000:.1f} ms, "
          f"ratio {ours / bare:.3f}")


if __name__ == "__main__":
    main()
