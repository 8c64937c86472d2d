"""Text similarity for copy families: sentences, boilerplate, shingles, containment and MinHash. Pure.

    edge_sentences(text)          the sentences where an outlet puts its boilerplate (first 2, last 3)
    strip_boilerplate(text, bp)   the text without the sentences an outlet repeats in many articles
    shingle_hashes(text)          hashes of the word 5-grams (numpy uint64, in text order)
    containment(a, b)             |a ∩ b| / min(|a|, |b|): 1.0 when one text is a truncated copy of the other
    signatures(docs)              MinHash signatures (whole text and its lead) for a batch, vectorised
    bucket_keys(full, lead)       the LSH band keys to store and query, one row per document

MinHash here is one-permutation hashing with densification, vectorised over a batch in numpy: one hash per
shingle instead of one per shingle and permutation. datasketch's MinHash (k hashes per shingle, a Python
object per document) indexed about 1,000 documents/s; see BENCHMARKS.md for the figures behind the choice.
"""

from __future__ import annotations

import re
import zlib
from typing import Iterable, Sequence

import numpy as np

SHINGLE_WORDS = 5
NUM_PERM = 96                 # whole-text signature: 32 bands x 3 rows
BANDS, ROWS = 32, 3
LEAD_SHINGLES = 40            # the lead signature covers the first 40 shingles (about the first 45 words)
LEAD_PERM = 24                # lead signature: 8 bands x 3 rows, so truncated copies meet their origin
LEAD_BANDS, LEAD_ROWS = 8, 3
MIN_SHINGLES = 8              # texts shorter than this are never put in a family

_WORD = re.compile(r"\w+", re.UNICODE)
# A sentence ends at . ! ? (or Arabic/CJK stops) followed by space, or at a paragraph break.
_SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u06d4\u3002])\s+|\n\s*\n")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)

_POWERS = np.array([pow(1000003, i, 2**64) for i in range(SHINGLE_WORDS)], dtype=np.uint64)


def words(text: str) -> list[str]:
    """Lowercased word tokens (letters and digits in any script)."""
    return _WORD.findall(text.lower())


def sentences(text: str) -> list[str]:
    """The text's sentences, stripped, empty ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def sentence_hash(sentence: str) -> int:
    """A stable 31-bit hash of a sentence's words (case, punctuation and spacing ignored)."""
    return zlib.crc32(" ".join(words(sentence)).encode("utf-8")) & 0x7FFFFFFF


def edge_sentences(text: str, head: int = 2, tail: int = 3) -> list[int]:
    """Hashes of the first `head` and last `tail` sentences: where outlets put credits, links and pleas."""
    found = sentences(text)
    picked = found if len(found) <= head + tail else found[:head] + found[-tail:]
    return sorted({sentence_hash(s) for s in picked if words(s)})


def strip_boilerplate(text: str, boilerplate: set[int] | frozenset[int]) -> str:
    """The text without the sentences whose hash is in `boilerplate`."""
    if not boilerplate:
        return text
    return " ".join(s for s in sentences(text) if sentence_hash(s) not in boilerplate)


