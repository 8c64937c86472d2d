"""FROZEN COPY of crosswire/identity/similarity.py as it was before the run stores (main at a82e6c5), kept only for
bench/families_before.py. Do not edit or import it elsewhere.

Text similarity for copy families: words, sentences, boilerplate, shingles, containment, MinHash. Pure.

    analyse(texts)                one pass over a batch in numpy: word ids, sentences and their hashes
    Analysis.edge_hashes()        per text, the sentences where outlets put boilerplate (first 2, last 3)
    Analysis.shingles(drop)       per text, word 5-gram hashes and anchor-sentence hashes, skipping the
                                  sentences marked as boilerplate
    containment(a, b)             |a ∩ b| / min(|a|, |b|): 1.0 when one text is a truncated copy of the other
    signatures(docs)              MinHash signatures for a batch, vectorised
    bucket_keys(sigs, anchors)    the LSH band keys plus anchor keys to store and query per document

Everything is computed over the UTF-8 bytes of a whole batch at once (numpy), because per-text Python
(regular expressions, hashlib) capped indexing at about 1,000 articles/s. Words are runs of letters and
digits in any script; a sentence ends at a word followed by . ! or ? and a space.

MinHash here is one-permutation hashing with densification: one hash per shingle instead of one per
shingle and permutation. datasketch's MinHash (k hashes per shingle, a Python object per document) is
the reference estimator; see BENCHMARKS.md for the figures behind the choice.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

SHINGLE_WORDS = 5
NUM_PERM = 48                 # whole-text signature: 16 bands x 3 rows (J = 0.5 found 88% of the time,
BANDS, ROWS = 16, 3           # J = 0.6 98%; 24 bands found no more copies in the bench: anchors catch them)
ANCHOR_WORDS = 8              # sentences this long or longer are specific enough to anchor a candidate
ANCHOR_SENTENCES = 8          # of the first 8 such sentences (truncated copies keep the beginning)
EDGE_HEAD, EDGE_TAIL = 2, 3   # where outlets put credits, links and pleas
MIN_SHINGLES = 8              # texts shorter than this are never put in a family

_POWERS = np.array([pow(1000003, i, 2**64) for i in range(SHINGLE_WORDS)], dtype=np.uint64)
_STOPS = np.array([ord("."), ord("!"), ord("?")], dtype=np.uint8)
_SPACES = np.array([32, 10, 13, 9, 0xFF], dtype=np.uint8)
_MASK64 = 0xFFFFFFFFFFFFFFFF


@dataclass
class Analysis:
    """A batch of texts as words and sentences (global indices across the batch)."""

    count: int                    # texts in the batch
    ids: np.ndarray               # uint64 hash of each word
    word_start: np.ndarray        # index of each text's first word; word_start[count] = total words
    sent_begin: np.ndarray        # first word of each sentence
    sent_end: np.ndarray          # one past its last word
    sent_doc: np.ndarray          # which text each sentence belongs to
    sent_hash: np.ndarray         # int64, 31-bit hash of each sentence's words
    edge: np.ndarray              # bool: among its text's first EDGE_HEAD or last EDGE_TAIL sentences

    def edge_hashes(self) -> list[np.ndarray]:
        """Per text, the distinct hashes of its edge sentences."""
        picked = np.flatnonzero(self.edge)
        per_doc = np.split(self.sent_hash[picked], np.cumsum(np.bincount(self.sent_doc[picked],
                                                                          minlength=self.count))[:-1])
        return [np.unique(h) for h in per_doc]

    def shingles(self, drop: np.ndarray | None = None, k: int = SHINGLE_WORDS
                 ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per text: shingle hashes (word k-grams inside kept sentences, in order) and anchor hashes (the
        first ANCHOR_SENTENCES kept sentences of ANCHOR_WORDS or more). `drop` marks sentences to skip."""
        n_words = len(self.ids)
        empty = np.zeros(0, dtype=np.uint64)
        if n_words == 0:
            return [empty] * self.count, [empty] * self.count
        drop = np.zeros(len(self.sent_begin), dtype=bool) if drop is None else drop
        dropped_words = np.repeat(drop, self.sent_end - self.sent_begin)
        doc_of_word = np.repeat(np.arange(self.count), np.diff(self.word_start))
        # A shingle starting at word j is valid when its k words are in one text and none was dropped.
        span = n_words - k + 1
        shingles: list[np.ndarray] = []
        if span > 0:
            combined = np.zeros(span, dtype=np.uint64)
            for j in range(k):  # a polynomial over the k word ids, wrapping mod 2^64
                combined += self.ids[j: j + span] * _POWERS[j]
            combined = _mix(combined)
            dropped_before = np.concatenate([[0], np.cumsum(dropped_words)])
            valid = ((dropped_before[k:] - dropped_before[:span]) == 0) & (doc_of_word[:span] == doc_of_word[k - 1:])
            where = np.flatnonzero(valid)
            shingles = np.split(combined[where], np.cumsum(np.bincount(doc_of_word[where],
                                                                       minlength=self.count))[:-1])
        else:
            shingles = [empty] * self.count
        for doc in range(self.count):
            if len(shingles[doc]) == 0:   # too short for one full shingle: its kept words make one
                first, last = self.word_start[doc], self.word_start[doc + 1]
                kept = self.ids[first:last][~dropped_words[first:last]][:k]
                if len(kept):
                    short = int((kept * _POWERS[: len(kept)]).sum() & np.uint64(_MASK64))
                    shingles[doc] = _mix(np.array([short], dtype=np.uint64))
        anchor = ~drop & ((self.sent_end - self.sent_begin) >= ANCHOR_WORDS)
        picked = np.flatnonzero(anchor)
        docs = self.sent_doc[picked]
        rank = np.arange(len(picked)) - np.searchsorted(docs, docs)
        picked = picked[rank < ANCHOR_SENTENCES]
        anchors = np.split(self.sent_hash[picked].astype(np.uint64),
                           np.cumsum(np.bincount(self.sent_doc[picked], minlength=self.count))[:-1])
        return list(shingles), anchors


