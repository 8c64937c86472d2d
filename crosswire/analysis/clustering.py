"""Online story clustering: each article joins the most similar active story or starts a new one.

An article is compared with the centroid of every story still active within the time window that shares one
of its heaviest terms (an inverted index keeps this cheap). The score is the TF-IDF cosine plus a bonus for
shared places and people, minus a penalty when both name towns or regions and none is shared (a market
strike in Ariha is not the market strike in Saraqib the same morning), minus a small one for distance in time. Copies of one text (the same copy
family or the same body hash) join their original's story without weighing on its centroid, so a wire story
syndicated ten times counts once. Pure: no database; storage/stories.py feeds it and writes the result.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from crosswire.analysis import entities as ent
from crosswire.analysis import textvec

WINDOW_HOURS = 72.0
THRESHOLD = 0.35          # tuned on bench/bench_stories.py and the events test web (see BENCHMARKS.md)
ENTITY_BONUS = 0.40       # weight of the overlap of specific places and people
MEMBER_WEIGHT = 0.9       # discount on the similarity to the story's closest member (vs its centroid)
BONUS_HOURS = 12.0        # the entity bonus fades to nothing this long after (or before) the story's span
TIME_PENALTY = 0.10       # subtracted at the far edge of the window, proportionally nearer
MIN_COSINE = 0.05         # text must agree by itself: shared names alone never make one story
PLACE_PENALTY = 0.60      # both name specific places and share none: the same kind of event somewhere else
INDEX_TERMS = 12          # terms of each member that point to its story in the inverted index
QUERY_TERMS = 12          # terms of a new article used to look up candidate stories
MIN_SHARED_TERMS = 1      # of those, how many a story must share to be scored at all
MAX_CANDIDATES = 20       # stories scored per article, most shared terms first
COPY_MIN_COSINE = 0.5     # a copy must read like its group's first text to join its story unexamined
MEMBER_CHECKS = 4         # of those, how many (best by centroid score) are also compared member by member


@dataclass
class Doc:
    """What clustering needs of an article."""

    id: int
    time: float                          # seconds since the epoch (published, else first seen)
    vector: dict[str, float]             # L2-normalised TF-IDF
    entities: frozenset[str] = frozenset()
    group: str | None = None             # copy key: same key = same text (copy family or body hash)
    title: str = ""


@dataclass
class Story:
    """A story being built: centroid (sum of member vectors), entities, time span and members."""

    id: int
    centroid: dict[str, float] = field(default_factory=dict)
    norm2: float = 0.0
    entities: Counter[str] = field(default_factory=Counter)
    places: set[str] = field(default_factory=set)
    first: float = math.inf
    last: float = -math.inf
    members: list[int] = field(default_factory=list)
    originals: list[int] = field(default_factory=list)   # members that are not copies

    def add(self, doc: Doc, weigh: bool, dot_with_centroid: float | None = None) -> None:
        """Add a member; only non-copies (`weigh`) move the centroid."""
        self.members.append(doc.id)
        self.first, self.last = min(self.first, doc.time), max(self.last, doc.time)
        if not weigh:
            return
        self.originals.append(doc.id)
        d = textvec.dot(doc.vector, self.centroid) if dot_with_centroid is None else dot_with_centroid
        self.norm2 += 2 * d + sum(w * w for w in doc.vector.values())
        for term, w in doc.vector.items():
            self.centroid[term] = self.centroid.get(term, 0.0) + w
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
                 entity_bonus: float = ENTITY_BONUS, time_penalty: float = TIME_PENALTY,
                 place_penalty: float = PLACE_PENALTY, min_cosine: float = MIN_COSINE,
                 bonus_hours: float = BONUS_HOURS, member_weight: float = MEMBER_WEIGHT) -> None:
        self.window = window_hours * 3600.0
        self.threshold = threshold
        self.entity_bonus = entity_bonus
        self.time_penalty = time_penalty
        self.place_penalty = place_penalty
        self.min_cosine = min_cosine
        self.bonus_hours = bonus_hours
        self.member_weight = member_weight
        self.next_id = next_id
        self.stories: dict[int, Story] = {}
        self.index: dict[str, set[int]] = {}
        self.groups: dict[str, int] = {}          # copy key -> story of its first member
        self.group_first: dict[str, int] = {}     # copy key -> its first member
        self.doc_story: dict[int, int] = {}
        self.vectors: dict[int, dict[str, float]] = {}
        self.titles: dict[int, str] = {}
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
        best, best_score, best_dot = None, -math.inf, 0.0
        scored = [(self._score(doc, self.stories[s], members=False), s) for s in self._candidates(doc)]
        scored.sort(key=lambda item: -item[0][0])
        for rank, ((score, d), story_id) in enumerate(scored):
            story = self.stories[story_id]
            if rank < MEMBER_CHECKS:   # the nearest-member look costs a dot product per member: few stories get it
                score, d = self._score(doc, story, members=True)
            if score > best_score:
                best, best_score, best_dot = story, score, d
        if best is not None and best_score >= self.threshold:
            self._place(doc, best, weigh=True, dot_with_centroid=best_dot)
            return Decision(doc.id, best.id, False, best_score)
        story = self.stories[self.next_id] = Story(self.next_id)
        self.next_id += 1
        self._place(doc, story, weigh=True)
        return Decision(doc.id, story.id, True, max(best_score, 0.0))

    def label(self, story_id: int) -> str:
        """The title of the member closest to the story's centroid: its most typical headline."""
        story = self.stories[story_id]
        members = story.originals or story.members
        best = max(members, key=lambda m: (textvec.dot(self.vectors.get(m, {}), story.centroid), -m))
        return self.titles.get(best, "")

    # ---------------------------------------------------------------------------------------------------
    def _place(self, doc: Doc, story: Story, weigh: bool, dot_with_centroid: float | None = None) -> None:
        story.add(doc, weigh, dot_with_centroid)
        self.doc_story[doc.id] = story.id
        self.titles[doc.id] = doc.title
        if doc.group is not None and doc.group not in self.groups:
            self.groups[doc.group] = story.id
            self.group_first[doc.group] = doc.id
        if weigh:
            self.vectors[doc.id] = doc.vector
            for term in textvec.top_terms(doc.vector, INDEX_TERMS):
                self.index.setdefault(term, set()).add(story.id)

    def _same_text(self, doc: Doc) -> bool:
        """Whether a document really reads like the first of its copy group: a copy family built on shared page
        furniture (comments, footers) must not drag unrelated articles into one story."""
        first = self.group_first.get(doc.group or "")
        return first is None or textvec.dot(doc.vector, self.vectors.get(first, {})) >= COPY_MIN_COSINE

    def _candidates(self, doc: Doc) -> list[int]:
        hits: Counter[int] = Counter()
        for term in textvec.top_terms(doc.vector, QUERY_TERMS):
            hits.update(self.index.get(term, ()))
        # Stories sharing only one heavy term with the article are almost never its story; scoring them all
        # would cost most of the time. Keep those sharing two or more, the strongest first.
        ranked = [s for s, n in hits.most_common() if n >= MIN_SHARED_TERMS]
        return [s for s in ranked if self._in_window(self.stories[s], doc.time)][:MAX_CANDIDATES]

    def _in_window(self, story: Story, t: float) -> bool:
        # Anchored to the first report, not the latest: a story extended by each new member would otherwise
        # chain one week's school strike in a town to the next week's and never end.
        return story.last - self.window <= t <= story.first + self.window

    def _score(self, doc: Doc, story: Story, members: bool = True) -> tuple[float, float]:
        d = textvec.dot(doc.vector, story.centroid)
        cos = d / math.sqrt(story.norm2) if story.norm2 > 0 else 0.0
        if members and self.member_weight and len(story.originals) > 1:
            # The closest single member counts too (discounted): a state agency's account may read like the
            # other state agency's, not like the average of a story the independent outlets dominate.
            nearest = max(textvec.dot(doc.vector, self.vectors[m]) for m in story.originals)
            cos = max(cos, self.member_weight * nearest)
        if cos < self.min_cosine:
            return cos - 1.0, d      # below the floor: never chosen, whatever the names say
        gap = max(0.0, story.first - doc.time, doc.time - story.last)
        bonus = 0.0
        if doc.entities and story.entities:
            shared = sum(1 for e in doc.entities if e in story.entities)
            # Shared names count most within hours: that is when two outlets that frame an event in
            # different words (a "market massacre", a "strike on a militant post") still name the same town.
            closeness = max(0.0, 1.0 - gap / (self.bonus_hours * 3600.0))
            bonus = self.entity_bonus * closeness * shared / min(len(doc.entities), len(story.entities))
            places = [e for e in doc.entities if e.startswith("place:")]
            if places and story.places and not any(p in story.places for p in places):
                bonus -= self.place_penalty
        return cos + bonus - self.time_penalty * min(1.0, gap / self.window), d

    def _expire(self, now: float) -> None:
        """Drop stories that ended more than a window ago from the index (documents mostly come in order)."""
        stale = {s.id for s in self.stories.values() if s.first + self.window < now}
        if not stale:
            return
        for term in list(self.index):
            ids = self.index[term] - stale
            if ids:
                self.index[term] = ids
            else:
                del self.index[term]


def build_docs(rows: list[dict], *, entities: bool = True) -> list[Doc]:
    """Docs from article dicts (id, time, title, lede, text, group), with an IDF table over these rows."""
    # Place names leave the vectors: they are compared as entities, and kept as words they would make any
    # two reports from one town look alike (a prisoner swap and a flood in Marib the same week).
    drop = ent.place_tokens() if entities else frozenset()
    counts = [textvec.term_counts(r.get("title"), r.get("lede"), r.get("text"), drop) for r in rows]
    idf, unseen = textvec.idf_table(c.keys() for c in counts)
    docs = []
    for row, tf in zip(rows, counts):
        keys = ent.extract(row.get("title"), row.get("lede"), row.get("text")).keys() if entities else frozenset()
        docs.append(Doc(id=row["id"], time=row["time"], vector=textvec.tfidf(tf, idf, unseen), entities=keys,
                        group=row.get("group"), title=row.get("title") or ""))
    return docs


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
