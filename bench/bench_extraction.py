"""crosswire's extract() against bare trafilatura on the 40 real pages: speed ratio and body F1.

Usage:  python bench/bench_extraction.py [--rounds 5]

Each round times, page by page and interleaved (so machine load hits both alike):
  1. baseline: trafilatura.bare_extraction(html_str, url=url)  (the reference the crawl benchmark uses);
  2. crosswire: extract(html_bytes, url)  (decoding, metadata, body, fallbacks: everything a crawl does).
Per page the fastest round counts; the ratio is the sum of crosswire's times over the baseline's.
Body F1 uses the benchmark metric in scoring.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import trafilatura

from scoring import match_counts, score
from crosswire.extraction.page import extract

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "extraction-dev"


def main() -> None:
    """Print per-approach seconds for the 40 pages, the overhead ratio, and body F1 for each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [(k, v["url"], gzip.decompress((DATA / "html" / f"{k}.html.gz").read_bytes())) for k, v in sorted(truth.items())]
    best_bare = {k: float("inf") for k, _, _ in pages}
    best_ours = dict(best_bare)
    bare_text: dict[str, str] = {}
    our_text: dict[str, str] = {}
    for _ in range(args.rounds):
        for key, url, raw in pages:
            html = raw.decode("utf-8")
            started = time.perf_counter()
            doc = trafilatura.bare_extraction(html, url=url)
            best_bare[key] = min(best_bare[key], time.perf_counter() - started)
            started = time.perf_counter()
            article = extract(raw, url)
            best_ours[key] = min(best_ours[key], time.perf_counter() - started)
            bare_text[key] = doc.text if doc is not None and doc.text else ""
            our_text[key] = article.text
    bare_s, ours_s = sum(best_bare.values()), sum(best_ours.values())
    bare_f1 = score(match_counts(truth[k]["articleBody"], bare_text[k]) for k in truth)
    ours_f1 = score(match_counts(truth[k]["articleBody"], our_text[k]) for k in truth)
    print(f"pages: {len(pages)}, rounds: {args.rounds} (fastest round per page)")
    print(f"bare trafilatura    {bare_s:6.3f} s  ({len(pages) / bare_s:5.1f} pages/s)  "
          f"P={bare_f1['precision']:.3f} R={bare_f1['recall']:.3f} F1={bare_f1['f1']:.3f}")
    print(f"crosswire extract() {ours_s:6.3f} s  ({len(pages) / ours_s:5.1f} pages/s)  "
          f"P={ours_f1['precision']:.3f} R={ours_f1['recall']:.3f} F1={ours_f1['f1']:.3f}")
    print(f"time ratio extract()/bare: {ours_s / bare_s:.3f}")


if __name__ == "__main__":
    main()