def analyse(texts: Sequence[str]) -> Analysis:
    """Words and sentences of a batch of texts, hashed in one numpy pass over their bytes."""
    count = len(texts)
    data = np.frombuffer(b"\xff".join(t.lower().encode("utf-8") for t in texts), dtype=np.uint8)
    sep = _separators(data) if len(data) else np.zeros(0, dtype=bool)
    edges = np.diff(np.concatenate([[True], sep, [True]]).astype(np.int8))
    starts = np.flatnonzero(edges == -1)                       # a word begins after a separator
    ends = np.flatnonzero(edges == 1)                          # and ends before the next one
    doc_of_word = np.searchsorted(np.flatnonzero(data == 0xFF), starts)
    padded = np.concatenate([data, [32, 32]]).astype(np.uint8)
    stop = np.isin(padded[ends], _STOPS) & np.isin(padded[ends + 1], _SPACES)   # a word ending a sentence
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum((data.astype(np.uint64) + np.uint64(1)) * _powers(len(data) + 1)[: len(data)], out=prefix[1:])
    # A polynomial hash of each word's bytes: the prefix difference, shifted back to position 0.
    ids = (prefix[ends] - prefix[starts]) * _inverse_powers(len(data) + 1)[starts]
    ids = _mix(ids + (ends - starts).astype(np.uint64))
    word_start = np.concatenate([[0], np.cumsum(np.bincount(doc_of_word, minlength=count))]).astype(np.int64)
    # Sentences: a word opens one when it opens its text or follows a word that ended one.
    opens = np.ones(len(ids), dtype=bool)
    if len(ids):
        opens[1:] = (doc_of_word[1:] != doc_of_word[:-1]) | stop[:-1]
    begin = np.flatnonzero(opens)
    finish = np.append(begin[1:], len(ids)).astype(np.int64)
    sent_doc = doc_of_word[begin] if len(ids) else np.zeros(0, dtype=np.int64)
    # The same prefix trick one level up: a sentence's hash from its words' ids.
    word_prefix = np.zeros(len(ids) + 1, dtype=np.uint64)
    np.cumsum(ids * _powers(len(ids) + 1)[: len(ids)], out=word_prefix[1:])
    sent_hash = (_mix((word_prefix[finish] - word_prefix[begin]) * _inverse_powers(len(ids) + 1)[begin])
                 >> np.uint64(33)).astype(np.int64)
    per_doc = np.bincount(sent_doc, minlength=count)
    first_of_doc = np.concatenate([[0], np.cumsum(per_doc)])[:-1]
    rank = np.arange(len(begin)) - first_of_doc[sent_doc] if len(begin) else np.zeros(0, dtype=np.int64)
    from_end = per_doc[sent_doc] - 1 - rank if len(begin) else rank
    return Analysis(count, ids, word_start, begin, finish, sent_doc, sent_hash,
                    (rank < EDGE_HEAD) | (from_end < EDGE_TAIL))


def shingle_hashes(text: str) -> np.ndarray:
    """64-bit hashes of the text's word 5-grams, in order (a text shorter than 5 words gives one shingle)."""
    return analyse([text]).shingles()[0][0]


def shingle_set(text: str) -> frozenset[int]:
    """The text's shingle hashes as a set, for containment checks."""
    return frozenset(shingle_hashes(text).tolist())


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


