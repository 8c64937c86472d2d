"""Facts that some outlets report and others leave out: figures and quotes, matched across texts.

Pure functions over {outlet: text}. A figure is a number in a sentence (casualties, households, trucks:
datelines and years are not figures); an outlet carries it when any of its sentences has the same number,
in digits or in words. A quote is a quoted span of four or more words; an outlet carries it when one of its
sentences holds most of the quote's words. Only facts missing from at least one outlet are worth showing.

One sentence often reports several figures ("at least 14 people, including three children"): each figure's
fact then quotes the clause that holds it (`excerpt`), so no two rows of a facts table read the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale

from crosswire.analysis import textvec
from crosswire.analysis.entities import find_people

SENTENCE_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’']))\s+(?=[\"“‘A-ZА-ЯЁ0-9])|\n+")
NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w])")
QUOTE_RE = re.compile(r"[\"“]([^\"”]{12,}?)[\"”]")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100,
}
NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
QUOTE_MATCH = 0.6       # share of a quote's words one sentence must hold to carry it
# Locales whose month names mark a number as a date's day ("3 February", "3 февраля", "3 فبراير", "3 شباط").
MONTH_LOCALES = ("en", "de", "es", "fr", "it", "pt", "pl", "tr", "ru", "uk", "ar", "ar_SY", "nl", "fa", "he")
EDGE = " .,;:()«»\"“”'’"


@lru_cache(maxsize=1)
def month_words() -> frozenset[str]:
    """Month names in the languages crosswire reads, lower-cased, every form CLDR has (babel's data)."""
    words = set()
    for code in MONTH_LOCALES:
        months = Locale.parse(code).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                words.update(name.lower().strip(".") for name in months[context][width].values())
    return frozenset(w for w in words if len(w) >= 3)


def _next_to_month(sentence: str, start: int, end: int) -> bool:
    """Whether the number at sentence[start:end] is a date's day: a month name just before or after it."""
    rest = sentence[end:]
    after = (rest[1:] if rest.startswith(". ") else rest).split(None, 1)     # German "3. Februar"
    before = sentence[:start].rsplit(None, 1)

    def month(word: str) -> bool:
        word = word.strip(EDGE)
        return word.lower() in month_words() and word != "may"    # "14 may die" is no date

    # "On 3 February, 15 died": a comma or colon between them parts the month from the figure.
    return bool((after and month(after[0])) or (before and before[-1][-1] not in ",;:" and month(before[-1])))


@dataclass
class Fact:
    """One figure or quote, who carries it and who does not."""

    kind: str                       # "figure" | "quote"
    key: str                        # the number ("14") or the quote's first words
    sentence: str                   # as the first outlet to carry it wrote it
    speaker: str | None = None      # for quotes: a person named in the same sentence
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    excerpt: str = ""               # the part of the sentence that holds the fact (the whole one for a quote)

    def to_dict(self) -> dict:
        """JSON-ready."""
        return {"kind": self.kind, "key": self.key, "sentence": self.sentence, "excerpt": self.excerpt or self.sentence,
                "speaker": self.speaker, "present": self.present, "missing": self.missing}


def sentences(text: str | None) -> list[str]:
    """Sentences of a text (paragraph breaks always end one)."""
    if not text:
        return []
    return [s.strip() for s in SENTENCE_RE.split(text) if s and s.strip()]


def figures(sentence: str) -> set[int]:
    """The numbers a sentence reports, leaving out years and the day in a date ("Feb 3", "3 февраля")."""
    return {value for value, _ in figure_positions(sentence)}


def figure_positions(sentence: str) -> list[tuple[int, int]]:
    """(number, where it starts) for every figure a sentence reports, digits first, then numbers in words."""
    found: list[tuple[int, int]] = []
    for match in NUMBER_RE.finditer(sentence):
        value = float(match.group(1).replace(",", ""))
        before = sentence[max(0, match.start() - 5):match.start()].strip().lower()
        if before.endswith(MONTHS) or before.endswith(tuple(m + "." for m in MONTHS)) or _next_to_month(
                sentence, match.start(), match.end()):
            continue
        # A number glued to a capitalised name ("Crescent 24", "Resolution 2254") is part of that name.
        previous = sentence[:match.start()].split()
        if len(previous) >= 2 and previous[-1][:1].isupper() and sentence[match.start() - 1] == " ":
            continue
        if value != int(value) or 1900 <= value <= 2100:
            continue
        found.append((int(value), match.start()))
    found += [(NUMBER_WORDS[m.group(1).lower()], m.start()) for m in NUMBER_WORD_RE.finditer(sentence)]
    return [(value, start) for value, start in found if value >= 2]


CLAUSE_RE = re.compile(r"\s*(?:,(?!\d)|[;:()]|\s[-–—]\s)\s*")   # a comma inside 120,000 is not a clause break
MIN_CLAUSE_WORDS = 3      # "including three children" says enough


def figure_clause(sentence: str, number: int) -> str:
    """The clause of `sentence` that reports `number` (in digits or words), widened to its neighbours until it
    has a few words; '…' marks where the sentence goes on."""
    at = next((start for value, start in figure_positions(sentence) if value == number), 0)
    bounds = [0]
    for cut in CLAUSE_RE.finditer(sentence):
        bounds += [cut.start(), cut.end()]
    bounds.append(len(sentence))
    clauses = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds) - 1, 2)]
    index = next((i for i, (start, end) in enumerate(clauses) if start <= at <= end), 0)
    first = last = index
    while len(sentence[clauses[first][0]:clauses[last][1]].split()) < MIN_CLAUSE_WORDS and (
            first > 0 or last < len(clauses) - 1):
        if last < len(clauses) - 1:
            last += 1
        else:
            first -= 1
    start, end = clauses[first][0], clauses[last][1]
    text = sentence[start:end].strip()
    if start > 0:
        text = "…" + text
    if sentence[end:].strip(" .!?\"”'"):
        text += "…"
    return text


