"""Sparse TF-IDF vectors as plain dicts: tokens, weighted fields, IDF tables and cosine similarity.

Pure functions, no corpus state: the caller builds an IDF table over whatever set of documents it is
comparing (a clustering window, a whole archive) and passes it in.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable, Mapping

# Words that carry no topic: English function words plus newsroom filler that every report contains.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
once only or other our out over own same she should so some such than that the their them then there these
they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours said says say told tells according also would one two three new
monday tuesday wednesday thursday friday saturday sunday today yesterday week day days hours hour
year years time since still however amid among across near per el al
""".split())

TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*")

# Field weights: a headline says what the story is more densely than a body paragraph does.
FIELD_WEIGHTS = {"title": 3.0, "lede": 2.0, "text": 1.0}
BODY_WORDS = 400   # later paragraphs drift into background that many different stories share


def stem(token: str) -> str:
    """A deliberately light English suffix strip, so 'strikes'/'strike' and 'killed'/'kill' meet."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    if len(token) > 5 and token.endswith("ing"):
        return token[:-3]
    if len(token) > 5 and token.endswith("ed"):
        return token[:-2]
    return token


def tokens(text: str | None) -> list[str]:
    """Lower-cased, lightly stemmed content words of `text` (numbers of three or more digits kept)."""
    if not text:
        return []
    out = []
    for raw in TOKEN_RE.findall(text.lower()):
        raw = raw.replace("’", "'").removeprefix("al-")
        if raw.endswith("'s"):
            raw = raw[:-2]
        if raw in STOPWORDS or len(raw) < 2:
            continue
        if raw[0].isdigit() and len(raw) < 3:
            continue
        out.append(stem(raw))
    return out


def term_counts(title: str | None, lede: str | None, text: str | None,
                drop: frozenset[str] = frozenset()) -> dict[str, float]:
    """Weighted term frequencies of an article's fields (sublinear: 1 + log tf), leaving out `drop`."""
    weighted: Counter[str] = Counter()
    for name, value in (("title", title), ("lede", lede), ("text", text)):
        toks = tokens(value)
        if name == "text":
            toks = toks[:BODY_WORDS]
        for tok in toks:
            if tok not in drop:
                weighted[tok] += FIELD_WEIGHTS[name]
    return {t: 1.0 + math.log(c) for t, c in weighted.items()}


def idf_table(documents: Iterable[Iterable[str]]) -> tuple[dict[str, float], float]:
    """IDF of each term over `documents` (each an iterable of its distinct terms) and the IDF of an unseen term."""
    df: Counter[str] = Counter()
    n = 0
    for terms in documents:
        n += 1
        df.update(set(terms))
    table = {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
    return table, math.log(n + 1) + 1.0


def tfidf(counts: Mapping[str, float], idf: Mapping[str, float], unseen: float) -> dict[str, float]:
    """An L2-normalised TF-IDF vector from term frequencies."""
    vec = {t: tf * idf.get(t, unseen) for t, tf in counts.items()}
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {t: w / norm for t, w in vec.items()} if norm else {}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two sparse vectors (iterates over the smaller one)."""
    if len(a) > len(b):
        a, b = b, a
    # Only shared terms: most are not, a membership test is cheaper than a get, and the products left out
    # are zeros, which add nothing (the sum is the same to the last bit, in the same order).
    return sum([w * b[t] for t, w in a.items() if t in b], 0.0)


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine similarity of two sparse vectors of any norm."""
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot(a, b) / (na * nb) if na and nb else 0.0


def top_terms(vec: Mapping[str, float], k: int) -> list[str]:
    """The k heaviest terms of a vector."""
    return [t for t, _ in sorted(vec.items(), key=lambda item: (-item[1], item[0]))[:k]]
