"""Search latency and feed export time on synthetic archives of 100,000 and 1,000,000 articles.

Usage:  python bench/bench_search.py [--sizes 100000 1000000] [--runs 15] [--write]

For each size, in this one invocation:
  1. generate N synthetic articles (English, Russian and Arabic vocabularies, Zipf-distributed filler words,
     topical words at known rates, 40 sources with countries/languages/tags, dates over two years, 8% of
     articles syndicated copies in families) with executemany into a temp database made by open_db, FTS
     triggers dropped during the load, then one FTS5 'rebuild';
  2. baselines: `select count(*) from articles`, and a bare FTS MATCH of the same expression without
     ranking, joins or filters (`select rowid from articles_fts where articles_fts match ? limit 20`);
  3. crosswire.storage.search.search() (page of 20 with snippets, copies collapsed) for typical queries with and without
     filters, sorted by rank and by date: p50/p95 over --runs runs each, and each query's p50 as a ratio of
     its bare MATCH's p50;
  4. the same queries through the frozen search of main at a9de947, before the filter index (bench/search_before.py), timed alternately with
     today's in the same process: its p50/p95, today's p50 as a ratio of it, and whether both return the
     same pages (ids, order, snippets) at offsets 0 and 40; today's CPU time per query (thread time, which
     other jobs on the machine do not inflate) beside the wall times;
  5. the time to export a 10,000-item feed (select + Atom/RSS/JSON Feed writing), as a ratio of reading the
     same 10,000 rows to JSONL.
With --write, the figures replace the "## Search and export" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crosswire.exports.atom import write_atom  # noqa: E402
from crosswire.exports.jsonfeed import write_jsonfeed  # noqa: E402
from crosswire.exports.rss import write_rss  # noqa: E402
from crosswire.exports.common import FeedInfo  # noqa: E402
from crosswire.storage.query import parse_query  # noqa: E402
from crosswire.storage.db import open_db  # noqa: E402
from crosswire.exports.data import write_jsonl  # noqa: E402
from crosswire.storage.export import iter_articles  # noqa: E402
from crosswire.storage.search import iter_matching, search  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_before  # noqa: E402  (the frozen copy beside this file)

NOW = datetime(2026, 2, 1, tzinfo=timezone.utc)
SECTION = "## Search and export"

# Topical words and the share of articles that contain each (title or body): common, medium and rare.
TOPICAL = {
    "strikes": 0.06, "deir": 0.02, "ezzor": 0.02, "shelling": 0.03, "bombardment": 0.01, "ceasefire": 0.04,
    "geneva": 0.005, "convoy": 0.01, "negotiations": 0.008, "negotiators": 0.004, "fuel": 0.015,
    "depot": 0.006, "hasakah": 0.003, "drone": 0.03, "удары": 0.02, "переговоры": 0.01, "غارات": 0.02,
    "هدنة": 0.01, "kherson": 0.0005,
}
PHRASES = {"fuel depot": 0.004, "deir ezzor": 0.02}
EN = ("the of and to in a said on was for that with by from at as were is officials forces city region "
      "government army military attack killed people civilians report week village border aid").split()
RU = "и в на по что с не для как были сообщили города силы армии удар люди мирные области".split()
AR = "في من على إلى أن قال مع عن التي الذي قوات المدينة الجيش هجوم قتلى مدنيين".split()

QUERIES = [  # (label, query)
    ("common word", "strikes"),
    ("two words", "deir ezzor"),
    ("phrase", '"fuel depot"'),
    ("OR", "shelling OR bombardment"),
    ("prefix", "negotiat*"),
    ("exclusion", "ceasefire -geneva"),
    ("rare word", "kherson"),
    ("Russian", "удары"),
    ("Arabic", "غارات"),
    ("word + country", "strikes country:RU"),
    ("words + since", "deir ezzor since:30d"),
    ("word + lang + tag", "ceasefire lang:ar tag:arab"),
    ("word + source + dates", "drone source:src-07 since:2025-06-01 until:2025-12-31"),
    ("filters only", "country:SY since:7d"),
]


def make_sources() -> list[dict]:
    """40 sources spread over countries, languages and perspective tags."""
    countries = ["GB", "US", "RU", "SY", "QA", "TR", "IR", "IL", "LB", "FR"]
    langs = {"RU": "ru", "SY": "ar", "QA": "ar", "LB": "ar", "IR": "ar"}
    tags = {"GB": "western", "US": "western", "FR": "western", "RU": "russian", "SY": "syrian-state",
            "QA": "arab", "LB": "arab", "TR": "turkish", "IR": "iranian", "IL": "israeli"}
    out = []
    for i in range(40):
        country = countries[i % len(countries)]
        out.append({"name": f"src-{i:02d}", "homepage": f"https://src{i}.example/", "country": country,
                    "language": langs.get(country, "en"),
                    "tags": json.dumps([tags[country]] + (["wire"] if i % 7 == 0 else []))})
    return out


def generate(db, n: int, seed: int = 5) -> None:
    """Fill `db` with n synthetic articles (triggers off), then rebuild the FTS index once."""
    rng = np.random.default_rng(seed)
    random.seed(seed)
    sources = make_sources()
    db["sources"].insert_all(sources)
    # Filler vocabulary: 60,000 pseudo-words with Zipf frequencies, plus each language's function words.
    syllables = "ka lo mi ra te su no vi da pe zo ri ba ge fu".split()
    filler = np.array(["".join(rng.choice(syllables, size=rng.integers(2, 5))) + str(i % 97)
                       for i in range(60_000)], dtype=object)
    weights = 1.0 / np.arange(1, len(filler) + 1) ** 1.1
    cum = np.cumsum(weights) / weights.sum()
    vocab = {"en": np.array(EN, dtype=object), "ru": np.array(RU, dtype=object), "ar": np.array(AR, dtype=object)}
    for name in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"drop trigger if exists {name}")
    start = NOW - timedelta(days=730)
    chunk = 50_000
    cols = ("id, url, source, title, authors, published, language, lede, text, keywords, body_hash, word_count, "
            "first_seen, last_seen, family_id, family_role")
    for base in range(0, n, chunk):
        size = min(chunk, n - base)
        rows = []
        src_idx = rng.integers(0, len(sources), size)
        day = rng.random(size) * 730
        words = np.searchsorted(cum, rng.random((size, 110)))
        func = rng.integers(0, 1 << 30, (size, 40))
        topical_hits = {w: rng.random(size) < p for w, p in TOPICAL.items()}
        phrase_hits = {w: rng.random(size) < p for w, p in PHRASES.items()}
        copies = rng.random(size) < 0.08
        for i in range(size):
            aid = base + i + 1
            src = sources[src_idx[i]]
            lang = src["language"]
            fv = vocab[lang]
            body = list(filler[words[i]])
            for j in range(40):       # function words interleaved, as real text has them
                body.insert((func[i, j] >> 8) % len(body), fv[func[i, j] % len(fv)])
            extra = [w for w, hit in topical_hits.items() if hit[i]] + [p for p, hit in phrase_hits.items() if hit[i]]
            for k, w in enumerate(extra):
                body.insert((func[i, k] >> 4) % len(body), w)
            title = " ".join(body[:4] + extra[:2] + body[4:8])
            text = " ".join(body[8:])
            published = (start + timedelta(days=float(day[i]))).isoformat(timespec="seconds")
            family = aid - 1 if copies[i] and aid > 1 else None
            rows.append((aid, f"{src['homepage']}a/{aid}", src["name"], title, "[]", published, lang,
                         " ".join(body[8:28]), text, "[]", f"h{aid}", len(body), published, published,
                         family, "copy" if family else None))
        db.conn.executemany(f"insert into articles ({cols}) values ({','.join('?' * 16)})", rows)
        db.conn.commit()
    db.execute("update articles set family_id = id, family_role = 'origin' where id in "
               "(select distinct family_id from articles where family_role = 'copy')")
    db.conn.commit()
    db.execute("insert into articles_fts(articles_fts) values('rebuild')")
    db.conn.commit()
    db.execute("analyze")


def timed(fn, runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls (after one warm-up call)."""
    fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def timed_pair(now, before, runs: int) -> tuple[list[float], list[float], list[float]]:
    """(today's wall ms, today's CPU ms, the frozen copy's wall ms) over `runs` calls each, alternating which goes
    first, so both see the same load (after one warm-up call of each)."""
    now(), before()
    walls, cpus, befores = [], [], []
    for i in range(runs):
        for which in ((now, before) if i % 2 else (before, now)):
            t, c = time.perf_counter(), time.thread_time()
            which()
            wall, cpu = (time.perf_counter() - t) * 1000, (time.thread_time() - c) * 1000
            if which is now:
                walls.append(wall)
                cpus.append(cpu)
            else:
                befores.append(wall)
    return walls, cpus, befores