def quotes(sentence: str) -> list[str]:
    """Quoted spans of four or more words in a sentence."""
    return [q.strip() for q in QUOTE_RE.findall(sentence) if len(q.split()) >= 4]


def speaker(sentence: str, text: str) -> str | None:
    """Who a quoted sentence names: a full name in it, else the person of the whole text whose surname it uses."""
    people = find_people(sentence)
    if people:
        return people[0]
    for person in find_people(text):
        if re.search(rf"\b{re.escape(person.split()[-1])}\b", sentence):
            return person
    return None


def _carries_quote(quote_tokens: set[str], outlet_sentences: list[set[str]]) -> bool:
    if not quote_tokens:
        return False
    return any(len(quote_tokens & s) / len(quote_tokens) >= QUOTE_MATCH for s in outlet_sentences)


def compare_facts(texts: dict[str, str]) -> list[Fact]:
    """Figures and quotes carried by some outlets of `texts` (outlet -> text, in order of publication) and
    missing from others; facts every outlet carries are left out."""
    outlets = list(texts)
    split = {o: sentences(texts[o]) for o in outlets}
    numbers = {o: set().union(*(figures(s) for s in split[o])) if split[o] else set() for o in outlets}
    token_sets = {o: [set(textvec.tokens(s)) for s in split[o]] for o in outlets}
    facts: list[Fact] = []
    seen_numbers: set[int] = set()
    seen_quotes: list[set[str]] = []
    for outlet in outlets:
        for sentence in split[outlet]:
            for number in sorted(figures(sentence)):
                if number in seen_numbers:
                    continue
                seen_numbers.add(number)
                present = [o for o in outlets if number in numbers[o]]
                facts.append(Fact("figure", str(number), sentence, None, present,
                                  [o for o in outlets if o not in present], figure_clause(sentence, number)))
            for quote in quotes(sentence):
                toks = set(textvec.tokens(quote))
                if any(len(toks & s) / max(1, len(toks)) >= QUOTE_MATCH for s in seen_quotes):
                    continue
                seen_quotes.append(toks)
                present = [o for o in outlets if _carries_quote(toks, token_sets[o])]
                key = " ".join(quote.split()[:8])
                facts.append(Fact("quote", key, sentence, speaker(sentence, texts[outlet]), present,
                                  [o for o in outlets if o not in present], sentence))
    return [f for f in facts if f.missing]
