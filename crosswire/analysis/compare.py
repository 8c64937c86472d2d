"""How outlets covered one story: timeline, headlines side by side, copies, distinctive words, missing facts, names.

`compare_story(story, rows, carriers)` assembles a JSON-ready report from a story's stored articles (as
crosswire.storage.stories.load_story reads them); crosswire.exports.report renders it as text or one
self-contained HTML page. A pure function: no database. Perspective groups are each source's first tag (e.g.
"wire", "western", "russian-state"), else its country.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from crosswire.analysis import entities, logodds
from crosswire.analysis.facts import compare_facts
from crosswire.analysis.textvec import STOPWORDS
from crosswire.core.times import parse_iso

WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
DISTINCTIVE_K = 8


def words(text: str | None) -> Counter[str]:
    """Readable word counts for log-odds: lower-cased, unstemmed, stopwords and very short words left out."""
    out: Counter[str] = Counter()
    for word in WORD_RE.findall((text or "").lower()):
        word = word.replace("’", "'").removesuffix("'s")
        if len(word) > 2 and word not in STOPWORDS:
            out[word] += 1
    return out


def perspective(row: dict[str, Any]) -> str:
    """The perspective group of an article's source: its first tag, else its country, else 'unknown'."""
    if row.get("tags"):
        return row["tags"][0]
    return row.get("country") or "unknown"


def _lag(seconds: float) -> str:
    minutes = int(round(seconds / 60))
    if minutes == 0:
        return "first"
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days}d"] * bool(days) + [f"{hours}h"] * bool(hours) + [f"{minutes}m"] * bool(minutes)
    return "+" + " ".join(parts)


def _distinctive(groups: dict[str, Counter[str]], background: Counter[str]) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name, counts in groups.items():
        rest: Counter[str] = Counter()
        for other, other_counts in groups.items():
            if other != name:
                rest.update(other_counts)
        ranked = logodds.distinctive(counts, rest, background, k=DISTINCTIVE_K)
        out[name] = [{"word": w, "z": round(z, 2)} for w, z in ranked]
    return out


def compare_story(story: dict[str, Any], rows: list[dict[str, Any]],
                  extra_carriers: dict[int, list[str]]) -> dict[str, Any]:
    """The comparison report of one story, as a JSON-ready dict: `rows` are its articles in time order with
    their role ('own' | 'copy'), `extra_carriers` the other outlets that carried each article."""
    start = rows[0]["time"] if rows else 0.0

    timeline, outlets, texts = [], {}, {}
    outlet_words: dict[str, Counter[str]] = {}
    group_words: dict[str, Counter[str]] = {}
    background: Counter[str] = Counter()
    for row in rows:
        entry = {
            "article_id": row["id"], "source": row["source"], "perspective": perspective(row),
            "published": row.get("published") or row.get("first_seen"), "lag": _lag(row["time"] - start),
            "lag_minutes": round((row["time"] - start) / 60), "title": row["title"], "lede": row["lede"],
            "url": row["url"], "role": row["role"], "copy_of": row["copy_of"],
            "also_carried_by": extra_carriers.get(row["id"], []),
        }
        timeline.append(entry)
        full = "\n".join(t for t in (row["title"], row["lede"], row["text"]) if t)
        body_text = "\n".join(t for t in (row["lede"], row["text"]) if t)
        texts[row["source"]] = texts.get(row["source"], "") + "\n" + body_text
        found = entities.extract(full)
        for source, role, copy_of in [(row["source"], row["role"], row["copy_of"])] + [
                (c, "copy", row["source"]) for c in entry["also_carried_by"]]:
            outlet = outlets.setdefault(source, {
                "source": source, "perspective": perspective(row) if source == row["source"] else None,
                "country": row.get("country") if source == row["source"] else None,
                "first": entry["published"], "lag": entry["lag"], "lag_minutes": entry["lag_minutes"],
                "headline": row["title"], "lede": row["lede"], "role": role, "copy_of": copy_of,
                "people": [], "places": [],
            })
            outlet["people"] = list(dict.fromkeys(outlet["people"] + list(found.people)))
            outlet["places"] = list(dict.fromkeys(outlet["places"] + list(found.places)))
            if source != row["source"]:
                # The same stored text, found under this outlet's URL or in its feed: a verbatim copy.
                timeline.append({**entry, "source": source, "perspective": None, "role": "copy",
                                 "copy_of": row["source"], "also_carried_by": []})
                texts[source] = texts.get(source, "") + "\n" + body_text
        counts = words(full)
        background.update(counts)
        if row["role"] == "own":   # a copy's words are its origin's: they say nothing of the copier
            outlet_words.setdefault(row["source"], Counter()).update(counts)
            group_words.setdefault(perspective(row), Counter()).update(counts)

    all_people = Counter(p for o in outlets.values() for p in o["people"])
    all_places = Counter(p for o in outlets.values() for p in o["places"])
    for outlet in outlets.values():
        outlet["only_names"] = [p for p in outlet["people"] if all_people[p] == 1]

    def span_hours() -> float:
        first, last = parse_iso(story.get("first_published")), parse_iso(story.get("last_published"))
        return round((last - first).total_seconds() / 3600, 1) if first and last else 0.0

    return {
        "story": {**story, "span_hours": span_hours(), "outlets": len(outlets)},
        "timeline": timeline,
        "outlets": list(outlets.values()),
        "copies": [e for e in timeline if e["role"] == "copy"],
        "distinctive": {
            "by_outlet": _distinctive(outlet_words, background) if len(outlet_words) > 1 else {},
            "by_perspective": _distinctive(group_words, background) if len(group_words) > 1 else {},
        },
        "facts": [f.to_dict() for f in compare_facts(texts)],
        "people": dict(all_people.most_common()),
        "places": dict(all_places.most_common()),
    }