def shingle_hashes(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """64-bit hashes of the text's word k-grams, in order (a text shorter than k words gives one shingle)."""
    return batch_shingle_hashes([text], k)[0]


def _separators(data: np.ndarray) -> np.ndarray:
    """Which bytes of lowercased UTF-8 text are not part of a word: ASCII other than [0-9a-z], the doc
    separator 0xFF, and common multi-byte punctuation (general punctuation, Latin-1 and CJK marks, the
    Arabic comma, semicolon, question mark and full stop)."""
    sep = _ASCII_SEPARATOR[data]
    if len(data) >= 2:
        lead, follow = data[:-1], data[1:]
        two = (((lead == 0xC2) & (follow >= 0xA0) & (follow <= 0xBF))
               | ((lead == 0xD8) & ((follow == 0x8C) | (follow == 0x9B) | (follow == 0x9F)))
               | ((lead == 0xDB) & (follow == 0x94)))
        where = np.flatnonzero(two)
        sep[where] = True
        sep[where + 1] = True
    if len(data) >= 3:
        three = ((data[:-2] == 0xE2) | (data[:-2] == 0xE3)) & (data[1:-1] == 0x80)
        where = np.flatnonzero(three)
        sep[where] = True
        sep[where + 1] = True
        sep[where + 2] = True
    return sep


_ASCII_SEPARATOR = np.array([not (chr(b).isascii() and chr(b).isalnum()) and b < 0x80 or b == 0xFF
                             for b in range(256)], dtype=bool)


def batch_shingle_hashes(texts: Sequence[str], k: int = SHINGLE_WORDS) -> list[np.ndarray]:
    """shingle_hashes for many texts at once: the batch is hashed as one byte array, so numpy's per-call
    cost is paid once per batch rather than once per text."""
    data = np.frombuffer(b"\xff".join(t.lower().encode("utf-8") for t in texts), dtype=np.uint8)
    empty = np.zeros(0, dtype=np.uint64)
    if not len(data):
        return [empty for _ in texts]
    sep = _separators(data)
    edges = np.diff(np.concatenate([[True], sep, [True]]).astype(np.int8))
    starts = np.flatnonzero(edges == -1)                       # a word begins after a separator
    ends = np.flatnonzero(edges == 1)                          # and ends before the next one
    doc_of_word = np.searchsorted(np.flatnonzero(data == 0xFF), starts)
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum((data.astype(np.uint64) + np.uint64(1)) * _powers(len(data) + 1)[: len(data)], out=prefix[1:])
    # A polynomial hash of each word's bytes: the prefix difference, shifted back to position 0.
    ids = (prefix[ends] - prefix[starts]) * _inverse_powers(len(data) + 1)[starts]
    ids = _mix(ids + (ends - starts).astype(np.uint64))
    words_per_doc = np.bincount(doc_of_word, minlength=len(texts))
    out: list[np.ndarray] = []
    n = len(ids) - k + 1
    if n > 0:
        combined = np.zeros(n, dtype=np.uint64)
        for j in range(k):  # a polynomial over the k word ids, wrapping mod 2^64
            combined += ids[j: j + n] * _POWERS[j]
        combined = _mix(combined)
    offsets = np.concatenate([[0], np.cumsum(words_per_doc)])
    for doc in range(len(texts)):
        first, count = int(offsets[doc]), int(words_per_doc[doc])
        if count == 0:
            out.append(empty)
        elif count < k:  # too short for one full shingle: the words it has make one
            short = int((ids[first:first + count] * _POWERS[:count]).sum() & _MASK64)
            out.append(_mix(np.array([short], dtype=np.uint64)))
        else:
            out.append(combined[first:first + count - k + 1])
    return out


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads the bits so bins and minima see uniform input."""
    x = x ^ (x >> np.uint64(30))
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


_BYTE_BASE = 0x100000001B3          # odd, so invertible mod 2^64
_BYTE_BASE_INV = pow(_BYTE_BASE, -1, 2**64)
_power_cache: dict[str, np.ndarray] = {}


def _powers(n: int) -> np.ndarray:
    cached = _power_cache.get("p")
    if cached is None or len(cached) < n:
        size = max(n, 4096, 2 * len(cached) if cached is not None else 0)
        _power_cache["p"] = cached = _geometric(_BYTE_BASE, size)
        _power_cache["i"] = _geometric(_BYTE_BASE_INV, size)
    return cached


def _inverse_powers(n: int) -> np.ndarray:
    _powers(n)
    return _power_cache["i"]


def _geometric(base: int, size: int) -> np.ndarray:
    """[1, base, base^2, ...] mod 2^64."""
    out = np.empty(size, dtype=np.uint64)
    out[0] = 1
    if size > 1:
        out[1:] = np.uint64(base)
        np.multiply.accumulate(out[1:], out=out[1:])
    return out


def containment(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """Share of the smaller shingle set found in the larger: 1.0 for a truncated copy."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small)


def jaccard(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """|a ∩ b| / |a ∪ b|."""
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def text_similarity(a: str, b: str) -> float:
    """Containment of two texts' shingle sets (what `crosswire duplicates` shows as similarity)."""
    return containment(set(shingle_hashes(a).tolist()), set(shingle_hashes(b).tolist()))


def signatures(docs: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures for a batch of shingle-hash arrays: (n, NUM_PERM) over the whole text and
    (n, LEAD_PERM) over its first LEAD_SHINGLES shingles, both uint32 (all-ones rows for empty texts)."""
    return _one_permutation(docs, NUM_PERM, None), _one_permutation(docs, LEAD_PERM, LEAD_SHINGLES)


_EMPTY = np.uint32(0xFFFFFFFF)
_ROTATION = np.uint32(0x9E3779B1)   # added per bin skipped when densifying, as in Shrivastava & Li (2014)


def _one_permutation(docs: Sequence[np.ndarray], bins: int, limit: int | None) -> np.ndarray:
    """One-permutation MinHash with rotation densification: each shingle hash falls in one bin, each
    bin keeps its minimum, and an empty bin borrows its right neighbour's. Collision probability per bin
    equals the Jaccard similarity, like `bins` independent permutations, at the cost of one hash per shingle."""
    n = len(docs)
    sig = np.full((n, bins), _EMPTY, dtype=np.uint32)
    parts = [d if limit is None else d[:limit] for d in docs]
    lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=n)
    if n == 0 or not lengths.any():
        return sig
    flat = np.concatenate(parts)
    rows = np.repeat(np.arange(n), lengths)
    high = flat >> np.uint64(32)
    columns = ((high * np.uint64(bins)) >> np.uint64(32)).astype(np.int64)
    np.minimum.at(sig, (rows, columns), (flat & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    empty = sig == _EMPTY
    if empty.any():
        positions = np.arange(bins)
        filled = np.where(empty, 3 * bins, positions[None, :])
        doubled = np.concatenate([filled, np.where(empty, 3 * bins, positions[None, :] + bins)], axis=1)
        nearest = np.minimum.accumulate(doubled[:, ::-1], axis=1)[:, ::-1][:, :bins]
        has_any = nearest < 3 * bins
        source = np.where(has_any, nearest % bins, 0)
        borrowed = sig[np.arange(n)[:, None], source] + ((nearest - positions[None, :]) % (2 * bins)).astype(
            np.uint32) * _ROTATION
        sig = np.where(empty & has_any, borrowed, sig)
    return sig


def _band_keys(sig: np.ndarray, bands: int, rows: int, salt: int) -> np.ndarray:
    """(n, bands) 31-bit keys: each band's rows hashed together with the band number and a salt."""
    n = sig.shape[0]
    banded = sig[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    acc = np.full((n, bands), salt, dtype=np.uint64) + np.arange(bands, dtype=np.uint64)[None, :] * np.uint64(
        0x9E3779B97F4A7C15)
    for r in range(rows):
        acc = (acc ^ banded[:, :, r]) * np.uint64(0x100000001B3)
        acc ^= acc >> np.uint64(29)
    return (acc & np.uint64(0x7FFFFFFF)).astype(np.int64)


def bucket_keys(full: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """(n, BANDS + LEAD_BANDS) LSH bucket keys: documents sharing any key are candidates."""
    return np.concatenate([_band_keys(full, BANDS, ROWS, 0x51),
                           _band_keys(lead, LEAD_BANDS, LEAD_ROWS, 0xA7)], axis=1)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The MinHash estimate of Jaccard similarity from two signatures."""
    return float(np.mean(a == b)) if len(a) else 0.0


def shingle_set(text: str) -> frozenset[int]:
    """The text's shingle hashes as a set, for containment checks."""
    return frozenset(shingle_hashes(text).tolist())


def unique_edges(texts: Iterable[str]) -> list[list[int]]:
    """edge_sentences for each text (convenience for batch boilerplate counting)."""
    return [edge_sentences(t) for t in texts]