def batch_shingles(texts: Sequence[str], k: int = SHINGLE_WORDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each text: its shingle hashes, and hashes of its first ANCHOR_SENTENCES sentences of at least
    ANCHOR_WORDS words (exact-sentence anchors: a truncated or re-framed copy keeps many of them)."""
    data = np.frombuffer(b"\xff".join(t.lower().encode("utf-8") for t in texts), dtype=np.uint8)
    empty = np.zeros(0, dtype=np.uint64)
    if not len(data):
        return [(empty, empty) for _ in texts]
    sep = _separators(data)
    edges = np.diff(np.concatenate([[True], sep, [True]]).astype(np.int8))
    starts = np.flatnonzero(edges == -1)                       # a word begins after a separator
    ends = np.flatnonzero(edges == 1)                          # and ends before the next one
    doc_of_word = np.searchsorted(np.flatnonzero(data == 0xFF), starts)
    # A word followed by . ! or ? (then space or the end) ends a sentence.
    padded = np.concatenate([data, [32, 32]])
    stop = np.isin(padded[ends], _STOPS) & np.isin(padded[ends + 1], _SPACES)
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum((data.astype(np.uint64) + np.uint64(1)) * _powers(len(data) + 1)[: len(data)], out=prefix[1:])
    # A polynomial hash of each word's bytes: the prefix difference, shifted back to position 0.
    ids = (prefix[ends] - prefix[starts]) * _inverse_powers(len(data) + 1)[starts]
    ids = _mix(ids + (ends - starts).astype(np.uint64))
    # The same trick one level up gives each sentence's hash from its words' ids.
    word_prefix = np.zeros(len(ids) + 1, dtype=np.uint64)
    np.cumsum(ids * _powers(len(ids) + 1)[: len(ids)], out=word_prefix[1:])
    words_per_doc = np.bincount(doc_of_word, minlength=len(texts))
    out: list[tuple[np.ndarray, np.ndarray]] = []
    n = len(ids) - k + 1
    if n > 0:
        combined = np.zeros(n, dtype=np.uint64)
        for j in range(k):  # a polynomial over the k word ids, wrapping mod 2^64
            combined += ids[j: j + n] * _POWERS[j]
        combined = _mix(combined)
    offsets = np.concatenate([[0], np.cumsum(words_per_doc)])
    # Sentences: a word starts one when it opens its text or follows a word that ended one.
    opens = np.ones(len(ids), dtype=bool)
    opens[1:] = (doc_of_word[1:] != doc_of_word[:-1]) | stop[:-1]
    begin = np.flatnonzero(opens)
    finish = np.append(begin[1:], len(ids))
    long_enough = (finish - begin) >= ANCHOR_WORDS
    begin, finish = begin[long_enough], finish[long_enough]
    doc_of_sentence = doc_of_word[begin]
    rank = np.arange(len(begin)) - np.searchsorted(doc_of_sentence, doc_of_sentence)
    first_ones = rank < ANCHOR_SENTENCES
    begin, finish, doc_of_sentence = begin[first_ones], finish[first_ones], doc_of_sentence[first_ones]
    anchors = _mix((word_prefix[finish] - word_prefix[begin]) * _inverse_powers(len(ids) + 1)[begin])
    per_doc = np.split(anchors, np.cumsum(np.bincount(doc_of_sentence, minlength=len(texts)))[:-1])
    for doc in range(len(texts)):
        first, count = int(offsets[doc]), int(words_per_doc[doc])
        if count == 0:
            out.append((empty, empty))
        elif count < k:  # too short for one full shingle: the words it has make one
            short = int((ids[first:first + count] * _POWERS[:count]).sum() & _MASK64)
            out.append((_mix(np.array([short], dtype=np.uint64)), per_doc[doc]))
        else:
            out.append((combined[first:first + count - k + 1], per_doc[doc]))
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


def signatures(docs: Sequence[np.ndarray]) -> np.ndarray:
    """(n, NUM_PERM) uint32 MinHash signatures of a batch of shingle-hash arrays (all ones when empty)."""
    return _one_permutation(docs, NUM_PERM, None)


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


def bucket_keys(full: np.ndarray, anchors: Sequence[np.ndarray]) -> list[list[int]]:
    """Each document's LSH bucket keys: its BANDS band keys, then one key per anchor sentence. Documents
    sharing any key are candidates: bands find copies with similar texts (edited), anchors find copies
    whose Jaccard similarity is low because they are cut or carry their own opening."""
    whole = _band_keys(full, BANDS, ROWS, 0x51)
    present = full[:, 0] != _EMPTY
    out = []
    for i in range(full.shape[0]):
        keys = whole[i].tolist() if present[i] else []
        # The top bit set keeps anchor keys apart from band keys (both are 31-bit otherwise).
        keys += (anchors[i].astype(np.int64) | (1 << 31)).tolist()
        out.append(keys)
    return out


@functools.lru_cache(maxsize=64)   # one store computes it twice (duplicate check, then the row)
def body_hash(text: str) -> str:
    """A hash of the body that ignores case, punctuation and whitespace, for exact-duplicate detection."""
    words = re.findall(r"\w+", text.lower())
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()
