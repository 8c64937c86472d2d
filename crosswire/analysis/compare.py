"""How outlets covered one story: timeline, headlines side by side, copies, distinctive words, missing facts, names.

`compare_story(story, rows, carriers, sources)` assembles a JSON-ready report from a story's stored articles
(as crosswire.storage.stories.load_story reads them); crosswire.exports.report renders it as text or one
self-contained HTML page. A pure function: no database. Perspective groups are each source's first tag (e.g.
"wire", "western", "russian-state"), else its country. Each article's language is its own, else its source's,
else read off its text; the report groups outlets by language and perspective, and shows what reports in
different languages share (crosswire.analysis.evidence).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from crosswire.analysis import entities, langnorm, logodds
from crosswire.analysis.coverage import UNKNOWN_LANGUAGE, Outlet, language_code, ordered_languages
from crosswire.analysis.coverage import perspective as source_perspective
from crosswire.analysis.evidence import shared_evidence, text_language
from crosswire.analysis.facts import compare_facts
from crosswire.analysis.textvec import STOPWORDS
from crosswire.core.times import parse_iso

WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
DISTINCTIVE_K = 8


def words(text: str | None, lang: str = "en") -> Counter[str]:
    """Readable word counts for log-odds: lower-cased, unstemmed, stopwords (English and the text's language's)
    and very short words left out."""
    out: Counter[str] = Counter()
    own = langnorm.STOPWORDS.get(lang, frozenset())
    for word in WORD_RE.findall((text or "").lower()):
        word = word.replace("’", "'").removesuffix("'s")
        if len(word) > 2 and word not in STOPWORDS and word not in own:
            out[word] += 1
    return out


def perspective(row: dict[str, Any]) -> str:
    """The perspective group of an article's source: its first tag, else its country, else 'unknown'."""
    return source_perspective(row.get("tags"), row.get("country"))


def article_language(row: dict[str, Any], sources: dict[str, Outlet]) -> str:
    """An article's language: its own, else its source's, else read off its text."""
    source = sources.get(row["source"])
    code = language_code(row.get("language"), source.language if source else None)
    if code == UNKNOWN_LANGUAGE:
        code = language_code(text_language(row.get("title"), row.get("lede"), row.get("text"), None))
    return code


def _by_language(outlets: list[dict[str, Any]]) -> tuple[dict[str, list[str]], list[dict[str, Any]]]:
    """Outlets by language (most outlets first), and a grid of perspective -> language -> outlets."""
    languages = ordered_languages(o["language"] for o in outlets)
    by_language = {lang: [o["source"] for o in outlets if o["language"] == lang] for lang in languages}
    grid: dict[str, dict[str, list[str]]] = {}
    for outlet in outlets:
        cells = grid.setdefault(outlet["perspective"] or "unknown", {})
        cells.setdefault(outlet["language"], []).append(outlet["source"])
    rows = [{"perspective": group, "languages": {lang: cells[lang] for lang in languages if lang in cells}}
            for group, cells in grid.items()]
    return by_language, rows


WORDS_BELOW = 10   # figures under ten are written out as often as not: only comparable within one language


def _facts(texts: dict[str, str], language: dict[str, str]) -> list[dict[str, Any]]:
    """Figures and quotes some outlets left out. Quotes, and figures under ten, are matched by words, so an
    outlet writing in another language than the fact's first carrier is not counted as leaving it out: it is
    listed under not_compared."""
    out = []
    for fact in compare_facts(texts):
        row = fact.to_dict()
        row["not_compared"] = []
        if row["kind"] == "quote" or int(row["key"]) < WORDS_BELOW:
            first = language.get(row["present"][0]) if row["present"] else None
            row["not_compared"] = [o for o in row["missing"] if language.get(o) != first]
            row["missing"] = [o for o in row["missing"] if language.get(o) == first]
        if row["missing"]:
            out.append(row)
    return out


