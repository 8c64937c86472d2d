"""The vectors story clustering compares: own-language terms and language-neutral keys, headline and lede
weighted, with IDF per language.

IDF is taken within each language: a German word is rare or common among German articles, and counting
it against an archive that is mostly English would make every German word look rare. Neutral keys (places,
figures, dates, names, cognates) are shared by all languages and get one IDF over every article.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import zlib
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Iterable

from crosswire.analysis import crossling, langnorm, textvec
from crosswire.analysis import entities as ent

# A headline says what the story is more densely than a body paragraph does; the lede is the next best.
FIELD_WEIGHTS = {"title": 3.0, "lede": 2.0, "text": 1.0}
BODY_TERMS = 400   # later paragraphs drift into background that many different stories share
# Each vector keeps its heaviest terms only: the light tail barely moves a cosine but costs memory and time
# at 100,000 articles (bench/bench_stories.py measures both).
KEEP_TERMS = 150
KEEP_KEYS = 80



@dataclass
class Doc:
    """What clustering needs of an article."""

    id: int
    time: float                          # seconds since the epoch (published, else first seen)
    vector: dict[str, float]             # L2-normalised TF-IDF of the article's own-language terms
    entities: frozenset[str] = frozenset()
    group: str | None = None             # copy key: same key = same text (copy family or body hash)
    title: str = ""
    lang: str = "und"
    neutral: dict[str, float] = field(default_factory=dict)   # L2-normalised language-neutral keys
    embedding: Any = None                # unit vector of crosswire.analysis.embedding (numpy), or None
    people: dict[str, float] | None = None   # person key -> how rare the name is (1: named once); None: all 1


def language(row: dict[str, Any]) -> str:
    """The language of an article row, read off its text (its `language` field only breaks ties)."""
    sample = " ".join(filter(None, (row.get("title"), row.get("lede"), (row.get("text") or "")[:2000])))
    return langnorm.detect(sample, row.get("language"))


def _weighted(fields: Iterable[tuple[str, list[str]]]) -> dict[str, float]:
    """Sublinear frequencies of items, each counted with the weight of the field it came from."""
    counts: Counter[str] = Counter()
    for name, items in fields:
        if name == "text":
            items = items[:BODY_TERMS]
        weight = FIELD_WEIGHTS[name]
        for item in items:
            counts[item] += weight
    return {t: 1.0 + math.log(c) for t, c in counts.items()}   # sublinear: a repeated word is not news


def term_counts(row: dict[str, Any], lang: str, drop: frozenset[str] = frozenset()) -> dict[str, float]:
    """Weighted, sublinear term frequencies of an article in its own language, leaving out `drop`."""
    return _weighted((name, langnorm.terms(row.get(name), lang, drop, BODY_TERMS if name == "text" else None))
                     for name in ("title", "lede", "text"))


def neutral_counts(row: dict[str, Any], lang: str, places: tuple[str, ...] = ()) -> dict[str, float]:
    """Weighted, sublinear frequencies of an article's language-neutral keys; `places` are the gazetteer
    places it names (counted as if in the lede: where they are named matters less than that they are)."""
    fields = [(name, crossling.keys(row.get(name), lang)) for name in ("title", "lede", "text")]
    return _weighted([*fields, ("lede", crossling.place_keys(places))])


Features = tuple[str, Any, dict[str, float], dict[str, float]]   # language, Entities | None, term and key counts


def row_features(row: dict[str, Any], entities: bool = True) -> Features:
    """What a Doc takes of its article alone (language, names, term and key counts): most of build_docs' work,
    and a pure function of the row, so it can be computed ahead, in another process."""
    # Place names leave the term vectors: they are compared as entities and neutral keys, and kept as words
    # they would make any two reports from one town look alike (a prisoner swap and a flood in Marib).
    drop = ent.place_tokens() if entities else frozenset()
    lang = language(row)
    found = ent.extract(row.get("title"), row.get("lede"), row.get("text"), lang=lang) if entities else None
    return lang, found, term_counts(row, lang, drop), neutral_counts(row, lang, found.places if found else ())


# An article to warm row_features up on: its first call loads CLDR names and stop lists and compiles patterns
# (~0.06 s of CPU), which a process then pays once, before the crawl's articles arrive.
WARM_UP_ROW = {
    "id": 0, "language": "en", "title": "Officials in a coastal town report a quiet night",
    "lede": "The mayor said on Monday that no damage was recorded after the storm.",
    "text": "The mayor of the town said on Monday that no damage was recorded. Minister Jane Doe visited "
            "the harbour on 3 March and said that 12 boats would return to sea within two days.",
}


def warm_up() -> None:
    """Run row_features once on a small article (WARM_UP_ROW)."""
    row_features(WARM_UP_ROW)


def row_key(row: dict[str, Any]) -> tuple[int, int]:
    """An article as its features read it: its id and a hash of what row_features reads (an article rewritten
    since is computed again). Within one process only (str hashes differ between processes)."""
    return row["id"], hash((row.get("title"), row.get("lede"), row.get("text"), row.get("language")))


@lru_cache(maxsize=1)
def features_version() -> str:
    """What row_features computes with: a digest of the modules it runs (an edited one makes stored features
    stale, and they are computed again)."""
    digest = hashlib.blake2b(digest_size=8)
    for module in (sys.modules[__name__], crossling, ent, langnorm, textvec):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


def content_key(row: dict[str, Any]) -> bytes:
    """A stable digest of what row_features reads of an article (a revised article is computed again)."""
    parts = [str(row.get(name) or "") for name in ("title", "lede", "text", "language")]
    return hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogatepass"), digest_size=8).digest()


def features_to_blob(features: Features) -> bytes:
    """Features as stored: JSON (floats round-trip exactly), zlib-compressed."""
    lang, found, terms, neutral = features
    people = [list(found.places), list(found.people)] if found is not None else None
    return zlib.compress(json.dumps([lang, people, terms, neutral], ensure_ascii=False).encode(), 1)


def features_from_blob(blob: bytes) -> Features:
    """The Features a blob of features_to_blob holds."""
    lang, people, terms, neutral = json.loads(zlib.decompress(blob))
    found = ent.Entities(tuple(people[0]), tuple(people[1])) if people is not None else None
    return lang, found, terms, neutral


def rows_features(rows: list[dict[str, Any]]) -> list[Features]:
    """row_features of each row (what a worker process runs)."""
    return [row_features(r) for r in rows]


def build_docs(rows: list[dict], *, entities: bool = True, embed: bool = True,
               features: list[Features | None] | None = None) -> list[Doc]:
    """Docs from article dicts (id, time, title, lede, text, group, language; `embedding` if known, else
    computed when `embed`), IDF over these rows; `features`: row_features already computed (None where not)."""
    embedded = [r.get("embedding") for r in rows]
    if embed:
        # Imported here: it brings numpy (~0.1 s), which the crawl's extraction workers, computing row_features
        # only, never need (crawlers/forkserver.py loads this module for them).
        from crosswire.analysis import embedding

        missing = [i for i, vector in enumerate(embedded) if vector is None]
        for i, vector in zip(missing, embedding.embed([rows[i] for i in missing])):
            embedded[i] = vector
    known = features or [None] * len(rows)
    langs, found, counts, neutral = map(list, zip(*[f or row_features(r, entities) for r, f in zip(rows, known)])) \
        if rows else ([], [], [], [])
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, lang in enumerate(langs):
        by_lang[lang].append(i)
    vectors: list[dict[str, float]] = [{} for _ in rows]
    for members in by_lang.values():
        idf, unseen = textvec.idf_table(counts[i].keys() for i in members)
        for i in members:
            vectors[i] = _pruned(textvec.tfidf(counts[i], idf, unseen), KEEP_TERMS)
    nidf, nunseen = textvec.idf_table(c.keys() for c in neutral)
    keyed = [found[i].keys() if found[i] is not None else frozenset() for i in range(len(rows))]
    rarity = people_rarity(keyed)
    docs = []
    for i, row in enumerate(rows):
        keys = keyed[i]
        docs.append(Doc(id=row["id"], time=row["time"], vector=vectors[i], entities=keys, group=row.get("group"),
                        title=row.get("title") or "", lang=langs[i],
                        neutral=_pruned(textvec.tfidf(neutral[i], nidf, nunseen), KEEP_KEYS),
                        embedding=embedded[i], people={e: rarity[e] for e in keys if e in rarity}))
    return docs


def people_rarity(keyed: list[frozenset[str]]) -> dict[str, float]:
    """Person key -> log(1 + N/df) / log(1 + N) over these articles: 1 for a name one article gives, less
    for the figures of the day that many unrelated reports name (a head of government, a president)."""
    df = Counter(e for keys in keyed for e in keys if e.startswith("person:"))
    scale = math.log(1 + len(keyed)) or 1.0
    return {e: math.log(1 + len(keyed) / n) / scale for e, n in df.items()}


def _pruned(vec: dict[str, float], keep: int) -> dict[str, float]:
    """The `keep` heaviest terms of a unit vector, normalised again; keys interned, shared across articles."""
    if len(vec) > keep:
        vec = dict(sorted(vec.items(), key=lambda item: -item[1])[:keep])
        norm = math.sqrt(sum(w * w for w in vec.values()))
        vec = {t: w / norm for t, w in vec.items()}
    return {sys.intern(t): w for t, w in vec.items()}
