"""FROZEN COPY of storage/snippets.py as it was before the snippet and filter-check changes (main at a82e6c5), kept only so that
bench/bench_search.py can time today's search against it, and check the results are the same, in one run.
Do not edit or import it elsewhere.

Search-result snippets with the query's terms highlighted (a pure function of text and query).

Done here rather than with FTS5's snippet(): for prefix queries FTS5 re-merges every matching term's
doclist for each row it highlights (90 ms for a page of 20 on a million articles), while this costs
microseconds per result. Words are compared the way the index's unicode61 tokenizer sees them: split at
anything that is not a letter or digit, case-folded, with combining marks (Latin accents, Arabic harakat)
dropped.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from crosswire.storage.query import Query, Term

# Letters and digits, with any combining marks riding on them (Arabic harakat, decomposed accents) kept inside
# the word so that fold() can drop them; the tokenizer itself would split there, a snippet need not.
_TOKEN = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0640])*")


@functools.lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A word as the index compares it: case-folded, without combining marks."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _term_words(term: Term) -> list[str]:
    return [fold(w) for w in _TOKEN.findall(term.text)]


def match_spans(text: str, terms: list[Term]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(every token's (start, end) in `text`, the (first, last) token indexes of each term occurrence)."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    folded = [fold(text[s:e]) for s, e in tokens]
    hits: list[tuple[int, int]] = []
    for term in terms:
        words = _term_words(term)
        if not words:
            continue
        n = len(words)
        for i in range(len(folded) - n + 1):
            if folded[i:i + n - 1] != words[:-1]:
                continue
            last = folded[i + n - 1]
            if last == words[-1] or (term.prefix and last.startswith(words[-1])):
                hits.append((i, i + n - 1))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(hits):   # a phrase and a word inside it become one highlight
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tokens, merged


def snippet(text: str, terms: list[Term], mark: tuple[str, str], size: int = 24) -> str | None:
    """About `size` tokens of `text` around the densest run of term matches, matches wrapped in `mark`;
    None when no term occurs in the text."""
    if text.isascii():   # cheap pre-check: most fields of most results hold none of the terms
        lowered = text.lower()
        if not any(words and words[0] in lowered for words in map(_term_words, terms)):
            return None
    tokens, hits = match_spans(text, terms)
    if not hits:
        return None
    # The window starting at some hit that covers the most hits; ties go to the earliest.
    best_start, best_count = hits[0][0], 0
    for first, _ in hits:
        count = sum(1 for a, b in hits if a >= first and b < first + size)
        if count > best_count:
            best_start, best_count = first, count
    # Start at the beginning when the hits fit there (the opening reads best), else a little before the
    # first hit so it is read in context, never running past the end.
    start = 0 if best_start < size // 2 else max(0, min(best_start - 3, len(tokens) - size))
    end = min(len(tokens), start + size)
    out: list[str] = []
    cursor = tokens[start][0]
    for a, b in hits:
        if a < start or b >= end:
            continue
        out.append(text[cursor:tokens[a][0]])
        out.append(mark[0] + text[tokens[a][0]:tokens[b][1]] + mark[1])
        cursor = tokens[b][1]
    out.append(text[cursor:tokens[end - 1][1]] if end < len(tokens) else text[cursor:].rstrip())
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(tokens) else ""
    return prefix + "".join(out) + suffix


def query_terms(query: Query) -> list[Term]:
    """The wanted terms of a query (excluded ones are never highlighted)."""
    return [term for group in query.groups for term in group]


def best_snippet(fields: list[str | None], query: Query, mark: tuple[str, str], size: int = 24) -> str | None:
    """The snippet of the first field (body first, then lede, then title) in which a term occurs."""
    terms = query_terms(query)
    for text in fields:
        if text:
            found = snippet(text, terms, mark, size)
            if found is not None:
                return found
    return None
