"""Extraction on both dev sets: title, date, authors and body for crosswire, its previous self and bare
trafilatura, with the time per page.

Usage:  python bench/bench_extraction.py [--rounds 3] [--json results.json]

Data (read from ../shared/data beside the repository; a missing set is skipped):
  metadata-dev    88 pages, 61 publishers: expected title, authors, published (scored by tests/fieldscore.py)
  extraction-dev  40 pages: expected body (4-token shingle F1, tests/scoring.py)

Approaches, run on the same bytes, page by page and interleaved (so machine load hits all alike):
  bare trafilatura  trafilatura.bare_extraction(decoded html, url, with_metadata=True): the same job alone;
  before            bench/extraction_before.py: crosswire's extract() as it was before the headline/date/byline work (frozen copy);
  crosswire         crosswire.extraction.extract(html bytes, url).
"published, feed decoy" runs before/crosswire again with a feed entry dated 2001-01-01: it counts the pages
whose own date was found, since a page that falls back to the feed gets the decoy and misses.
Time: per page the fastest of --rounds rounds, summed over every page of both sets; the ratio that
matters is crosswire/before (the aim allows 1.1).

--leave-publisher-out also checks the headline vote's fitted settings (the weight of each kind of
candidate and which copy's spelling is printed): for each publisher, the settings that score best on the
other publishers' pages (ties going to the settings before they were fitted) are scored on its own pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from datetime import datetime, timezone
from itertools import product
from pathlib import Path
from typing import Any, Callable

import trafilatura
from trafilatura.utils import load_html

from crosswire.core.article import FeedEntry
from crosswire.core.errors import ExtractionError
from crosswire.extraction import extract, headline
from crosswire.extraction.charset import decode_html
from crosswire.extraction.htmlmeta import read_page_meta

# The scoring helpers live with the tests (they are not installed); the frozen copy of the old extractor
# lives beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction_before import extract as extract_before  # noqa: E402
from fieldscore import authors_f1, date_match, summarise, title_match  # noqa: E402
from scoring import match_counts, score  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
METADATA = SHARED / "metadata-dev"
BODIES = SHARED / "extraction-dev"
DECOY = datetime(2001, 1, 1, tzinfo=timezone.utc)

Result = dict[str, Any]   # title, authors, published, text (None values when extraction failed)


def load_pages() -> list[dict[str, Any]]:
    """Every page of both dev sets that is present: key, set, url, raw bytes and expectations."""
    pages = []
    if (METADATA / "expected.json").is_file():
        for key, want in sorted(json.loads((METADATA / "expected.json").read_text(encoding="utf-8")).items()):
            raw = gzip.decompress((METADATA / "pages" / f"{key}.html.gz").read_bytes())
            pages.append({"key": key, "set": "metadata-dev", "url": want["url"], "raw": raw, "want": want})
    if (BODIES / "ground-truth.json").is_file():
        for key, want in sorted(json.loads((BODIES / "ground-truth.json").read_text(encoding="utf-8")).items()):
            raw = gzip.decompress((BODIES / "html" / f"{key}.html.gz").read_bytes())
            pages.append({"key": key, "set": "extraction-dev", "url": want["url"], "raw": raw, "want": want})
    return pages


def run_bare(raw: bytes, url: str, entry: FeedEntry | None = None) -> Result:
    """Bare trafilatura with its own metadata pass."""
    doc = trafilatura.bare_extraction(decode_html(raw, url, None), url=url, with_metadata=True)
    if doc is None:
        return {"title": None, "authors": [], "published": None, "text": ""}
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return {"title": doc.title, "authors": authors, "published": doc.date, "text": doc.text or ""}


def _runner(fn: Callable[..., Any]) -> Callable[[bytes, str, FeedEntry | None], Result]:
    """An extract()-like function as a bench approach: its four fields, or empty ones when it refuses."""
    def run(raw: bytes, url: str, entry: FeedEntry | None = None) -> Result:
        """The fields `fn` extracts from one page."""
        try:
            article = fn(raw, url, entry)
        except ExtractionError:
            return {"title": None, "authors": [], "published": None, "text": ""}
        return {"title": article.title, "authors": article.authors, "published": article.published,
                "text": article.text, "provenance": getattr(article, "provenance", {})}
    return run


APPROACHES = {"bare trafilatura": run_bare, "before": _runner(extract_before), "crosswire": _runner(extract)}


def measure(pages: list[dict[str, Any]], rounds: int) -> tuple[dict[str, dict[str, Result]], dict[str, float]]:
    """Every approach's result per page, and its summed fastest-round seconds."""
    best = {name: {p["key"]: float("inf") for p in pages} for name in APPROACHES}
    results: dict[str, dict[str, Result]] = {name: {} for name in APPROACHES}
    for _ in range(rounds):
        for page in pages:
            for name, run in APPROACHES.items():
                started = time.perf_counter()
                results[name][page["key"]] = run(page["raw"], page["url"])
                best[name][page["key"]] = min(best[name][page["key"]], time.perf_counter() - started)
    return results, {name: sum(times.values()) for name, times in best.items()}