def _non_english(outlets: list[dict[str, Any]], article_of: dict[str, int],
                 shares: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each outlet writing in another language than English, its headline and what it shares with the rest."""
    return [{"source": o["source"], "article_id": article_of.get(o["source"]), "language": o["language"],
             "perspective": o["perspective"], "headline": o["headline"], "role": o["role"],
             "shares": shares.get(o["source"], [])}
            for o in outlets if o["language"] not in ("en", UNKNOWN_LANGUAGE)]


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


def compare_story(story: dict[str, Any], rows: list[dict[str, Any]], extra_carriers: dict[int, list[str]],
                  sources: dict[str, Outlet] | None = None) -> dict[str, Any]:
    """The comparison report of one story, as a JSON-ready dict: `rows` are its articles in time order with
    their role ('own' | 'copy'), `extra_carriers` the other outlets that carried each article, `sources` what
    is known of each source (tags, country, language)."""
    sources = sources or {}
    start = rows[0]["time"] if rows else 0.0
    article_of: dict[str, int] = {}

    timeline, outlets, texts = [], {}, {}
    # Words are contrasted within one language: across languages every word would be "distinctive".
    outlet_words: dict[str, dict[str, Counter[str]]] = {}     # language -> outlet -> words
    group_words: dict[str, dict[str, Counter[str]]] = {}      # language -> perspective -> words
    background: dict[str, Counter[str]] = {}
    languages = {row["id"]: article_language(row, sources) for row in rows}
    for row in rows:
        row_language = languages[row["id"]]
        article_of.setdefault(row["source"], row["id"])
        entry = {
            "article_id": row["id"], "source": row["source"], "perspective": perspective(row),
            "language": row_language,
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
                "source": source, "perspective": perspective(row) if source == row["source"] else (
                    sources[source].group if source in sources else None),
                "country": row.get("country") if source == row["source"] else None,
                "first": entry["published"], "lag": entry["lag"], "lag_minutes": entry["lag_minutes"],
                "headline": row["title"], "lede": row["lede"], "role": role, "copy_of": copy_of,
                "people": [], "places": [],
                "language": row_language if source == row["source"] else (
                    sources[source].language if source in sources else UNKNOWN_LANGUAGE),
            })
            outlet["people"] = list(dict.fromkeys(outlet["people"] + list(found.people)))
            outlet["places"] = list(dict.fromkeys(outlet["places"] + list(found.places)))
            if source != row["source"]:
                # The same stored text, found under this outlet's URL or in its feed: a verbatim copy.
                timeline.append({**entry, "source": source, "perspective": None, "role": "copy",
                                 "copy_of": row["source"], "also_carried_by": [], "language": outlet["language"]})
                texts[source] = texts.get(source, "") + "\n" + body_text
        counts = words(full, row_language)
        background.setdefault(row_language, Counter()).update(counts)
        if row["role"] == "own":   # a copy's words are its origin's: they say nothing of the copier
            outlet_words.setdefault(row_language, {}).setdefault(row["source"], Counter()).update(counts)
            group_words.setdefault(row_language, {}).setdefault(perspective(row), Counter()).update(counts)

    all_people = Counter(p for o in outlets.values() for p in o["people"])
    all_places = Counter(p for o in outlets.values() for p in o["places"])
    for outlet in outlets.values():
        outlet["only_names"] = [p for p in outlet["people"] if all_people[p] == 1]

    def span_hours() -> float:
        first, last = parse_iso(story.get("first_published")), parse_iso(story.get("last_published"))
        return round((last - first).total_seconds() / 3600, 1) if first and last else 0.0

    shown = list(outlets.values())
    by_language, grid = _by_language(shown)
    by_language_first = next(iter(by_language), UNKNOWN_LANGUAGE)
    main = group_words.get(by_language_first, {})
    shared, shares = shared_evidence([{**row, "language": languages[row["id"]]} for row in rows])
    return {
        "story": {**story, "span_hours": span_hours(), "outlets": len(outlets), "languages": list(by_language)},
        "timeline": timeline,
        "outlets": list(outlets.values()),
        "copies": [e for e in timeline if e["role"] == "copy"],
        "distinctive": {
            "by_outlet": {source: ranked for lang, by_source in outlet_words.items() if len(by_source) > 1
                          for source, ranked in _distinctive(by_source, background[lang]).items()},
            # Perspectives in the story's main language: the one most of its outlets write in.
            "by_perspective": _distinctive(main, background[by_language_first]) if len(main) > 1 else {},
        },
        "facts": _facts(texts, {o["source"]: o["language"] for o in shown}),
        "people": dict(all_people.most_common()),
        "places": dict(all_places.most_common()),
        "languages": by_language,
        "grid": grid,
        "shared": shared,
        "non_english": _non_english(shown, article_of, shares),
    }
