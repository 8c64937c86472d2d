"""Online story clustering: each article joins the most similar active story or starts a new one.

Every article carries two vectors (crosswire.analysis.storyvec builds them): its own language's terms
(crosswire.analysis.langnorm: folded, stemmed, headline and lede weighted) and language-neutral keys
(crosswire.analysis.crossling: places, figures, dates, name skeletons,
cognates). A story keeps one centroid per language it is written in and one neutral centroid. An article
is scored against every story still active in the time window that shares one of its heaviest terms or keys
(an inverted index keeps this cheap):

* in its own language: the cosine with that language's centroid (or, discounted, its closest member) plus a
  little of the neutral cosine, against the same-language threshold;
* across languages: the neutral cosine alone, against the cross-language threshold, since nothing else
  is shared;

then shared places and people add a bonus, naming other specific towns subtracts a penalty (a market strike
in Ariha is not the market strike in Saraqib the same morning), and time apart subtracts a little. The
weights and thresholds are fitted on labelled real pairs by bench/fit_stories.py. Copies of one text (the
same copy family or body hash) join their original's story without weighing on its centroid, so a wire story
syndicated ten times counts once. Pure: no database; crosswire.storage.stories feeds it and writes the result.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crosswire.analysis import textvec
from crosswire.analysis.entities import entity_bonus, shared_people  # noqa: F401 (callers import them here)
from crosswire.analysis.embedding import DIM
from crosswire.analysis.storyvec import Doc

# How news spreads: the first reports of an event come within hours and other outlets' takes (the other
# side's agency, translations, weeklies, follow-ups) trail over days. A story stays open for five days after
# its first report; reports within a day of its span pay nothing for time (the labelled pairs, all within a
# day, were fitted that way), later ones a penalty that grows with the gap and saturates after a few days,
# so a report three days late needs clearly stronger text.
WINDOW_HOURS = 120.0
FREE_HOURS = 24.0
TIME_SCALE_HOURS = 48.0
TIME_PENALTY = 0.06       # subtracted once the gap is well past TIME_SCALE_HOURS

# Fitted on ../shared/data/story-pairs-dev by `python bench/fit_stories.py` (grid search for the best pairwise
# F1 at precision >= 0.86; each language's threshold shrunk toward the overall one when it has few examples;
# 5-fold held-out figures in its output). THRESHOLD: the same-language score (own-language cosine plus
# NEUTRAL_WEIGHT x the neutral cosine plus EMBED_WEIGHT x the embedding cosine) an article needs to join;
# CROSS_THRESHOLD: the score (embedding cosine plus CROSS_NEUTRAL_WEIGHT x the neutral cosine) it needs to
# join a story written in another language. Languages and pairs not listed use the overall value.
THRESHOLD = 1.405
CROSS_THRESHOLD = 0.581
NEUTRAL_WEIGHT = 0.0
EMBED_WEIGHT = 2.0
CROSS_NEUTRAL_WEIGHT = 0.25
THRESHOLDS: dict[str, float] = {"ar": 1.254, "de": 1.26, "en": 1.408, "es": 1.407, "fr": 1.356, "it": 1.434,
                                "pl": 1.271, "ru": 1.449, "tr": 1.418, "zh": 1.405}
CROSS_THRESHOLDS: dict[str, float] = {"de-en": 0.632, "de-fr": 0.58, "en-es": 0.586, "en-pl": 0.569,
                                      "en-zh": 0.565, "es-it": 0.582}
# Articles without an embedding (made by hand, or an encoder that could not run) are judged on words alone,
# by the model fitted without one (`python bench/fit_stories.py --words-only`).
WORDS_ONLY: dict[str, Any] = {
    "threshold": 0.328, "cross_threshold": 0.204, "neutral_weight": 0.15, "place_bonus": 0.30,
    "thresholds": {"ar": 0.316, "de": 0.246, "en": 0.315, "es": 0.275, "fr": 0.327, "it": 0.384, "pl": 0.266,
                   "ru": 0.343, "tr": 0.333, "zh": 0.259},
    "cross_thresholds": {"de-en": 0.199, "de-fr": 0.204, "en-es": 0.204, "en-pl": 0.152, "en-zh": 0.105,
                         "es-it": 0.191}}

ENTITY_BONUS = 0.0        # (fitted too: 0 beats 0.15 and 0.3) weight of the overlap of all places and people named
# Weight of the overlap of specific towns and regions (crosswire.entities' conflict gazetteer; countries are
# left out). The dev pairs cannot fit it: only a few of them name such places, and the fit is flat over
# 0-0.45 (bench/fit_stories.py prints it). Set so that two accounts of one strike with opposed framing that
# name the same town join (the events test web's Ariha market), mirroring PLACE_PENALTY, while a commentary
# on bombing near a town does not join the same morning's report of a water station shelled there (the
# demo's Deir ez-Zor: at 0.30 it did, on a score that the embedding already lifts by topic).
PLACE_BONUS = 0.15
# Weight of the people both name (at most PEOPLE_CAP of them count), each by its rarity among the articles
# clustered together (crosswire.analysis.storyvec.people_rarity: the figures of the day that unrelated reports
# also name count less): a German and an English report of one event mostly share its people's names, spelled
# alike (compared on first name and surname: on the dev pairs across languages, 77 of the 130 same-story pairs
# share one, 30 of the 239 others). Fitted by bench/fit_stories.py, across languages on its own.
PERSON_BONUS = 0.1
CROSS_PERSON_BONUS = 0.1   # the same across languages (for a story with no report in the article's language)
PEOPLE_CAP = 2
MEMBER_WEIGHT = 0.9       # discount on the similarity to the story's closest member (vs its centroid)
BONUS_HOURS = 12.0        # the place bonus fades to nothing this long after (or before) the story's span:
# opposed accounts of one strike come within hours; a week of shelling in one town is many stories
# (bench/bench_stories.py's generated towns: pairwise precision 0.51 at 48 hours, 0.57 at 12)
MIN_COSINE = 0.05         # text must agree by itself: shared names alone never make one story
PLACE_PENALTY = 0.85      # both name specific places and share none: the same kind of event somewhere else
INDEX_TERMS = 12          # terms of each member that point to its story in the inverted index
QUERY_TERMS = 12          # terms of a new article used to look up candidate stories
NEUTRAL_INDEX_KEYS = 6    # neutral keys of each member (and of each new article) in the same index
MAX_CANDIDATES = 12       # stories scored per article, most shared terms first
COPY_MIN_COSINE = 0.5     # a copy must read like its group's first text to join its story unexamined
MEMBER_CHECKS = 4         # of those, how many (best by centroid score) are also compared member by member
EMBED_CANDIDATES = 4      # stories nearest by embedding scored too: a report in another script may share no key


def pair_key(a: str, b: str) -> str:
    """The key of a language pair, the same either way round: 'de-en'."""
    return "-".join(sorted((a, b)))


@dataclass
class Centroid:
    """Sum of member vectors and its squared norm."""

    vector: dict[str, float] = field(default_factory=dict)
    norm2: float = 0.0

    def add(self, vec: dict[str, float], dot: float | None = None) -> float:
        """Add a vector (its dot with the centroid before, if known); return that dot."""
        d = textvec.dot(vec, self.vector) if dot is None else dot
        self.norm2 += 2 * d + sum(w * w for w in vec.values())
        for term, w in vec.items():
            self.vector[term] = self.vector.get(term, 0.0) + w
        return d

    def cosine(self, vec: dict[str, float]) -> tuple[float, float]:
        """Cosine of a unit vector with the centroid, and their dot product."""
        d = textvec.dot(vec, self.vector)
        return (d / math.sqrt(self.norm2) if self.norm2 > 0 else 0.0), d


@dataclass
class Story:
    """A story being built: centroids (per language and neutral), entities, time span and members."""

    id: int
    centroids: dict[str, Centroid] = field(default_factory=dict)
    neutral: Centroid = field(default_factory=Centroid)
    entities: Counter[str] = field(default_factory=Counter)
    places: set[str] = field(default_factory=set)
    first: float = math.inf
    last: float = -math.inf
    members: list[int] = field(default_factory=list)
    originals: list[int] = field(default_factory=list)   # members that are not copies
    langs: dict[int, str] = field(default_factory=dict)  # original -> its language
    embedding: Any = None                                # sum of the originals' embeddings (numpy), if any
    embedded: int = 0                                    # originals with an embedding
    embedding_norm: float = 0.0                          # of that sum: kept, not recomputed per candidate

    def add(self, doc: Doc, weigh: bool, dot_with_centroid: float | None = None) -> None:
        """Add a member; only non-copies (`weigh`) move the centroids."""
        self.members.append(doc.id)
        self.first, self.last = min(self.first, doc.time), max(self.last, doc.time)
        if not weigh:
            return
        self.originals.append(doc.id)
        self.langs[doc.id] = doc.lang
        self.centroids.setdefault(doc.lang, Centroid()).add(doc.vector, dot_with_centroid)
        self.neutral.add(doc.neutral)
        if doc.embedding is not None:
            self.embedding = doc.embedding.copy() if self.embedding is None else self.embedding + doc.embedding
            self.embedded += 1
            self.embedding_norm = float(np.sqrt(self.embedding @ self.embedding))
        self.entities.update(doc.entities)
        self.places.update(e for e in doc.entities if e.startswith("place:"))


@dataclass(frozen=True)
class Decision:
    """Where one article went and why."""

    doc_id: int
    story_id: int
    new_story: bool
    score: float
    copy: bool = False


class Clusterer:
    """Assigns documents, in time order, to stories; `seed` replays known assignments first."""

    def __init__(self, *, next_id: int = 1, window_hours: float = WINDOW_HOURS, threshold: float = THRESHOLD,
                 cross_threshold: float = CROSS_THRESHOLD, neutral_weight: float = NEUTRAL_WEIGHT,
                 thresholds: dict[str, float] | None = None, cross_thresholds: dict[str, float] | None = None,
                 embed_weight: float = EMBED_WEIGHT, cross_neutral_weight: float = CROSS_NEUTRAL_WEIGHT,
                 entity_bonus: float = ENTITY_BONUS, place_bonus: float = PLACE_BONUS,
                 person_bonus: float = PERSON_BONUS, cross_person_bonus: float = CROSS_PERSON_BONUS,
                 time_penalty: float = TIME_PENALTY,
                 place_penalty: float = PLACE_PENALTY, min_cosine: float = MIN_COSINE,
                 bonus_hours: float = BONUS_HOURS, member_weight: float = MEMBER_WEIGHT) -> None:
        self.window = window_hours * 3600.0
        self.threshold = threshold
        self.cross_threshold = cross_threshold
        # An explicit overall threshold (e.g. a user's --threshold) replaces the per-language ones.
        default = threshold == THRESHOLD
        self.thresholds = THRESHOLDS if thresholds is None and default else (thresholds or {})
        self.cross_thresholds = CROSS_THRESHOLDS if cross_thresholds is None else cross_thresholds
        self.neutral_weight = neutral_weight
        self.embed_weight = embed_weight
        self.cross_neutral_weight = cross_neutral_weight
        self.entity_bonus = entity_bonus
        self.place_bonus = place_bonus
        self.person_bonus = person_bonus
        self.cross_person_bonus = cross_person_bonus
        self.time_penalty = time_penalty
        self.place_penalty = place_penalty
        self.min_cosine = min_cosine
        self.bonus_hours = bonus_hours
        self.member_weight = member_weight
        # the most names can add
        self._bonus_cap = entity_bonus + max(place_bonus, WORDS_ONLY["place_bonus"]) + max(person_bonus,
                                                                                              cross_person_bonus)
        self.next_id = next_id
        self.stories: dict[int, Story] = {}
        self.index: dict[str, set[int]] = {}
        self.groups: dict[str, int] = {}          # copy key -> story of its first member
        self.group_first: dict[str, int] = {}     # copy key -> its first member
        self.doc_story: dict[int, int] = {}
        self.vectors: dict[int, dict[str, float]] = {}
        self.neutrals: dict[int, dict[str, float]] = {}
        self.titles: dict[int, str] = {}
        self.embeddings: dict[int, Any] = {}
        self.nearby = EmbeddingIndex()
        self._added = 0

    # ---------------------------------------------------------------------------------------------------
    def seed(self, doc: Doc, story_id: int) -> None:
        """Record an existing assignment (from the database) so later documents can join that story."""
        story = self.stories.get(story_id)
        if story is None:
            story = self.stories[story_id] = Story(story_id)
        self.next_id = max(self.next_id, story_id + 1)
        copy = doc.group is not None and doc.group in self.groups and self._same_text(doc)
        self._place(doc, story, weigh=not copy)

    def add(self, doc: Doc) -> Decision:
        """Assign one new document: to its copy's story, else the best-scoring active story, else a new one."""
        self._added += 1
        if self._added % 2000 == 0:
            self._expire(doc.time)
        if doc.group is not None and doc.group in self.groups and self._same_text(doc):
            story = self.stories[self.groups[doc.group]]
            self._place(doc, story, weigh=False)
            return Decision(doc.id, story.id, False, 1.0, copy=True)
        best, best_score, best_dot = None, -math.inf, None
        scored = [(self._score(doc, self.stories[s], members=False), s) for s in self._candidates(doc)]
        scored.sort(key=lambda item: -item[0][0])
        for rank, ((score, d), story_id) in enumerate(scored):
            story = self.stories[story_id]
            # the nearest-member look costs a dot product per member: few stories get it (a story of one
            # original would score the same again)
            if rank < MEMBER_CHECKS and self.member_weight and len(story.originals) > 1:
                score, d = self._score(doc, story, members=True)
            if score > best_score:
                best, best_score, best_dot = story, score, d
        if best is not None and best_score >= 0.0:
            self._place(doc, best, weigh=True, dot_with_centroid=best_dot)
            return Decision(doc.id, best.id, False, best_score)
        story = self.stories[self.next_id] = Story(self.next_id)
        self.next_id += 1
        self._place(doc, story, weigh=True)
        return Decision(doc.id, story.id, True, best_score if best is not None else -1.0)

    def label(self, story_id: int) -> str:
        """The title of the member closest to its language's centroid, in the story's main language."""
        story = self.stories[story_id]
        members = story.originals or story.members
        if story.langs:
            main = Counter(story.langs.values()).most_common(1)[0][0]
            members = [m for m in members if story.langs.get(m) == main] or members
            centroid = story.centroids[main].vector
        else:
            centroid = {}
        best = max(members, key=lambda m: (textvec.dot(self.vectors.get(m, {}), centroid), -m))
        return self.titles.get(best, "")

    # ---------------------------------------------------------------------------------------------------
    def _place(self, doc: Doc, story: Story, weigh: bool, dot_with_centroid: float | None = None) -> None:
        if weigh and doc.lang not in story.centroids:
            dot_with_centroid = None          # the dot was with another language's centroid (or none)
        story.add(doc, weigh, dot_with_centroid)
        self.doc_story[doc.id] = story.id
        self.titles[doc.id] = doc.title
        if doc.group is not None and doc.group not in self.groups:
            self.groups[doc.group] = story.id
            self.group_first[doc.group] = doc.id
        if weigh:
            self.vectors[doc.id] = doc.vector
            self.neutrals[doc.id] = doc.neutral
            if doc.embedding is not None:
                self.embeddings[doc.id] = doc.embedding
                self.nearby.put(story.id, story.embedding)
            for term in self._lookup_terms(doc, INDEX_TERMS):
                self.index.setdefault(term, set()).add(story.id)

    @staticmethod
    def _lookup_terms(doc: Doc, k: int) -> list[str]:
        # Own-language terms find same-language stories; neutral keys (prefixed, so they never clash with
        # terms) find the same story told in other languages: places, figures, dates and names first, since
        # cognates only link Latin-script languages and would crowd them out.
        hard = {t: w for t, w in doc.neutral.items() if t[0] != ":"}
        soft = {t: w for t, w in doc.neutral.items() if t[0] == ":"}
        return (textvec.top_terms(doc.vector, k) + textvec.top_terms(hard, NEUTRAL_INDEX_KEYS)
                + textvec.top_terms(soft, NEUTRAL_INDEX_KEYS // 2))

    def _same_text(self, doc: Doc) -> bool:
        """Whether a document really reads like the first of its copy group: a copy family built on shared page
        furniture (comments, footers) must not drag unrelated articles into one story."""
        first = self.group_first.get(doc.group or "")
        return first is None or textvec.dot(doc.vector, self.vectors.get(first, {})) >= COPY_MIN_COSINE

    def _candidates(self, doc: Doc) -> list[int]:
        hits: Counter[int] = Counter()
        for term in self._lookup_terms(doc, QUERY_TERMS):
            hits.update(self.index.get(term, ()))
        out = []
        for story_id, _ in hits.most_common():
            if self._in_window(self.stories[story_id], doc.time):
                out.append(story_id)
                if len(out) == MAX_CANDIDATES:
                    break
        if doc.embedding is not None:
            near = [s for s in self.nearby.nearest(doc.embedding, 2 * EMBED_CANDIDATES)
                    if s not in out and self._in_window(self.stories[s], doc.time)]
            out += near[:EMBED_CANDIDATES]
        return out

    def _in_window(self, story: Story, t: float) -> bool:
        # Anchored to the first report, not the latest: a story extended by each new member would otherwise
        # chain one week's school strike in a town to the next week's and never end.
        return story.last - self.window <= t <= story.first + self.window

    def _nearest(self, doc: Doc, story: Story, same_lang: bool) -> float:
        """The best similarity of the document to one original member (own-language or neutral vectors)."""
        if same_lang:
            return max((textvec.dot(doc.vector, self.vectors[m]) for m, lang in story.langs.items()
                        if lang == doc.lang), default=0.0)
        return max((textvec.dot(doc.neutral, self.neutrals[m]) for m in story.originals), default=0.0)

    def _embedded(self, doc: Doc, story: Story, several: bool) -> tuple[float, float] | None:
        """The embedding cosine of the document with the story (its closest member counts too), and with its
        closest member in another language (0 if none); None when either has no embedding: then both are
        judged on words alone."""
        if doc.embedding is None or story.embedding is None or story.embedded < len(story.originals):
            return None
        norm = story.embedding_norm
        cos = float(doc.embedding @ story.embedding) / norm if norm else 0.0
        sims = {m: float(doc.embedding @ self.embeddings[m]) for m in story.originals
                if several or story.langs[m] != doc.lang}   # each member's dot once
        if several:
            cos = max(cos, max(sims.values()))
        # Across languages only the reports in another language count: a story that has one Arabic report
        # must not let an English article in on a lower bar than its English reports set.
        other = max((sims[m] for m, lang in story.langs.items() if lang != doc.lang), default=0.0)
        return cos, other

    def _params(self, embedded: bool) -> tuple[float, float, float, dict[str, float], dict[str, float]]:
        """(threshold, cross threshold, neutral weight, per-language and per-pair thresholds) of one model."""
        if embedded:
            return (self.threshold, self.cross_threshold, self.neutral_weight, self.thresholds,
                    self.cross_thresholds)
        return (WORDS_ONLY["threshold"], WORDS_ONLY["cross_threshold"], WORDS_ONLY["neutral_weight"],
                WORDS_ONLY["thresholds"], WORDS_ONLY["cross_thresholds"])

    def _score(self, doc: Doc, story: Story, members: bool = True) -> tuple[float, float | None]:
        """The margin by which the document clears the threshold of joining the story (>= 0: it joins),
        and its dot product with the story's centroid in its language (None if the story has none)."""
        own = story.centroids.get(doc.lang)
        others = [lang for lang in story.centroids if lang != doc.lang]
        several = bool(members and self.member_weight and len(story.originals) > 1)
        margin, d, cos = -math.inf, None, 0.0
        if own is not None:
            cos, d = own.cosine(doc.vector)
            if several:
                # The closest single member counts too (discounted): a state agency's account may read like
                # the other state agency's, not like the average of a story the independent outlets dominate.
                cos = max(cos, self.member_weight * self._nearest(doc, story, True))
        embedded = self._embedded(doc, story, several)
        threshold, cross_threshold, neutral_weight, thresholds, cross_thresholds = self._params(embedded is not None)
        threshold = thresholds.get(doc.lang, threshold)
        lift = self.embed_weight * embedded[0] if embedded is not None else 0.0
        if not others and (cos < self.min_cosine or cos + neutral_weight + lift + self._bonus_cap < threshold):
            return -2.0, d    # below the floor, or too far below the threshold for anything else to lift it
        neutral, _ = story.neutral.cosine(doc.neutral)
        if several:
            # Undiscounted: across languages a story's centroid mixes vocabularies, and the one report in the
            # article's neighbour language is what the cross-language threshold was fitted on.
            neutral = max(neutral, self._nearest(doc, story, False))
        if cos >= self.min_cosine:
            margin = cos + neutral_weight * neutral + lift - threshold
        if others:   # members in other languages: judged by the most lenient pair
            across = neutral if embedded is None else embedded[1] + self.cross_neutral_weight * neutral
            margin = max(margin, across - min(cross_thresholds.get(pair_key(doc.lang, lang), cross_threshold)
                                              for lang in others))
        if margin == -math.inf:
            return -2.0, d
        gap = max(0.0, story.first - doc.time, doc.time - story.last)
        bonus = 0.0
        if doc.entities and story.entities:
            # Shared names count within hours: two outlets that frame one event in different words (a
            # "market massacre", a "strike on a militant post") the same morning still name the same town.
            closeness = max(0.0, 1.0 - gap / (self.bonus_hours * 3600.0))
            place_bonus = self.place_bonus if embedded is not None else WORDS_ONLY["place_bonus"]
            bonus = closeness * entity_bonus(doc.entities, story.entities, self.entity_bonus, place_bonus)
            weight = self.person_bonus if own is not None else self.cross_person_bonus
            if embedded is not None and weight:   # fitted with the embedding only
                # People count for as long as time is free (the pairs they were fitted on are within a day):
                # a rare name, unlike a town, does not make the next day's other event there look alike.
                people = min(shared_people(doc.people or doc.entities, story.entities), PEOPLE_CAP)
                bonus += (gap <= FREE_HOURS * 3600.0) * weight * people / PEOPLE_CAP
            places = [e for e in doc.entities if e.startswith("place:")]
            if places and story.places and not any(p in story.places for p in places):
                bonus -= self.place_penalty
        decay = 1.0 - math.exp(-max(0.0, gap - FREE_HOURS * 3600.0) / (TIME_SCALE_HOURS * 3600.0))
        return margin + bonus - self.time_penalty * decay, d

    def _expire(self, now: float) -> None:
        """Drop stories that ended more than a window ago from the index (documents mostly come in order)."""
        stale = {s.id for s in self.stories.values() if s.first + self.window < now}
        if not stale:
            return
        self.nearby.drop(stale)
        for term in list(self.index):
            ids = self.index[term] - stale
            if ids:
                self.index[term] = ids
            else:
                del self.index[term]


class EmbeddingIndex:
    """The direction of each active story's embedding, one row a story, for finding the stories nearest an
    article whatever its language (one matrix product over the stories in the window)."""

    def __init__(self) -> None:
        self.matrix = np.zeros((256, DIM), dtype=np.float32)
        self.rows: dict[int, int] = {}       # story -> row
        self.ids: list[int] = []             # row -> story

    def put(self, story_id: int, total: Any) -> None:
        """Set a story's row to the direction of its embedding sum."""
        if total is None:
            return
        row = self.rows.get(story_id)
        if row is None:
            if len(self.ids) == len(self.matrix):
                self.matrix = np.concatenate([self.matrix, np.zeros_like(self.matrix)])
            row = self.rows[story_id] = len(self.ids)
            self.ids.append(story_id)
        norm = float(np.sqrt(total @ total))
        self.matrix[row] = total / norm if norm else total

    def nearest(self, vector: Any, k: int) -> list[int]:
        """The `k` stories whose embedding is nearest `vector`, nearest first."""
        n = len(self.ids)
        if not n:
            return []
        sims = self.matrix[:n] @ vector
        top = np.argpartition(-sims, k - 1)[:k] if n > k else np.arange(n)
        return [self.ids[i] for i in top[np.argsort(-sims[top])]]

    def drop(self, stories: set[int]) -> None:
        """Forget stories (expired ones), compacting the matrix."""
        keep = [i for i, s in enumerate(self.ids) if s not in stories]
        if len(keep) == len(self.ids):
            return
        self.matrix = np.concatenate([self.matrix[keep], np.zeros((max(256, len(keep)), self.matrix.shape[1]),
                                                                  dtype=np.float32)])
        self.ids = [self.ids[i] for i in keep]
        self.rows = {s: i for i, s in enumerate(self.ids)}


def mark_copies(rows: list[dict[str, Any]]) -> None:
    """Set each row's role ('own' | 'copy') and copy_of (source): a copy shares the copy key of an earlier row
    and reads like it (a copy family built on shared page furniture must not turn own reporting into a copy)."""
    first: dict[str, tuple[dict[str, Any], dict[str, float]]] = {}
    for row in rows:
        row["role"], row["copy_of"] = "own", None
        group = row.get("group")
        if not group:
            continue
        counts = textvec.term_counts(row.get("title"), row.get("lede"), row.get("text"))
        if group in first:
            origin, origin_counts = first[group]
            if textvec.cosine(counts, origin_counts) >= COPY_MIN_COSINE:
                row["role"], row["copy_of"] = "copy", origin["source"]
                continue
        first.setdefault(group, (row, counts))
