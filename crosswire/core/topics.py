"""Topic sets: named keyword lists (Syria, Ukraine, Gaza, ...) that tag articles. Pure functions.

The bundled sets live in crosswire/data/topics.toml. A topic matches when any of its `words` appears as a
whole word (case-insensitive), or any of its `stems` begins a word; Arabic terms also match behind the
attached prefixes و ف ب ل, so "وحلب" counts for Aleppo.
"""

from __future__ import annotations

import functools
import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from crosswire.core.errors import SourcesError

BUNDLED = Path(__file__).parent.parent / "data" / "topics.toml"
_ARABIC = re.compile(r"[\u0600-\u06ff]")


_TOKEN = re.compile(r"\w+")
_SPLIT = re.compile(r"[\s\-]+")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of `text`, the unit topics are matched on."""
    return _TOKEN.findall(text.casefold())


def _arabic_variants(token: str) -> tuple[str, ...]:
    # "وحلب" is "and Aleppo": also try the token without up to two attached prefix letters.
    out = [token]
    for cut in (1, 2):
        if len(token) > cut + 1 and all(ch in "وفبل" for ch in token[:cut]):
            out.append(token[cut:])
    return tuple(out)


class TextTokens:
    """One text tokenised once, so every topic is checked against the same sets (no regex per topic)."""

    def __init__(self, sequence: list[str]) -> None:
        self.sequence = sequence
        words = set(sequence)
        # Arabic words also count without an attached prefix; only distinct words are looked at, and only
        # when there is Arabic at all (one scan of them joined, not one a word).
        if _ARABIC.search(" ".join(words)):
            for token in [w for w in words if _ARABIC.search(w)]:
                words.update(_arabic_variants(token))
        self.words = frozenset(words)
        self._sorted: list[str] | None = None
        self._positions: dict[str, list[int]] | None = None

    @property
    def positions(self) -> dict[str, list[int]]:
        """Where each token (and each Arabic token without its attached prefix) starts, for phrases; built
        only when a phrase's words all occur (most texts never need it)."""
        if self._positions is None:
            self._positions = {}
            for i, token in enumerate(self.sequence):
                variants = _arabic_variants(token) if _ARABIC.search(token) else (token,)
                for variant in variants:
                    self._positions.setdefault(variant, []).append(i)
        return self._positions

    @classmethod
    def of(cls, text: str) -> "TextTokens":
        """Tokenise `text`."""
        return cls(tokens(text))

    def begins_a_word(self, stem: str) -> bool:
        """Whether some word begins with `stem`: a binary search of the sorted words (sorting once costs less
        than collecting every word's beginnings of each length a stem has)."""
        if self._sorted is None:
            self._sorted = sorted(self.words)
        i = bisect_left(self._sorted, stem)
        return i < len(self._sorted) and self._sorted[i].startswith(stem)


@dataclass(frozen=True)
class Topic:
    """One named keyword set, pre-split into single words, word beginnings and multi-word phrases."""

    name: str
    title: str
    words: tuple[str, ...]
    stems: tuple[str, ...]
    single: frozenset[str]                      # one-token words: a set lookup
    stem_lengths: tuple[tuple[int, frozenset[str]], ...]   # one-token stems, grouped by length
    phrases: tuple[tuple[str, ...], ...]        # multi-token words, matched on the token sequence

    def matches(self, text: str | TextTokens) -> bool:
        """Whether `text` mentions this topic."""
        if not text:
            return False
        toks = text if isinstance(text, TextTokens) else TextTokens.of(text)
        if not self.single.isdisjoint(toks.words):
            return True
        if any(toks.begins_a_word(stem) for _, stems in self.stem_lengths for stem in stems):
            return True
        return any(self._has_phrase(phrase, toks) for phrase in self.phrases)

    @staticmethod
    def _has_phrase(phrase: tuple[str, ...], toks: TextTokens) -> bool:
        if phrase[0] not in toks.words or not toks.words.issuperset(phrase[1:]):
            return False
        seq, n = toks.sequence, len(phrase)
        return any(tuple(seq[i + 1:i + n]) == phrase[1:] for i in toks.positions.get(phrase[0], ()))


def compile_topic(name: str, title: str, words: Iterable[str], stems: Iterable[str] = ()) -> Topic:
    """A Topic from `words` (whole words or phrases; spaces and hyphens alike) and `stems` (word beginnings)."""
    words, stems = tuple(words), tuple(stems)
    if not words and not stems:
        raise SourcesError(f'topic "{name}" has no words or stems')
    single, phrases = set(), []
    for word in words:
        parts = tuple(tokens(word))
        if len(parts) == 1:
            single.add(parts[0])
        elif parts:
            phrases.append(parts)
    by_length: dict[int, set[str]] = {}
    for stem in stems:
        parts = tokens(stem)
        if len(parts) == 1:
            by_length.setdefault(len(parts[0]), set()).add(parts[0])
        elif parts:
            phrases.append(tuple(parts))   # a multi-word stem is rare; treat it as a phrase
    return Topic(name, title, words, stems, frozenset(single),
                 tuple((n, frozenset(v)) for n, v in sorted(by_length.items())), tuple(phrases))


def parse_topics(data: dict[str, Any], origin: str) -> dict[str, Topic]:
    """Topics from parsed TOML: one table per topic with `title`, `words` and optional `stems`."""
    out: dict[str, Topic] = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise SourcesError(f'{origin}: topic "{name}" must be a table')
        unknown = set(table) - {"title", "words", "stems"}
        if unknown:
            raise SourcesError(f'{origin}: topic "{name}": unknown key "{sorted(unknown)[0]}"')
        terms = [*table.get("words", []), *table.get("stems", [])]
        if not all(isinstance(t, str) and t.strip() for t in terms):
            raise SourcesError(f'{origin}: topic "{name}": words and stems must be non-empty strings')
        out[name] = compile_topic(name, table.get("title", name), table.get("words", []), table.get("stems", []))
    return out


@functools.lru_cache(maxsize=4)
def load_topics(path: Path = BUNDLED) -> dict[str, Topic]:
    """The topic sets in a TOML file (the bundled ones by default), by name."""
    with open(path, "rb") as handle:
        return parse_topics(tomllib.load(handle), str(path))


def match_topics(text: str, topics: Iterable[Topic]) -> list[str]:
    """Names of the topics `text` mentions, in the order given."""
    toks = TextTokens.of(text)
    return [t.name for t in topics if t.matches(toks)]


def article_topics(article: dict[str, Any], topics: Iterable[Topic] | None = None) -> list[str]:
    """Topics an article dict (Article.to_dict()) mentions in its title, lede, keywords or text."""
    text = "\n".join(filter(None, [article.get("title"), article.get("lede"),
                                   " ".join(article.get("keywords") or []), article.get("text")]))
    return match_topics(text, topics if topics is not None else load_topics().values())
