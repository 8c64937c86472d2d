"""Where search time goes: cProfile (thread CPU-time clock) of search() over the bench queries, ranked and by date.

    python bench/profile_search.py /tmp/benchkeep/bench-1000000.db
"""
import cProfile
import pstats
import sys
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import QUERIES, NOW
from crosswire.storage.db import open_db
from crosswire.storage.query import parse_query
from crosswire.storage.search import search
db = open_db(sys.argv[1])
qs = [parse_query(t, now=NOW) for _, t in QUERIES]
for sort in ("rank", "date"):
    for q in qs:
        search(db, q, sort=sort, limit=20)
    pr = cProfile.Profile(time.thread_time)
    t = time.thread_time()
    pr.enable()
    for _ in range(5):
        for q in qs:
            search(db, q, sort=sort, limit=20)
    pr.disable()
    print(f"== sort={sort}: CPU ms per query {(time.thread_time() - t) / (5 * len(qs)) * 1000:.1f}")
    pstats.Stats(pr).sort_stats("tottime").print_stats(12)
