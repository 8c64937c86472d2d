"""Who covered a story and who did not: perspective groups, languages, and coverage balance ("blindspots").

A source's perspective group is its first tag ("wire", "western", "russian-state"), else its country. A
story is a blindspot of a group G when G's outlets carried it little while another group carried it heavily:

* publishing: an outlet is publishing during a story when it published anything (on any subject) from
  `margin_hours` (24) before the story's first report to `margin_hours` after its last. Shares count only
  publishing outlets, so a group that published nothing then is not blamed for missing the story;
* a group's share of a story: its publishing outlets that carried the story (an article of theirs is in it,
  a copy of a wire text included), over its publishing outlets;
* little: G's share is at most `little` (0.25: none of up to three publishing outlets, at most one of four);
* heavily: some other group's share is at least `heavy` (0.5);
* and the story has at least `min_outlets` outlets (3), so one outlet's scoop is not a blindspot of the rest.

G itself is every source with the tag G (at any place in its tags) or, when none has it, the country G; the
other groups are the rest, by perspective. Pure functions: crosswire.storage.blindspots reads the archive.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

UNKNOWN_LANGUAGE = "und"


def perspective(tags: Sequence[str] | None, country: str | None) -> str:
    """The perspective group of a source: its first tag, else its country, else 'unknown'."""
    if tags:
        return tags[0]
    return country or "unknown"


def language_code(*candidates: str | None) -> str:
    """The first known language among `candidates` (an article's, then its source's) as a lower-case ISO 639
    code without region ('en-GB' -> 'en'); 'und' when none is known."""
    for value in candidates:
        code = (value or "").strip().lower().replace("_", "-").split("-")[0]
        if code.isalpha() and 2 <= len(code) <= 3 and code != UNKNOWN_LANGUAGE:
            return code
    return UNKNOWN_LANGUAGE


def ordered_languages(languages: Iterable[str]) -> list[str]:
    """Distinct languages, the most frequent first (ties in order of first appearance), unknown last."""
    counts: dict[str, int] = {}
    for lang in languages:
        counts[lang] = counts.get(lang, 0) + 1
    order = {lang: i for i, lang in enumerate(counts)}
    return sorted(counts, key=lambda lang: (lang == UNKNOWN_LANGUAGE, -counts[lang], order[lang]))


@dataclass(frozen=True)
class Outlet:
    """What the balance needs of a source."""

    name: str
    tags: tuple[str, ...] = ()
    country: str | None = None
    language: str = UNKNOWN_LANGUAGE

    @property
    def group(self) -> str:
        """Its perspective group."""
        return perspective(self.tags, self.country)


@dataclass(frozen=True)
class Rule:
    """What "little" and "heavily" mean (see the module's docstring)."""

    little: float = 0.25
    heavy: float = 0.5
    min_outlets: int = 3
    margin_hours: float = 24.0


def members(group: str, outlets: dict[str, Outlet]) -> set[str]:
    """The sources of a group: those tagged `group`, else (when no source has the tag) those from country `group`."""
    wanted = group.strip().lower()
    tagged = {name for name, o in outlets.items() if any(t.lower() == wanted for t in o.tags)}
    return tagged or {name for name, o in outlets.items() if (o.country or "").lower() == wanted}


@dataclass(frozen=True)
class Groups:
    """The group asked about, and every other source's perspective group: worked out once for a listing."""

    mine: frozenset[str]
    group_of: dict[str, str]                  # every other source -> its perspective group
    members: dict[str, frozenset[str]]        # perspective group -> its sources (outside `mine`)

    @classmethod
    def of(cls, mine: set[str], outlets: dict[str, Outlet]) -> Groups:
        """The groups for `mine` (as `members` found it) among `outlets`."""
        group_of = {name: o.group for name, o in outlets.items() if name not in mine}
        by_group: dict[str, set[str]] = {}
        for name, group in group_of.items():
            by_group.setdefault(group, set()).add(name)
        return cls(frozenset(mine), group_of, {g: frozenset(names) for g, names in by_group.items()})


def publishing(activity: dict[str, list[int]], start: float, end: float,
               candidates: Iterable[str] | None = None) -> set[str]:
    """Sources (of `candidates`, else all) with an article between `start` and `end` (seconds since the epoch);
    `activity` holds each source's sorted hours (seconds // 3600) with an article."""
    first, last = int(start // 3600), int(end // 3600)
    out = set()
    for source in activity if candidates is None else candidates:
        hours = activity.get(source, ())
        i = bisect_left(hours, first)
        if i < len(hours) and hours[i] <= last:
            out.add(source)
    return out


def _share(carried: int, active: int) -> float:
    return round(carried / active, 3) if active else 0.0


def blindspot(carriers: set[str], activity: dict[str, list[int]], window: tuple[float, float], groups: Groups,
              rule: Rule, explain: bool = True) -> dict[str, Any] | None:
    """Why a story is a blindspot of `groups.mine` or None when it is not: the group was not publishing in the
    story's `window`, carried it more than a little, no other group carried it heavily, or too few outlets did.

    {"own": {carried_by, skipped_by, publishing, share}, "heavy": [{group, carried_by, publishing, share}]},
    the heavy groups by share, then outlets, then name (without `explain`, only the first found: enough to
    count). An outlet that carried the story counts as publishing."""
    if len(carriers) < rule.min_outlets:
        return None
    start, end = window
    mine = sorted(publishing(activity, start, end, groups.mine) | (carriers & groups.mine))
    carried = [s for s in mine if s in carriers]
    # Compared as counts, not the rounded shares shown.
    if not mine or len(carried) > rule.little * len(mine):
        return None
    heavy: list[dict[str, Any]] = []
    for group in sorted({groups.group_of.get(s, "unknown") for s in carriers - groups.mine}):
        if heavy and not explain:
            break
        names = groups.members.get(group) or frozenset(s for s in carriers if s not in groups.group_of)
        active = publishing(activity, start, end, names) | (carriers & names)
        theirs = sorted(carriers & names)
        if len(theirs) >= rule.heavy * len(active):
            heavy.append({"group": group, "carried_by": theirs, "publishing": len(active),
                          "share": _share(len(theirs), len(active))})
    if not heavy:
        return None
    heavy.sort(key=lambda r: (-r["share"], -len(r["carried_by"]), r["group"]))
    own = {"carried_by": carried, "skipped_by": [s for s in mine if s not in carriers], "publishing": len(mine),
           "share": _share(len(carried), len(mine))}
    return {"own": own, "heavy": heavy}
