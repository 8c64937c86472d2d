"""End-to-end crawl rate vs bare single-core trafilatura, on the real pages served by the local test web.

Usage:  python bench/bench_crawl.py [--pages 40 141 400] [--few 5] [--repeat 3] [--workers 2]
                                    [--versions NAME=PYTHON ...]

Each round runs, in this one invocation and back to back, for a crawl of a few pages (--few) and then for
each size N of --pages:
  1. baseline: trafilatura.bare_extraction() on the same N pages, one after another, in this process, once
     before the crawls of this size and once after them (their mean is the baseline: the machine's speed drifts);
  2. crosswire: `python -m crosswire crawl` (a subprocess: the reactor runs once per process) fetching the
     feed and every page from the test web (the 40 pages of ../shared/data/extraction-dev, then copies of
     them under other URLs), extracting in its worker processes and storing into a fresh SQLite file.
Reported per size, median over the rounds:
  marginal   pages/s the crawl adds between the few-page crawl and this one, (N - few) / (T_N - T_few), where T
             is the crawl's own measured time (reactor start to finish: start-up excluded by the difference);
  whole      N / the whole command's wall time (Python start-up, imports, workers, indexing: everything);
each as a ratio to bare trafilatura's pages/s on the same N pages in the same round. Then the fixed start-up:
the time a crawl costs beyond its pages, T_few - few / marginal rate (at the largest size), for the crawl's
own time and for the whole command. CPU seconds per page (the crawling process, its workers, and bare
trafilatura) come from getrusage: less sensitive than wall time to a busy machine, they say where time goes.
From them, the CPU bound: the marginal ratio the crawl could reach at most with that CPU a page on this
machine's cores (all of them busy with pages; the crawling process on one at most), which tells a slow crawl
(spending its CPU badly) from a costly one (spending too much of it); and the same for the whole command, from
all the CPU it and its workers used (start-up included), as if every core were busy from its first instant.

Before the rounds each version's installed code and dependencies are compiled to bytecode (`compileall`), as a
normal `pip install` leaves them: where PYTHONDONTWRITEBYTECODE is set (this build machine sets it) pip and Python
write no .pyc files, and every crawl would recompile ~585 modules from source (1.6 s of a 5-page crawl's 2.9 s).
--as-is skips that and measures the environment as it stands.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "extraction-dev"
# The test web lives with the tests (it is not installed).
sys.path.insert(0, str(ROOT / "tests"))

# `python -m crosswire`, run through runpy so the crawling process can say how much CPU it used itself and
# how much its (reaped) worker processes did. The same start-up as `python -m crosswire` bar this line.
_RUN_CROSSWIRE = (
    "import atexit, json, os, resource, runpy, sys\n"
    "def _forked() -> float:\n"
    "    # Workers forked by multiprocessing's fork server are its children, not ours: its own CPU and that\n"
    "    # of the workers it reaped (utime, stime, cutime, cstime in /proc/PID/stat), read while it lives.\n"
    "    import multiprocessing.forkserver as fs\n"
    "    pid = getattr(fs._forkserver, '_forkserver_pid', None)\n"
    "    if not pid:\n"
    "        return 0.0\n"
    "    with open(f'/proc/{pid}/stat') as stat:\n"
    "        fields = stat.read().rsplit(')', 1)[1].split()\n"
    "    return sum(int(f) for f in fields[11:15]) / os.sysconf('SC_CLK_TCK')\n"
    "def _report():\n"
    "    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "    with open(os.environ['BENCH_RUSAGE'], 'w') as out:\n"
    "        json.dump({'self': me.ru_utime + me.ru_stime, 'seconds': _kept.get('seconds'),\n"
    "                   'workers': kids.ru_utime + kids.ru_stime + _forked()}, out)\n"
    "atexit.register(_report)\n"
    "# The summary line rounds the crawl's own time to 0.1 s; its exact value is kept for the report.\n"
    "import crosswire.crawlers.summary as _summary\n"
    "_line = _summary.CrawlSummary.line\n"
    "def _line_kept(self):\n"
    "    _kept['seconds'] = self.seconds\n"
    "    return _line(self)\n"
    "_kept = {}\n"
    "_summary.CrawlSummary.line = _line_kept\n"
    "sys.argv[0] = 'crosswire'\n"
    "runpy.run_module('crosswire', run_name='__main__', alter_sys=True)\n"
)


@dataclass
class Crawl:
    """One crawl's measured times (s), CPU (s) and pages handled."""

    seconds: float      # the crawl's own measured time (its summary line's, unrounded)
    whole: float        # the whole command, wall clock
    cpu_self: float     # CPU of the crawling process
    cpu_workers: float  # CPU of its extraction workers
    pages: int