def same_pages(q, sort: str) -> bool:
    """Today's search and the frozen copy return the same pages (ids, order, every field) at offsets 0 and 40."""
    return all([asdict(h) for h in search(DB[0], q, sort=sort, limit=20, offset=o)]
               == [asdict(h) for h in search_before.search(DB[0], q, sort=sort, limit=20, offset=o)]
               for o in (0, 40))


DB: list = []   # the open database, for same_pages


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def bench_size(n: int, runs: int, tmp: Path, keep: bool = False) -> dict:
    """Every figure for one archive size (reusing tmp/bench-N.db when `keep` and it exists)."""
    path = tmp / f"bench-{n}.db"
    reuse = keep and path.exists()
    db = open_db(path)
    t = time.perf_counter()
    if not reuse:
        generate(db, n)
    gen_seconds = None if reuse else time.perf_counter() - t
    size_mb = os.path.getsize(path) / 1e6
    DB[:] = [db]
    count_ms = pct(timed(lambda: db.execute("select count(*) from articles").fetchone(), runs), 50)
    results = []
    for label, text in QUERIES:
        q = parse_query(text, now=NOW)
        bare, matches = None, None
        if q.match:
            bare = pct(timed(lambda: db.execute("select rowid from articles_fts where articles_fts match ? limit 20",
                                                [q.match]).fetchall(), runs), 50)
            matches = db.execute("select count(*) from articles_fts where articles_fts match ?",
                                 [q.match]).fetchone()[0]
        for sort in ("rank", "date"):
            ms, cpu, before = timed_pair(lambda: search(db, q, sort=sort, limit=20),
                                         lambda: search_before.search(db, q, sort=sort, limit=20), runs)
            hits = len(search(db, q, sort=sort, limit=20))
            results.append((label, text, sort, pct(ms, 50), pct(ms, 95), bare, hits, matches, pct(cpu, 50),
                            pct(cpu, 95), pct(before, 50), pct(before, 95), same_pages(q, sort)))
    info = FeedInfo(title="bench", id="tag:crosswire,2026:bench", self_url="https://feeds.example/bench.atom")
    baseline_ms = pct(timed(lambda: write_jsonl(iter_articles(db, where="id <= 10000"), io.StringIO()), 3), 50)
    exports = {}
    for name, writer in (("atom", write_atom), ("rss", write_rss), ("jsonfeed", write_jsonfeed)):
        exports[name] = pct(timed(lambda: writer(list(iter_matching(db, "", sort="date", limit=10_000,
                                                                    all_copies=True)), info), 3), 50)
    db.close()
    if not keep:
        path.unlink()
    return {"n": n, "gen_seconds": gen_seconds, "size_mb": size_mb, "count_ms": count_ms, "results": results,
            "export_baseline_ms": baseline_ms, "exports": exports}