def score_metadata(pages: list[dict[str, Any]], results: dict[str, Result]) -> dict[str, float]:
    """Title, published and authors scores over the metadata-dev pages."""
    meta = [p for p in pages if p["set"] == "metadata-dev"]
    return summarise(
        [title_match(p["want"]["title"], results[p["key"]]["title"]) for p in meta],
        [date_match(p["want"]["published"], results[p["key"]]["published"]) for p in meta],
        [authors_f1(p["want"]["authors"], results[p["key"]]["authors"]) for p in meta],
    )


def decoy_dates(pages: list[dict[str, Any]], name: str) -> float:
    """Share of metadata-dev dates right when the feed's date is a decoy: the page's own date found."""
    meta = [p for p in pages if p["set"] == "metadata-dev"]
    run = APPROACHES[name]
    hits = [date_match(p["want"]["published"], run(p["raw"], p["url"], FeedEntry(url=p["url"], published=DECOY))
                       ["published"]) for p in meta]
    return sum(hits) / len(hits) if hits else 0.0


def score_bodies(pages: list[dict[str, Any]], results: dict[str, Result]) -> dict[str, float]:
    """Shingle precision, recall and F1 over the extraction-dev pages."""
    bodies = [p for p in pages if p["set"] == "extraction-dev"]
    return score(match_counts(p["want"]["articleBody"], results[p["key"]]["text"]) for p in bodies)


# The headline vote's settings as they were before they were fitted to the dev pages: ties between equally
# good settings go to these, so a held-out publisher is never scored with settings only it supports.
PRIOR_WEIGHTS = {"h1": 2.0, "json-ld": 1.5, "title-tag": 1.0, "og": 1.0, "twitter": 0.25, "meta": 0.25}
PRIOR_ORDER = ["h1", "og", "json-ld", "twitter", "meta", "title-tag"]
GRID = {"h1": [1.0, 1.5, 2.0, 2.5, 3.0], "json-ld": [1.0, 1.5, 2.0], "og": [0.5, 1.0, 1.5],
        "title-tag": [0.25, 0.5, 1.0], "twitter": [0.0, 0.25, 0.5], "meta": [0.25]}
ORDERS = [PRIOR_ORDER, ["og", "json-ld", "h1", "twitter", "meta", "title-tag"],
          ["json-ld", "og", "h1", "twitter", "meta", "title-tag"]]


