"""Story clustering's speed changes, each before/after in one process, on a kept archive of generated articles.

    python bench/bench_recluster.py build N [--keep /tmp/cwstories]
        Store N generated articles (bench_stories.generate, seed 9) in KEEP/archN.db and embed them once (timed:
        CPU of this process and of the embedding workers).
    python bench/bench_recluster.py ahead N --batch 5000 [--keep ...]
        Recluster copies of the archive with the next batch's features read ahead in a worker process off, then on
        (crosswire.storage.stories.PREFETCH): wall, the main process's and the worker's CPU, identical partitions.
    python bench/bench_recluster.py assign N [--reps 3] [--keep ...]
        The assignment loop alone (Clusterer.add over every doc of the archive) with main's clustering.py and
        textvec.py (loaded from git) and with this checkout's, alternating, on the same docs: CPU and whether every
        decision and score is identical.

CPU seconds, not wall: the machine is shared.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
import types
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_stories  # noqa: E402

from crosswire.analysis import clustering  # noqa: E402
from crosswire.analysis.storyvec import build_docs  # noqa: E402
from crosswire.core.article import Article  # noqa: E402
from crosswire.core.sources import Source  # noqa: E402
from crosswire.storage import stories  # noqa: E402
from crosswire.storage.articles import store_article  # noqa: E402
from crosswire.storage.db import open_db  # noqa: E402
from crosswire.storage.feeds import sync_source  # noqa: E402


def cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def build(path: Path, n: int) -> None:
    """Store n generated articles and embed them."""
    db = open_db(path)
    with db.atomic():
        for i in range(40):
            sync_source(db, Source(name=f"outlet{i}", homepage=f"https://outlet{i}.test/"))
        for row in bench_stories.generate(n, 9):
            source = f"outlet{row['id'] % 40}"
            store_article(db, Article(url=f"https://{source}.test/a/{row['id']}", title=row["title"], lede=row["lede"],
                                      text=row["text"], published=datetime.fromtimestamp(row["time"], timezone.utc)),
                          source=source)
    (me, kids), started = cpu(), time.perf_counter()
    stories.attach_embeddings(db, [{"id": r[0], "title": r[1], "lede": r[2], "text": r[3]}
                                   for r in db.execute("select id, title, lede, text from articles")])
    used = sum(cpu()) - me - kids
    print(f"embedded {n}: {time.perf_counter() - started:.1f}s wall, {used:.1f}s CPU ({used * 1000 / n:.2f} ms an article)")


def ahead(path: Path, n: int, batch: int) -> None:
    """Recluster with the read-ahead off, then on."""
    stories.RECLUSTER_BATCH = batch
    partitions = {}
    for on in (False, True):
        stories.PREFETCH = on
        work = path.with_suffix(".work.db")
        shutil.copy(path, work)
        db = open_db(work)
        (me, kids), started = cpu(), time.perf_counter()
        report = stories.recluster(db)
        wall = time.perf_counter() - started
        me2, kids2 = cpu()
        print(f"read-ahead {'on' if on else 'off'}: {wall:.1f}s wall, main {me2 - me:.1f}s CPU "
              f"({n / (me2 - me):.0f} articles per main CPU second), worker {kids2 - kids:.1f}s CPU; {report.line()}")
        partitions[on] = dict(db.execute("select id, story_id from articles").fetchall())
        db.conn.close()
        work.unlink()
    print(f"identical partitions: {partitions[False] == partitions[True]}")


def old_module(name: str) -> types.ModuleType:
    """main's version of crosswire/analysis/NAME.py, as a module of its own."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"main:crosswire/analysis/{name}.py"],
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType(f"{name}_main")
    sys.modules[module.__name__] = module   # dataclasses look their module up
    exec(compile(source, f"{name}_main.py", "exec"), module.__dict__)
    return module


def assign(path: Path, reps: int) -> None:
    """The assignment loop, main's modules against this checkout's."""
    before = old_module("clustering")
    before.textvec = old_module("textvec")
    db = open_db(path)
    rows = stories._rows(db, "1", [])
    stories.attach_embeddings(db, rows)
    docs = build_docs(rows)
    times: dict[str, list[float]] = {"main": [], "now": []}
    decisions = {}
    for _ in range(reps):
        for name, module in (("main", before), ("now", clustering)):
            clusterer = module.Clusterer()
            started = time.process_time()
            made = [clusterer.add(d) for d in docs]
            times[name].append(time.process_time() - started)
            decisions[name] = [(d.doc_id, d.story_id, d.new_story, d.copy, round(d.score, 12)) for d in made]
    for name, took in times.items():
        print(f"{name}: {' / '.join(f'{t:.2f}' for t in took)} s CPU ({len(docs) / min(took):.0f} docs per CPU second)")
    print(f"now / main: {min(times['now']) / min(times['main']):.2f}; identical decisions and scores: "
          f"{decisions['main'] == decisions['now']}")


def main() -> None:
    """Run one of the three measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("build", "ahead", "assign"))
    parser.add_argument("n", type=int)
    parser.add_argument("--keep", type=Path, default=Path("/tmp/cwstories"))
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    path = args.keep / f"arch{args.n}.db"
    if args.what == "build":
        build(path, args.n)
    elif args.what == "ahead":
        ahead(path, args.n, args.batch)
    else:
        assign(path, args.reps)


if __name__ == "__main__":
    main()
