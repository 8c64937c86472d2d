"""Body-extraction quality: the shingle metric of the Scrapinghub article-extraction benchmark."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from statistics import mean

_WORD = re.compile(r"\w+")

Counts = tuple[float, float, float]


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of n-token shingles of `text` (tokens are `\\w+`); a short text is one shorter shingle."""
    tokens = _WORD.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def match_counts(expected: str, predicted: str, n: int = 4) -> Counts:
    """(tp, fp, fn) of shingles for one page, normalised to sum 1 so long pages weigh no more than short ones."""
    want, got = shingles(expected, n), shingles(predicted, n)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if total == 0:
        return (0.0, 0.0, 0.0)
    return (tp / total, fp / total, fn / total)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def score(pages: Iterable[Counts]) -> dict[str, float]:
    """Precision and recall averaged over pages, and the F1 of those two averages."""
    pages = list(pages)
    precision = mean([_precision(*c) for c in pages if c[0] + c[1] > 0] or [0.0])
    recall = mean([_recall(*c) for c in pages if c[0] + c[2] > 0] or [0.0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
