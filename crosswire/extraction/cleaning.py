"""Cleaning single values read from pages: dates to UTC, author names, language codes, keyword lists."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from dateutil import parser as dateparser

_WS = re.compile(r"\s+")
# "By", "Written by", "Analysis by", "Photos and text by" at the start of a byline.
_BY = re.compile(r"^\s*(?:[\w-]+\s+){0,3}?by[:\s]+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s+and\s+|\s*&\s*|\s*;\s*|\s*\|\s*|\s*,\s*|\s+[-–—]\s+", re.I)
# URLs, e-mails, and pieces with digits (a date or time caught in the byline) are not names.
_NOT_A_NAME = re.compile(r"^(?:https?://|www\.)|@|\d")
# A job title after the name ("AP Auto Writer", "CNN Editor-at-large") is a role, not a second author.
_ROLE = re.compile(r"\b(?:writer|editor|editor-at-large|correspondent|reporter|columnist|contributor|producer)s?\b", re.I)
_THREE_LETTER = {
    "eng": "en", "rus": "ru", "ara": "ar", "ukr": "uk", "heb": "he", "fas": "fa", "per": "fa",
    "tur": "tr", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "zho": "zh",
    "chi": "zh", "urd": "ur", "kur": "ku", "bel": "be", "pol": "pl", "ita": "it", "por": "pt",
}
_OLD_CODES = {"iw": "he", "in": "id", "ji": "yi"}
_LANGUAGE_NAMES = {
    "english": "en", "russian": "ru", "arabic": "ar", "ukrainian": "uk", "hebrew": "he",
    "persian": "fa", "farsi": "fa", "turkish": "tr", "french": "fr", "german": "de", "spanish": "es",
}


def clean_text(value: Any) -> str | None:
    """Whitespace-collapsed string, or None for empty/non-string values."""
    if not isinstance(value, str):
        return None
    # JSON-LD and feeds often carry HTML entities ("&#8211;") that the HTML parser never saw.
    if "&" in value:
        value = html.unescape(value)
    value = _WS.sub(" ", value).strip()
    return value or None


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from ISO 8601, RFC 2822 or loose text; naive times are taken as UTC."""
    if isinstance(value, datetime):
        parsed: datetime | None = value
    else:
        text = clean_text(value)
        if not text or len(text) > 64:
            return None
        parsed = _parse_date_text(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    parsed = parsed.astimezone(timezone.utc)
    # Year 1 or 9999 placeholders and typos are worse than no date.
    if not 1990 <= parsed.year <= 2100:
        return None
    return parsed


def _parse_date_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dateparser.parse(text)
    except (ValueError, OverflowError, TypeError):
        return None


def clean_authors(values: list[str]) -> list[str]:
    """Author names without "By ", roles, e-mails or URLs, split on and/&/commas, deduplicated in order."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        text = clean_text(value)
        if not text:
            continue
        text = _BY.sub("", text)
        parts = [p.strip(" .-–—") for p in _AUTHOR_SPLIT.split(text)]
        parts = [p for p in parts if p and not _NOT_A_NAME.search(p) and len(p) <= 80]
        if len(parts) > 1:
            parts = [p for p in parts if not _ROLE.search(p)] or parts[:1]
        for name in parts:
            if name.isupper() and " " in name:
                # "TOM KRISHER" from wire bylines.
                name = name.title()
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                out.append(name)
    return out


def ld_names(value: Any) -> list[str]:
    """Names out of a JSON-LD author/creator value: a string, an object with name, or a list of those."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = name[0] if name else None
            if isinstance(name, str):
                names.append(name)
    return names


def ld_url(value: Any) -> str | None:
    """A URL out of a JSON-LD image/url value: a string, an ImageObject, or the first of a list."""
    if isinstance(value, list):
        for item in value:
            found = ld_url(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return ld_url(value.get("url") or value.get("contentUrl") or value.get("@id"))
    return clean_text(value)


def language_code(value: Any) -> str | None:
    """ISO 639-1 code from "en-GB", "ru_RU", "rus", "Arabic"…; None when unrecognisable."""
    text = clean_text(value)
    if not text:
        return None
    text = text.split(",")[0].strip().lower()
    if text in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[text]
    primary = re.split(r"[-_]", text, maxsplit=1)[0]
    primary = _OLD_CODES.get(primary, primary)
    if len(primary) == 3:
        primary = _THREE_LETTER.get(primary, "")
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


# Frequent function words that are rare in the other listed languages: enough to tell Latin-script
# languages apart on a news article without shipping a language-identification model.
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "was", "with", "on", "he", "said", "have"},
    "fr": {"le", "la", "les", "et", "des", "du", "est", "une", "dans", "que", "pour", "qui", "sur", "pas"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "von", "sich", "auf", "ein", "eine"},
    "es": {"el", "los", "las", "del", "y", "que", "en", "por", "con", "una", "para", "se", "su", "fue"},
    "it": {"il", "che", "di", "della", "per", "non", "sono", "gli", "con", "una", "nel", "anche", "è"},
    "pt": {"os", "que", "do", "da", "não", "uma", "para", "com", "dos", "em", "foi", "ao", "mais", "das"},
    "tr": {"ve", "bir", "bu", "için", "ile", "da", "de", "olarak", "daha", "çok", "gibi", "olan", "ama"},
    "nl": {"het", "een", "van", "en", "niet", "dat", "zijn", "voor", "met", "ook", "maar", "werd", "bij"},
    "pl": {"nie", "się", "jest", "że", "na", "do", "to", "w", "z", "jak", "po", "od", "przez", "oraz"},
}
_WORD = re.compile(r"[^\W\d_]+")


def _guess_latin(sample: str) -> str | None:
    words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < 30:
        return None
    # Count each distinct word once, then look the few stopwords up (not every word in every list).
    counts = Counter(words)
    hits = sorted(((sum(counts[w] for w in stop), code) for code, stop in _STOPWORDS.items()), reverse=True)
    (best, code), (second, _) = hits[0], hits[1]
    # Demand a clear winner covering a real share of the words; otherwise say nothing.
    return code if best >= 0.12 * len(words) and best >= 1.5 * second else None


_SCRIPTS = {
    "cyr": re.compile("[\u0400-\u04ff]"),
    "arab": re.compile("[\u0600-\u06ff]"),
    "hebr": re.compile("[\u0590-\u05ff]"),
    "greek": re.compile("[\u0370-\u03ff]"),
    "latin": re.compile("[A-Za-z]"),
}


def guess_language(text: str) -> str | None:
    """A conservative language guess from the writing system, then function words for Latin script."""
    sample = text[:3000]
    counts = {script: len(pattern.findall(sample)) for script, pattern in _SCRIPTS.items()}
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n < 50:
        return None
    if script == "latin":
        return _guess_latin(sample)
    if script == "cyr":
        # Letters Ukrainian has and Russian lacks.
        return "uk" if len(re.findall("[іїєґІЇЄҐ]", sample)) > n * 0.01 else "ru"
    if script == "arab":
        # Persian letters absent from Arabic (پ چ ژ گ) and Persian yeh/kaf.
        return "fa" if len(re.findall("[پچژگکی]", sample)) > n * 0.02 else "ar"
    return {"hebr": "he", "greek": "el"}[script]


def split_keywords(values: list[Any]) -> list[str]:
    """Keywords from comma-separated strings or lists, stripped and deduplicated in order."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        pieces = value if isinstance(value, list) else str(value).split(",") if value else []
        for piece in pieces:
            word = clean_text(piece) if isinstance(piece, str) else None
            if word and word.casefold() not in seen:
                seen.add(word.casefold())
                out.append(word)
    return out
