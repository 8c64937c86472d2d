"""Language-neutral evidence that two reports in different languages tell one story.

Without translation, what an Arabic, a Russian and an English report of one strike share is what does not
depend on the language: the places and countries they name (CLDR names in every language, shipped in
babel, plus crosswire.entities' gazetteer), the figures they give (15.000 in German is 15,000 in English),
the dates (24. April, 24 de abril, April 24), and the names of people, which survive transliteration
as a consonant skeleton (Пелоси, بيلوسي and Pelosi all read "bls"). Latin-script languages also share
cognates and loanwords (pandemia, Pandemie, pandemic), compared on their first five letters.
Pure functions; keys are strings with a one-character kind prefix so they never meet monolingual terms.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel import Locale
from babel.core import UnknownLocaleError

from crosswire.analysis import langnorm

_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
                     "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i yi ye g".split()))
_ARABIC = dict(zip("ابتثجحخدذرزسشصضطظعغفقكلمنهويءةىپچگژکیأإآؤئ",
                   "a b t th j h kh d dh r z s sh s d t z _ gh f q k l m n h w y _ h a p ch g zh k y a i a w y"
                   .split()))
_GREEK = dict(zip("αβγδεζηθικλμνξοπρστυφχψωάέήίόύώς",
                  "a v g d e z i th i k l m n x o p r s t i f kh ps o a e i i o i o s".split()))
# Sounds that scripts write differently, folded to one letter each (p/b: Arabic has no p; v/f: Russian в).
_SKELETON_FOLD = [("shch", "s"), ("sh", "s"), ("ch", "s"), ("zh", "s"), ("kh", "h"), ("gh", "k"), ("ph", "f"),
                  ("th", "t"), ("ts", "s"), ("ck", "k")]
_SKELETON_MAP = str.maketrans("pbvfwqcgzdjx", "bbff_kkkstsk")
_VOWELS = re.compile(r"[aeiouy_']")
LATIN_LANGS = frozenset("en de es fr it pt pl tr nl ro sv da no fi hu cs sk hr sl ca".split())
NUMBER_RE = re.compile(r"\d+(?:[.,\u00a0 ]\d{3})*(?:[.,]\d+)?")
COMMA_DECIMAL = frozenset("de es fr it pt pl tr ru uk nl ro sv da no fi hu cs sk hr sl ca el bg sr".split())


def to_latin(word: str) -> str:
    """A lower-case ASCII spelling of a word in Latin, Cyrillic, Greek or Arabic script (else '')."""
    out = []
    for ch in word.lower():
        if ch.isascii():
            out.append(ch)
        elif ch in _CYRILLIC:
            out.append(_CYRILLIC[ch])
        elif ch in _ARABIC:
            out.append(_ARABIC[ch])
        elif ch in _GREEK:
            out.append(_GREEK[ch])
        else:
            base = unicodedata.normalize("NFKD", ch)[0]
            out.append(base if base.isascii() else {"ł": "l", "ß": "ss", "ı": "i", "ø": "o", "æ": "ae",
                                                    "đ": "d", "þ": "th"}.get(ch, ""))
    return "".join(out).replace("_", "")


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The consonant skeleton of a name, the same across scripts for most names: Трамп, ترامب, Trump -> 'trmb'."""
    latin = to_latin(word)
    for a, b in _SKELETON_FOLD:
        latin = latin.replace(a, b)
    latin = _VOWELS.sub("", latin.translate(_SKELETON_MAP))
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]", "", latin))


def number_key(raw: str, lang: str) -> str | None:
    """A language-neutral key for a figure as written ('15.000' in German and '15,000' in English: '#15000')."""
    s = raw.replace("\u00a0", " ")
    if lang in COMMA_DECIMAL:
        s = s.replace(" ", "").replace(".", "").replace(",", ".")
    else:
        s = s.replace(" ", "").replace(",", "")
    try:
        value = float(s)
    except ValueError:
        return None
    if value < 10 and value == int(value):     # 'two', 'three' are written out as often as not: too weak
        return None
    return f"#{int(value)}" if value == int(value) else f"#{value:.1f}"


@lru_cache(maxsize=None)
def _month_names(lang: str) -> dict[str, int]:
    """Normalised month names of `lang` (every form CLDR has: wide, abbreviated, stand-alone) -> month."""
    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return {}
    out: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for month, name in locale.months[context][width].items():
                for term in langnorm.terms(name.strip("."), lang):
                    if len(term) >= 3:
                        out.setdefault(term, month)
    return out


@lru_cache(maxsize=200_000)
def _cognate(word: str) -> str:
    """The cognate key of a lower-cased word: its first five letters in ASCII."""
    return ":" + to_latin(word)[:5]


# Arabic script has no capitals to tell a name, and its stemmer and clitic strip fold ordinary words onto place
# names (مايو, May, onto Mayotte; السيد, Mr, onto Sydney; فيما, whereas, onto ليما, Lima): there a place is
# matched on the word as written or without its clitics, unstemmed.
UNSTEMMED_PLACES = frozenset(("ar", "fa", "ur"))


def _place_forms(folded: str) -> tuple[str, ...]:
    """The forms of a word of the text (lower-cased and folded) that can start a place name where stems are not
    used (UNSTEMMED_PLACES): as written, then without its clitics (بإدلب)."""
    bare = langnorm.strip_arabic_prefix(folded)
    return (folded, bare) if bare != folded else (folded,)