def leave_publisher_out(pages: list[dict[str, Any]]) -> dict[str, float]:
    """Headline-only title scores: shipped settings, best fit in sample, and fitted without each publisher."""
    meta = []
    for p in pages:
        if p["set"] == "metadata-dev":
            tree = load_html(decode_html(p["raw"], p["url"], None))
            page = read_page_meta(tree)
            meta.append((p["want"]["publisher"], p["want"]["title"],
                         headline.headline_candidates(page, tree, p["url"], headline.declared_site_names(page))))
    settings = [(dict(zip(GRID, values)), order) for values in product(*GRID.values()) for order in ORDERS]

    def hits(weights: dict[str, float], order: list[str]) -> list[bool]:
        """Whether each page's headline comes out right under these settings."""
        chosen = (headline.vote(cands, weights, order) for _, _, cands in meta)
        return [title_match(want, c.text if c else None) for (_, want, _), c in zip(meta, chosen)]

    table = [hits(w, o) for w, o in settings]
    distance = [sum(abs(w[k] - PRIOR_WEIGHTS[k]) for k in GRID) + (o != PRIOR_ORDER) for w, o in settings]

    def fit(mask: list[bool]) -> int:
        """The settings scoring best on the pages in `mask`, nearest the prior among equals."""
        return max(range(len(settings)), key=lambda i: (sum(h for h, m in zip(table[i], mask) if m), -distance[i]))

    held: list[bool] = []
    for publisher in sorted({pub for pub, _, _ in meta}):
        mine = [pub == publisher for pub, _, _ in meta]
        best = fit([not m for m in mine])
        held += [h for h, m in zip(table[best], mine) if m]
    shipped = hits(headline.WEIGHTS, headline._REPRESENTATIVE)
    return {"shipped": sum(shipped) / len(meta), "best_in_sample": sum(table[fit([True] * len(meta))]) / len(meta),
            "held_out": sum(held) / len(held)}


def main() -> None:
    """Print the per-field scores of each approach on each dev set, and the time per page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures to this file.")
    parser.add_argument("--leave-publisher-out", action="store_true",
                        help="Also fit the headline vote's settings leaving each publisher out (about a minute).")
    args = parser.parse_args()
    pages = load_pages()
    if not pages:
        sys.exit(f"no dev set found under {SHARED}")
    results, seconds = measure(pages, args.rounds)
    n_meta = sum(p["set"] == "metadata-dev" for p in pages)
    n_body = len(pages) - n_meta
    report: dict[str, Any] = {"pages": {"metadata-dev": n_meta, "extraction-dev": n_body}, "rounds": args.rounds}
    print(f"metadata-dev: {n_meta} pages   extraction-dev: {n_body} pages   rounds: {args.rounds}")
    print(f"{'':18} {'title':>6} {'published':>9} {'(decoy feed)':>12} {'authors F1':>10}   "
          f"{'body P':>6} {'R':>6} {'F1':>6}   {'ms/page':>7}")
    for name in APPROACHES:
        meta = score_metadata(pages, results[name]) if n_meta else {}
        decoy = decoy_dates(pages, name) if n_meta and name != "bare trafilatura" else None
        body = score_bodies(pages, results[name]) if n_body else {}
        report[name] = {**meta, "published_decoy_feed": decoy, "body": body,
                        "ms_per_page": 1000 * seconds[name] / len(pages)}
        print(f"{name:18} {meta.get('title', 0):6.3f} {meta.get('published', 0):9.3f} "
              f"{'' if decoy is None else f'{decoy:.3f}':>12} {meta.get('authors', 0):10.3f}   "
              f"{body.get('precision', 0):6.3f} {body.get('recall', 0):6.3f} {body.get('f1', 0):6.3f}   "
              f"{1000 * seconds[name] / len(pages):7.2f}")
    report["time_ratio_crosswire_before"] = seconds["crosswire"] / seconds["before"]
    report["time_ratio_crosswire_bare"] = seconds["crosswire"] / seconds["bare trafilatura"]
    print(f"time ratio crosswire/before: {report['time_ratio_crosswire_before']:.3f}   "
          f"crosswire/bare trafilatura: {report['time_ratio_crosswire_bare']:.3f}")
    if args.leave_publisher_out and n_meta:
        lpo = leave_publisher_out(pages)
        report["title_leave_publisher_out"] = lpo
        print(f"title, headline vote only: shipped settings {lpo['shipped']:.3f}   best fit in sample "
              f"{lpo['best_in_sample']:.3f}   fitted leaving each publisher out {lpo['held_out']:.3f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