def render(figures: list[dict], command: str) -> str:
    """The BENCHMARKS.md section."""
    cpu = os.cpu_count()
    lines = [SECTION, "",
             f"Command: `{command}`  ",
             f"Machine: {cpu} cores, Python {platform.python_version()}, SQLite "
             f"{__import__('sqlite3').sqlite_version}, {platform.machine()}. Synthetic articles of ~150 words "
             "(title, lede, body) in English, Russian and Arabic; tokenizer `unicode61 remove_diacritics 2`.",
             "Latency is `crosswire.storage.search.search()` end to end: a page of 20 with snippets, copy families collapsed. "
             "\"x bare\" = p50 divided by the p50 of a bare `select rowid from articles_fts where articles_fts "
             "match ? limit 20` of the same expression (no ranking, join or filter) in the same process. "
             "\"CPU\" is the thread's CPU time per query (what other jobs on a shared machine do not inflate); "
             "\"before\" is the frozen search of main at a9de947, before the filter index (bench/search_before.py) timed alternately with today's, "
             "\"same\" says whether both return identical pages (ids, order, snippets) at offsets 0 and 40.", ""]
    for fig in figures:
        lines += [f"### {fig['n']:,} articles",
                  "",
                  ("Generation + FTS rebuild: " + (f"{fig['gen_seconds']:.0f} s" if fig["gen_seconds"] is not None
                                                   else "(reused database)")) + f"; database {fig['size_mb']:.0f} MB; "
                  f"baseline `select count(*) from articles`: {fig['count_ms']:.2f} ms.", "",
                  "| query | sort | text matches | p50 ms | p95 ms | CPU p50 / p95 ms | before p50 / p95 ms | "
                  "p50 ÷ before | same | bare MATCH p50 ms | p50 x bare | p50 x count(*) |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for label, text, sort, p50, p95, bare, hits, matches, c50, c95, b50, b95, same in fig["results"]:
            ratio = f"{p50 / bare:.1f}" if bare else "–"
            bare_s = f"{bare:.2f}" if bare else "–"
            shown = f"{matches:,}" if matches is not None else "–"
            lines.append(f"| {label}: `{text}` | {sort} | {shown} | {p50:.1f} | {p95:.1f} | {c50:.1f} / {c95:.1f} | "
                         f"{b50:.1f} / {b95:.1f} | {p50 / b50:.2f} | {'yes' if same else '**no**'} | {bare_s} | {ratio} | "
                         f"{p50 / fig['count_ms']:.1f} |")
        p95s, cpu95s, before95s = ([r[i] for r in fig["results"]] for i in (4, 9, 11))
        lines += ["", f"Worst p95: {max(p95s):.1f} ms (before: {max(before95s):.1f} ms); median of the p95s: "
                  f"{statistics.median(p95s):.1f} ms (before: {statistics.median(before95s):.1f} ms); rows with p95 "
                  f"<= 50 ms: {sum(p <= 50 for p in p95s)} of {len(p95s)} (before: {sum(p <= 50 for p in before95s)}); "
                  f"with CPU p95 <= 50 ms: {sum(p <= 50 for p in cpu95s)}. Same pages: "
                  f"{sum(r[12] for r in fig['results'])} of {len(p95s)} rows.", "",
                  "Export of a 10,000-item feed (select newest 10,000 + write): "
                  + ", ".join(f"{k} {v / 1000:.2f} s ({v / fig['export_baseline_ms']:.1f}x)"
                              for k, v in fig["exports"].items())
                  + f"; baseline: the same 10,000 rows to JSONL in {fig['export_baseline_ms'] / 1000:.2f} s.", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_section(text: str, section: str = SECTION) -> None:
    """Replace (or append) one benchmark's section in BENCHMARKS.md, leaving the others alone."""
    path = ROOT / "BENCHMARKS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = old.find(section)
    if start < 0:
        new = old.rstrip() + "\n\n" + text
    else:
        nxt = old.find("\n## ", start + len(section))
        new = old[:start] + text + ("\n" + old[nxt + 1:] if nxt >= 0 else "")
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="write the figures into BENCHMARKS.md")
    parser.add_argument("--tmp", type=Path, default=None, help="where to put the temporary databases")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the generated databases in this directory and reuse them on the next run")
    args = parser.parse_args()
    figures = []
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        for n in args.sizes:
            fig = bench_size(n, args.runs, args.keep or Path(tmp), keep=args.keep is not None)
            figures.append(fig)
            print(render([fig], "").split("\n", 4)[-1], flush=True)
    command = "python bench/bench_search.py " + " ".join(sys.argv[1:])
    text = render(figures, command.strip())
    if args.write:
        write_section(text)
    print(text)


if __name__ == "__main__":
    main()
