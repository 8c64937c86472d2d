"""Topic sets: named keyword lists (Syria, Ukraine, Gaza, ...) that tag articles. Pure functions.

The bundled sets live in crosswire/data/topics.toml. A topic matches when any of its `words` appears as a
whole word (case-insensitive), or any of its `stems` begins a word; Arabic terms also match behind the
attached prefixes و ف ب ل, so "وحلب" counts for Aleppo.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from crosswire.errors import SourcesError

BUNDLED = Path(__file__).parent / "data" / "topics.toml"
# Letters that Arabic attaches to the front of a word ("and", "so", "with", "for").
_ARABIC_PREFIX = "(?:[وفبل]{0,2})"
_ARABIC = re.compile(r"[\u0600-\u06ff]")


@dataclass(frozen=True)
class Topic:
    """One named keyword set and the compiled pattern that finds it."""

    name: str
    title: str
    words: tuple[str, ...]
    stems: tuple[str, ...]
    pattern: re.Pattern[str]

    def matches(self, text: str) -> bool:
        """Whether `text` mentions this topic."""
        return bool(text) and self.pattern.search(text) is not None


def _term(term: str, whole: bool) -> str:
    # Spaces and hyphens inside a term match any run of either, so "Deir ez-Zor" finds "Deir ez Zor".
    body = r"[\s\-]+".join(re.escape(part) for part in re.split(r"[\s\-]+", term.strip()))
    prefix = _ARABIC_PREFIX if _ARABIC.search(term) else ""
    return rf"(?<!\w){prefix}{body}" + (r"(?!\w)" if whole else "")


def compile_topic(name: str, title: str, words: Iterable[str], stems: Iterable[str] = ()) -> Topic:
    """A Topic with its pattern built from `words` (whole words) and `stems` (word beginnings)."""
    words, stems = tuple(words), tuple(stems)
    parts = [_term(w, True) for w in words] + [_term(s, False) for s in stems]
    if not parts:
        raise SourcesError(f'topic "{name}" has no words or stems')
    return Topic(name, title, words, stems, re.compile("|".join(parts), re.IGNORECASE))


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
    return [t.name for t in topics if t.matches(text)]


def article_topics(article: dict[str, Any], topics: Iterable[Topic] | None = None) -> list[str]:
    """Topics an article dict (Article.to_dict()) mentions in its title, lede, keywords or text."""
    text = "\n".join(filter(None, [article.get("title"), article.get("lede"),
                                   " ".join(article.get("keywords") or []), article.get("text")]))
    return match_topics(text, topics if topics is not None else load_topics().values())