def bare_trafilatura(pages: list[tuple[str, str]]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) for trafilatura alone to extract every (url, html) page on one core."""
    import trafilatura

    started, cpu = time.perf_counter(), time.process_time()
    for url, html in pages:
        trafilatura.bare_extraction(html, url=url)
    return time.perf_counter() - started, time.process_time() - cpu


def crawl(pages: int, workers: int, python: str = sys.executable) -> Crawl:
    """One `crosswire crawl` of `pages` real pages from a fresh test web into a fresh archive, run by `python`
    (a venv's interpreter: the code installed there crawls)."""
    from testweb import TestWeb

    with TestWeb(outlets=["archive"], real_pages_dir=DATA, real_pages_count=pages) as web, \
            tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.toml"
        sources.write_text(web.sources_toml())
        db, usage = Path(tmp) / "bench.db", Path(tmp) / "rusage.json"
        cmd = [python, "-c", _RUN_CROSSWIRE, "crawl", "--db", str(db), "--sources", str(sources),
               "-s", f"CROSSWIRE_EXTRACT_WORKERS={workers}", "-s", "DOWNLOAD_DELAY=0",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
               "-s", "ROBOTSTXT_OBEY=False"]
        started = time.perf_counter()
        # Run from the temporary folder: `-c` puts the working directory first on sys.path, and a checkout's
        # own crosswire/ there would be imported instead of the one installed for `python`.
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=tmp,
                             env={**os.environ, "BENCH_RUSAGE": str(usage)}).stdout
        whole = time.perf_counter() - started
        cpu = json.loads(usage.read_text())
        conn = sqlite3.connect(db)
        stats = json.loads(conn.execute("select stats from runs order by id desc limit 1").fetchone()[0])
        stored = conn.execute("select count(*) from articles").fetchone()[0]
        conn.close()
        seconds = cpu["seconds"] or float(re.search(r" in ([0-9.]+)s", out).group(1))
        assert stats["articles_new"] == stored, (stats, stored)
        # Copies k>=2 of a page carry the same body: each is fetched and extracted, then stored as a
        # duplicate of the first copy. Every page counts, stored new or linked as a duplicate.
        handled = stats["articles_new"] + stats["articles_duplicate"]
        assert handled == pages, (handled, pages, stats)
        return Crawl(seconds, whole, cpu["self"], cpu["workers"], handled)


def compile_bytecode(python: str) -> float:
    """Compile `python`'s site-packages and crosswire's own folders to bytecode; return the seconds it took."""
    where = subprocess.run(
        [python, "-c", "import sysconfig, os, crosswire, crosswire.crawlers, crosswire.storage as s\n"
                       "print(sysconfig.get_paths()['purelib'])\n"
                       "for m in (crosswire, crosswire.crawlers, s): print(os.path.dirname(m.__file__))"],
        capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()).stdout.split()
    started = time.perf_counter()
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", *where], check=True, capture_output=True)
    return time.perf_counter() - started


CORES = os.cpu_count() or 1


