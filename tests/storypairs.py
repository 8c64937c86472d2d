"""Labelled same-story pairs (../shared/data/story-pairs-dev): loading, archive layout and pairwise scores.

Each line of pairs.jsonl is two real articles in one text field each and the annotators' ratings; a pair is
the same story when `overall <= 2`. This module turns the texts into articles as a crawl would store them
(headline, lede, body), dates both halves of a pair within a day, and scores a prediction per language pair.
Pure: storing and clustering are the caller's (bench/bench_stories.py, tests/test_clustering.py).
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

SAME_STORY_MAX_OVERALL = 2.0
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")


@dataclass(frozen=True)
class Pair:
    """One labelled pair: its two article keys, languages and whether annotators called it one story."""

    id: str
    a: str
    b: str
    lang_a: str
    lang_b: str
    same: bool

    @property
    def kind(self) -> str:
        """The language pair, e.g. 'de-en' (as the data names it: first, second)."""
        return f"{self.lang_a}-{self.lang_b}"


@dataclass(frozen=True)
class PairArticle:
    """One article of the pairs, split the way an extractor would: headline, lede and body."""

    key: str
    lang: str
    title: str
    lede: str
    text: str


def load(path: Path) -> tuple[list[Pair], dict[str, PairArticle]]:
    """The pairs of a pairs.jsonl and each distinct article once (keyed by the ids in `pair_id`)."""
    pairs: list[Pair] = []
    articles: dict[str, PairArticle] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        a, b = row["pair_id"].split("_", 1)
        pairs.append(Pair(row["pair_id"], a, b, row["lang1"], row["lang2"],
                          float(row["overall"]) <= SAME_STORY_MAX_OVERALL))
        for key, lang, text in ((a, row["lang1"], row["text1"]), (b, row["lang2"], row["text2"])):
            articles.setdefault(key, split_article(key, lang, text))
    return pairs, articles


def split_article(key: str, lang: str, text: str) -> PairArticle:
    """Headline, lede and body from one flat text: the headline ends at ' | ', a double space or the first
    sentence (at most 200 characters); the lede is the body's first sentence."""
    text = text.strip()
    title, rest = "", text
    for sep in (" | ", "  "):
        head, found, tail = text.partition(sep)
        if found and 10 <= len(head) <= 250:
            title, rest = head.strip(), tail.strip()
            break
    else:
        first = _SENTENCE_END.split(text, maxsplit=1)
        if len(first) == 2 and len(first[0]) <= 200:
            title, rest = first[0].strip(), first[1].strip()
        else:
            cut = text[:200].rsplit(" ", 1)[0] if len(text) > 200 else text
            title, rest = cut, text[len(cut):].strip()
    body = rest.replace(" | ", "\n\n")
    lede = _SENTENCE_END.split(body, maxsplit=1)[0][:400] if body else ""
    return PairArticle(key, lang, title, lede, body)


def layout(pairs: list[Pair], *, days: float, seed: int = 7, start: float = 1_767_225_600.0) -> dict[str, float]:
    """Article key -> time (epoch seconds): pairs that share an article form one group; groups are spread in
    random order over `days` and every article of a group falls within a day of the group's time."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        parent[root(pair.a)] = root(pair.b)
    groups: dict[str, list[str]] = defaultdict(list)
    for key in parent:
        groups[root(key)].append(key)
    rng = random.Random(seed)
    order = sorted(groups)
    rng.shuffle(order)
    times: dict[str, float] = {}
    for i, group in enumerate(order):
        base = start + days * 86400.0 * i / max(1, len(order))
        for key in sorted(groups[group]):
            times[key] = base + rng.uniform(0, 86400.0)
    return times


@dataclass(frozen=True)
class Score:
    """Pairwise counts and figures for one set of pairs."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        """Share of pairs predicted same-story that are."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of same-story pairs predicted so."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(pairs: Iterable[Pair], predicted_same: Callable[[Pair], bool]) -> Score:
    """Confusion counts of a same-story prediction over `pairs`."""
    tp = fp = fn = tn = 0
    for pair in pairs:
        guess = predicted_same(pair)
        tp += guess and pair.same
        fp += guess and not pair.same
        fn += (not guess) and pair.same
        tn += (not guess) and not pair.same
    return Score(tp, fp, fn, tn)


def by_kind(pairs: Iterable[Pair], predicted_same: Callable[[Pair], bool]) -> dict[str, Score]:
    """Score per language pair plus 'all'."""
    pairs = list(pairs)
    kinds = sorted({p.kind for p in pairs})
    out = {k: score([p for p in pairs if p.kind == k], predicted_same) for k in kinds}
    out["all"] = score(pairs, predicted_same)
    return out


def folds(pairs: list[Pair], k: int, seed: int = 11) -> list[list[Pair]]:
    """`k` folds of pairs, stratified by language pair; pairs sharing an article stay in one fold."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        parent[root(pair.a)] = root(pair.b)
    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[root(pair.a)].append(pair)
    rng = random.Random(seed)
    ordered = sorted(groups.values(), key=lambda g: (g[0].kind, g[0].id))
    rng.shuffle(ordered)
    ordered.sort(key=lambda g: g[0].kind)          # stable: shuffled within each language pair
    out: list[list[Pair]] = [[] for _ in range(k)]
    for i, group in enumerate(ordered):
        out[i % k].extend(group)
    return out