@lru_cache(maxsize=None)
def _places(lang: str) -> tuple[dict[tuple[str, ...], str], frozenset[str]]:
    """Place names known in `lang` as tuples of normalised terms -> a language-neutral place key, and the
    first terms of those names (most words start none, and need no n-gram look-up)."""
    names: dict[tuple[str, ...], str] = {}

    def add(name: str, key: str) -> None:
        if lang in UNSTEMMED_PLACES:
            terms = tuple(langnorm.fold_arabic(langnorm.lower(w, lang)) for w in _words(name, lang))
            if terms and terms[0].startswith("ال") and len(terms[0]) > 4:   # المغرب, also met as بالمغرب
                names.setdefault((terms[0][2:], *terms[1:]), key)
        else:
            terms = tuple(langnorm.terms(name, lang))
        if terms and len("".join(terms)) >= 3:
            names.setdefault(terms, key)

    try:
        locale = Locale.parse(lang)
        for code, name in locale.territories.items():
            if code.isalpha() and len(code) == 2 and code not in ("ZZ", "EU", "UN", "EZ", "QO"):
                add(name, f"^{code}")
        english = Locale("en").time_zones
        for zone, data in locale.time_zones.items():
            city = data.get("city") or english.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
            if "/" in zone and not zone.startswith("Etc/"):
                add(city, f"^{zone.rsplit('/', 1)[-1].lower()}")
    except (UnknownLocaleError, ValueError):
        pass
    return names, frozenset(terms[0] for terms in names)


_GROUPED = re.compile(r"(?<=\d)[\u00a0\u202f ](?=\d{3}\b)")   # 120 000: a figure, not two
_CONNECTORS = frozenset("de del of".split())                     # 24 de abril, 24th of April


def _words(text: str, lang: str) -> list[str]:
    """Words and figures of `text`, hyphens split and digit groups joined (120 000 -> 120000)."""
    if lang in COMMA_DECIMAL:
        text = _GROUPED.sub("", text)
    return langnorm.WORD_RE.findall(text.replace("-", " "))


def _month_near(normal: list[str], i: int, months: dict[str, int]) -> int | None:
    """The month named just after (or before) position i, skipping one connector ('de', 'of')."""
    for j in (i + 1, i + 2, i - 1):
        if 0 <= j < len(normal) and normal[j] in months:
            if j == i + 2 and normal[i + 1] not in _CONNECTORS:
                continue
            return months[normal[j]]
    return None


def keys(text: str | None, lang: str, cognates: bool = True) -> list[str]:
    """Language-neutral keys of `text`: countries and cities '^' (CLDR), figures '#', dates '@', name
    skeletons '~' and, for Latin-script languages, cognate prefixes ':'. The conflict gazetteer's places
    are the caller's (crosswire.entities finds them once per article: see place_keys)."""
    if not text:
        return []
    out: list[str] = []
    (places, starts), longest = _places(lang), 4
    months = _month_names(lang)
    stop = langnorm.STOPWORDS.get(lang, frozenset())
    words = _words(text, lang)
    lowered = [langnorm.lower(w, lang) for w in words]   # once a word: each is read up to three times below
    normal = [langnorm.normalise(low, lang) if not w[0].isdigit() else w for w, low in zip(words, lowered)]
    # The forms place names are looked up in. Stems fold ordinary words onto places (Spanish para onto París,
    # gran onto Granada; Polish dane, data, onto Dania), so in a script with capitals a place starts with one,
    # and never with a stop word (Para at a sentence's start; Russian того, Togo).
    if lang in UNSTEMMED_PLACES:
        rest = [langnorm.fold_arabic(low) for low in lowered]
        lookup = [_place_forms(folded) if not w[0].isdigit() else () for w, folded in zip(words, rest)]
    else:
        lookup = [(n,) if (w[0].isupper() or w[0].lower() == w[0].upper()) and low not in stop else ()
                  for w, low, n in zip(words, lowered, normal)]
        rest = normal
    i = 0
    while i < len(words):
        word = words[i]
        if word[0].isdigit():
            month = _month_near(normal, i, months) if len(word) <= 2 and word.isdigit() else None
            if month is not None and 1 <= int(word) <= 31:
                out.append(f"@{month}-{int(word)}")        # 24 April, 24. April, 24 de abril, April 24
            else:
                key = number_key(word, lang)
                if key:
                    out.append(key)
            i += 1
            continue
        first = None
        for form in lookup[i]:   # (a plain loop: a generator a word cost more than the lookups)
            if form in starts:
                first = form
                break
        for n in range(min(longest, len(words) - i), 0, -1) if first is not None else ():
            place = places.get((first, *rest[i + 1:i + n]))
            if place:
                out.append(place)
                i += n
                break
        else:
            lower = lowered[i]
            if lower not in stop and len(word) >= 4 and not langnorm._is_cjk(word):
                if word[0].isupper() or lang in ("ar", "fa", "ur"):
                    sk = skeleton(normal[i])
                    if len(sk) >= 3:
                        out.append(f"~{sk}")
                if cognates and lang in LATIN_LANGS and len(word) >= 5:
                    out.append(_cognate(lower))
            i += 1
    return out


def place_keys(places: tuple[str, ...]) -> list[str]:
    """Neutral keys of the gazetteer places an article names (crosswire.entities knows their declined and
    prefixed forms, Харькову and بإدلب, which CLDR names do not)."""
    return [f"^{place.lower()}" for place in places]