def cpu_bound(self_ms: float, workers_ms: float, workers: int, cores: int = CORES) -> float:
    """The most pages a second a crawl with this marginal CPU a page could reach (÷ 1000): all cores busy with
    the pages' CPU, the crawling process (one interpreter lock) on at most one of them, the workers on at most
    `workers`. Load-independent, unlike the wall-clock ratios: a marginal ratio near this bound is spending
    its CPU well, and one above it is the bare baseline's noise."""
    if self_ms <= 0 or workers_ms <= 0:   # a difference of two noisy CPU totals can come out so: no bound
        return float("nan")
    return min(cores / (self_ms + workers_ms), 1 / self_ms, workers / workers_ms)


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}"


def _spread(values: list[float], unit: str = "x") -> str:
    return f"{statistics.median(values):.2f}{unit} ({min(values):.2f}-{max(values):.2f})"


@dataclass
class Figures:
    """One code version's figures over the rounds, by page count."""

    marginal: dict[int, list[float]]
    whole: dict[int, list[float]]
    cpu_self: dict[int, list[float]]
    cpu_workers: dict[int, list[float]]
    cpu_bare: dict[int, list[float]]
    whole_self: dict[int, list[float]]      # CPU ms a page of the whole command: crawling process
    whole_total: dict[int, list[float]]     # ... and with its workers and their server
    startup: list[float]
    startup_whole: list[float]
    few_self: list[float]
    few_workers: list[float]

    @classmethod
    def empty(cls, sizes: list[int]) -> "Figures":
        return cls(*({n: [] for n in sizes} for _ in range(7)), [], [], [], [])


