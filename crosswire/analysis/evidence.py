"""What reports of one story in different languages share, in words a reader can check.

Story clustering joins an Arabic or Russian report to an English story on language-neutral evidence
(crosswire.analysis.crossling): the places and countries named, the figures given, the dates, and people's
names as a consonant skeleton. A comparison shows that evidence back: for each key named by two or more outlets,
a readable label — "Idlib", "Syria", "120,000", "3 February", "Samsonov" — with the spellings the reports
used where the label cannot show them (Самсонов). Cognate prefixes, which only link Latin-script languages,
are not shown. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Any

from babel import Locale

from crosswire.analysis import crossling, langnorm
from crosswire.analysis import entities as ent

KINDS = {"^": "place", "~": "name", "#": "figure", "@": "date"}
KIND_ORDER = ("place", "name", "figure", "date")
UNCASED = ("ar", "fa", "ur", "he", "zh", "ja")   # scripts without capitals: every word may be a name
MAX_SPELLINGS = 3


def text_language(title: str | None, lede: str | None, text: str | None, hint: str | None) -> str:
    """The language the evidence is read in: read off the text, the stored language only breaking ties."""
    sample = " ".join(filter(None, (title, lede, (text or "")[:2000])))
    return langnorm.detect(sample, hint)


@lru_cache(maxsize=1)
def _english() -> Locale:
    return Locale("en")


_SENTENCE_END = re.compile(r"(?:^|[.!?:\n«»\"“”—–])\s*$")


def _name_spellings(text: str, lang: str, wanted: set[str]) -> dict[str, Counter[str]]:
    """How `text` writes the names whose skeletons are `wanted`: skeleton -> spellings as they appear. In
    scripts with capitals, only capitalised words inside a sentence count: "Doctors" opening one is no name."""
    out: dict[str, Counter[str]] = {}
    text = text.replace("-", " ")
    for match in langnorm.WORD_RE.finditer(text):
        word = match.group()
        if word[0].isdigit() or len(word) < 4:
            continue
        if lang not in UNCASED and (not word[0].isupper() or _SENTENCE_END.search(text, 0, match.start())):
            continue
        skeleton = crossling.skeleton(langnorm.normalise(word.lower(), lang))
        if skeleton in wanted:
            out.setdefault(skeleton, Counter())[word] += 1
    return out


def article_evidence(title: str | None, lede: str | None, text: str | None, lang: str) -> dict[str, Any]:
    """An article's language-neutral keys (no cognates), the gazetteer places behind its place keys, and how
    it spells the names behind its name keys."""
    full = "\n".join(filter(None, (title, lede, text)))
    places = ent.extract(title, lede, text).places
    keys = {k for k in crossling.keys(full, lang) if k[:1] in KINDS} | set(crossling.place_keys(places))
    names = _name_spellings(full, lang, {k[1:] for k in keys if k[0] == "~"})
    return {"keys": keys, "places": {f"^{p.lower()}": p for p in places}, "names": names}


def _is_latin(word: str) -> bool:
    return all(unicodedata.name(ch, "").startswith("LATIN") for ch in word if ch.isalpha())


def label(key: str, places: dict[str, str], spellings: Counter[str]) -> tuple[str, list[str]]:
    """A readable label of a key, and the spellings the reports used when they differ from it."""
    kind, body = key[0], key[1:]
    if kind == "#":
        value = float(body)
        return (f"{int(value):,}" if value == int(value) else f"{value:,.1f}"), []
    if kind == "@":
        month, day = (int(x) for x in body.split("-"))
        return f"{day} {_english().months['format']['wide'][month]}", []
    if kind == "^":
        if key in places:
            return places[key], []
        if body.isupper():
            return _english().territories.get(body, body), []
        return body.replace("_", " ").title(), []
    latin = [w for w, _ in spellings.most_common() if _is_latin(w)]
    shown = latin[0] if latin else crossling.to_latin(spellings.most_common(1)[0][0]).title()
    return shown, [w for w, _ in spellings.most_common() if not _is_latin(w)][:MAX_SPELLINGS]


def shared_evidence(articles: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The evidence two or more outlets share, and each outlet's part of it.

    `articles` hold source, language (ISO code, as shown), title, lede and text. Returns the shared keys, those
    named in most languages and by most outlets first, each {kind, keys, label, spellings, outlets, languages};
    and source -> its shared keys in the same order (each {kind, label, spellings}). A name counts only across
    languages (within one, the comparison's people say more) and when some report writes it with a capital, so
    that a common Arabic word whose skeleton happens to match a word elsewhere is not shown as a name."""
    by_key: dict[str, dict[str, Any]] = {}
    places: dict[str, str] = {}
    for article in articles:
        lang = text_language(article.get("title"), article.get("lede"), article.get("text"), article.get("language"))
        found = article_evidence(article.get("title"), article.get("lede"), article.get("text"), lang)
        places.update(found["places"])
        for key in found["keys"]:
            entry = by_key.setdefault(key, {"outlets": [], "languages": [], "spellings": Counter()})
            if article["source"] not in entry["outlets"]:
                entry["outlets"].append(article["source"])
            if article.get("language") not in entry["languages"]:
                entry["languages"].append(article.get("language"))
            if key[0] == "~":
                entry["spellings"].update(found["names"].get(key[1:], Counter()))
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for key, entry in sorted(by_key.items(), key=lambda item: item[0][0] != "^"):   # places first
        if len(entry["outlets"]) < 2 or (key[0] == "~" and (len(entry["languages"]) < 2 or not any(
                _is_latin(w) or w[:1].isupper() for w in entry["spellings"]))):
            continue
        text, spellings = label(key, places, entry["spellings"])
        kind = KINDS[key[0]]
        # One label, one row: CLDR's Syria and the gazetteer's, or the skeleton of a place's name, which only
        # adds how the reports spelled it.
        if kind == "name" and ("place", text.lower()) in merged:
            kind = "place"
        row = merged.setdefault((kind, text.lower()), {"kind": kind, "keys": [], "label": text, "spellings": [],
                                                       "outlets": [], "languages": []})
        row["keys"].append(key)
        for field, values in (("spellings", spellings), ("outlets", entry["outlets"]),
                              ("languages", entry["languages"])):
            row[field] += [v for v in values if v not in row[field]]
    shared = sorted(merged.values(), key=lambda e: (-len(e["languages"]), -len(e["outlets"]),
                                                    KIND_ORDER.index(e["kind"]), _natural(e["label"])))
    per_source: dict[str, list[dict[str, Any]]] = {}
    for entry in shared:
        for source in entry["outlets"]:
            per_source.setdefault(source, []).append(
                {"kind": entry["kind"], "label": entry["label"], "spellings": entry["spellings"]})
    return shared, per_source


def _natural(text: str) -> tuple[Any, ...]:
    """Sort key: numbers by value, words alphabetically."""
    digits = re.sub(r"[^\d.]", "", text)
    try:
        return (0, float(digits), text) if digits and text[0].isdigit() else (1, 0.0, text.lower())
    except ValueError:
        return (1, 0.0, text.lower())


def summary(items: list[dict[str, Any]]) -> str:
    """One line for a terminal: 'places Idlib, Ariha; names Samsonov (Самсонов); figures 14; dates 3 February'."""
    parts = []
    for kind in KIND_ORDER:
        shown = [f"{i['label']} ({', '.join(i['spellings'])})" if i["spellings"] else i["label"]
                 for i in items if i["kind"] == kind]
        if shown:
            parts.append(f"{kind}s {', '.join(shown)}" if kind != "figure" else f"figures {', '.join(shown)}")
    return "; ".join(parts) or "nothing language-neutral in common"


def language_name(code: str) -> str:
    """The English name of a language code ('ar' -> 'Arabic'); the code itself when CLDR has none."""
    return _english().languages.get(code, code) if code != "und" else "unknown language"