def report(name: str, figures: Figures, sizes: list[int], args: argparse.Namespace) -> None:
    """The median table of one code version."""
    print(f"\n{name}: medians over {args.repeat} rounds (min-max), {args.workers} workers, ratios to bare "
          "trafilatura:")
    print(f"| pages | marginal / bare | whole command / bare | CPU ms/page: crawling process | workers | "
          f"CPU bound on {CORES} cores / bare (of the medians): marginal | whole command |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        bound = cpu_bound(statistics.median(figures.cpu_self[n]), statistics.median(figures.cpu_workers[n]),
                          args.workers) * statistics.median(figures.cpu_bare[n])
        whole_bound = min(CORES / statistics.median(figures.whole_total[n]),
                          1 / statistics.median(figures.whole_self[n])) * statistics.median(figures.cpu_bare[n])
        print(f"| {n} | {_spread(figures.marginal[n])} | {_spread(figures.whole[n])} | "
              f"{_median(figures.cpu_self[n])} | {_median(figures.cpu_workers[n])} | {bound:.2f}x | {whole_bound:.2f}x |")
    print(f"fixed start-up ({args.few}-page crawl less its pages at the {sizes[-1]}-page marginal rate): "
          f"crawl's own time {_spread(figures.startup, ' s')}, whole command {_spread(figures.startup_whole, ' s')}; "
          f"CPU of the {args.few}-page crawl: crawling process {_spread(figures.few_self, ' s')}, workers "
          f"{_spread(figures.few_workers, ' s')}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[40, 141, 400])
    parser.add_argument("--few", type=int, default=5, help="pages of the small crawl the others are set against")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians over them are reported")
    parser.add_argument("--versions", nargs="+", default=[f"this={sys.executable}"], metavar="NAME=PYTHON",
                        help="code versions to crawl with, each the Python of a venv with that checkout installed "
                             "(e.g. before=../old/.venv/bin/python after=.venv/bin/python): every round crawls "
                             "with each, in turn, against the same bare-trafilatura baseline")
    parser.add_argument("--as-is", action="store_true",
                        help="do not compile the versions' code to bytecode first (see the module docstring)")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} not found: the benchmark needs ../shared/data/extraction-dev beside the repository")
    versions = dict(v.split("=", 1) for v in args.versions)
    truth = json.loads((DATA / "ground-truth.json").read_text())
    base_pages = [(truth[p.name.split(".")[0]]["url"], gzip.decompress(p.read_bytes()).decode("utf-8"))
                  for p in sorted((DATA / "html").glob("*.html.gz"))]
    sizes = sorted(args.pages)
    figures = {name: Figures.empty(sizes) for name in versions}
    cpu_bare: list[float] = []
    if not args.as_is:
        for name, python in versions.items():
            print(f"{name}: bytecode compiled in {compile_bytecode(python):.1f}s", flush=True)
    print(f"load average at start: {os.getloadavg()}", flush=True)
    for round_ in range(1, args.repeat + 1):
        # Each round changes which version goes first, so neither always follows the baseline.
        order = list(versions) if round_ % 2 else list(reversed(versions))
        few: dict[str, Crawl] = {}
        for name in order:
            few[name] = crawl(args.few, args.workers, versions[name])
            figures[name].few_self.append(few[name].cpu_self)
            figures[name].few_workers.append(few[name].cpu_workers)
            print(f"round {round_} {name}: few={args.few} crawl {few[name].seconds:.2f}s whole {few[name].whole:.2f}s "
                  f"cpu self {few[name].cpu_self:.2f}s workers {few[name].cpu_workers:.2f}s", flush=True)
        for n in sizes:
            pages = (base_pages * -(-n // len(base_pages)))[:n]
            # Baseline and crawls back to back, so all see the same machine load; the baseline runs both before
            # and after the crawls and counts as their mean, since this shared machine's speed drifts by tens of
            # per cent within a minute (bare trafilatura's CPU a page, 26.7-36.6 ms within one invocation).
            before_s, before_cpu = bare_trafilatura(pages)
            crawls = {name: crawl(n, args.workers, versions[name]) for name in order}
            after_s, after_cpu = bare_trafilatura(pages)
            bare_s, bare_cpu = (before_s + after_s) / 2, (before_cpu + after_cpu) / 2
            bare_rate = n / bare_s
            cpu_bare.append(bare_cpu / n * 1000)
            print(f"round {round_}: pages={n} bare before {n / before_s:.1f}/s, after {n / after_s:.1f}/s", flush=True)
            for name in order:
                big, small, out = crawls[name], few[name], figures[name]
                rate = (n - args.few) / (big.seconds - small.seconds)
                out.marginal[n].append(rate / bare_rate)
                out.whole[n].append(n / big.whole / bare_rate)
                out.cpu_self[n].append((big.cpu_self - small.cpu_self) / (n - args.few) * 1000)
                out.cpu_workers[n].append((big.cpu_workers - small.cpu_workers) / (n - args.few) * 1000)
                out.cpu_bare[n].append(bare_cpu / n * 1000)
                out.whole_self[n].append(big.cpu_self / n * 1000)
                out.whole_total[n].append((big.cpu_self + big.cpu_workers) / n * 1000)
                print(f"round {round_} {name}: pages={n} bare {bare_rate:.1f}/s ({bare_cpu / n * 1000:.1f} ms CPU/page); "
                      f"crawl {big.seconds:.2f}s whole {big.whole:.2f}s; marginal {rate:.1f}/s "
                      f"({out.marginal[n][-1]:.2f}x) whole {n / big.whole:.1f}/s ({out.whole[n][-1]:.2f}x); "
                      f"marginal CPU/page: crawling process {out.cpu_self[n][-1]:.1f} ms, workers "
                      f"{out.cpu_workers[n][-1]:.1f} ms", flush=True)
                if n == sizes[-1]:
                    out.startup.append(small.seconds - args.few / rate)
                    out.startup_whole.append(small.whole - args.few * (big.whole - small.whole) / (n - args.few))
    for name in versions:
        report(name, figures[name], sizes, args)
    print(f"bare trafilatura CPU ms/page: {_median(cpu_bare)}; load average at end: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
