"""Per-language text normalisation for story clustering: language guess, stop words, folding and stems.

Outlets that cover one war write in many languages, and each needs its own folding before two reports can be
compared word by word: Arabic glues the article and conjunctions to the word (والمستشفى, بالمستشفى) and
spells alef, ya and ta marbuta several ways; Russian, Turkish and Polish inflect every noun. Stems come from
the Snowball algorithms (PyStemmer, compiled: the pure-Python ones cost more than the rest of clustering);
languages without a stemmer get lower-cased words; Chinese and Japanese, which do not separate words, get
character bigrams. The language is read off the text (script, then function words), the metadata only
breaking ties, since a site-wide <html lang> often misstates a page.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

import Stemmer

STOPWORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in {
    "en": """a about above after again against all also am an and any are as at be because been before being
        below between both but by can could did do does doing down during each few for from further had has
        have having he her here hers him his how i if in into is it its itself just me more most my no nor not
        now of off on once only or other our out over own same she should so some such than that the their
        them then there these they this those through to too under until up very was we were what when where
        which while who whom why will with would you your yours said says say told according one two three
        new monday tuesday wednesday thursday friday saturday sunday today yesterday week day days hours hour
        year years time since still however amid among across near per mr mrs ms el al""",
    "de": """der die das den dem des ein eine einer einen einem eines und oder aber auch als an auf aus bei bis
        durch für gegen in im ins mit nach seit über um unter von vor zu zum zur ist sind war waren wird werden
        wurde wurden hat haben hatte hatten sein nicht noch nur schon sich sie er es wir ihr ich man dass wie
        wenn so was wer diese dieser dieses am vom beim sagte laut mehr sehr kann können soll sollen jetzt
        heute gestern dann denn doch einem keine kein alle""",
    "es": """el la los las un una unos unas y o pero también como de del al a en con por para sin sobre entre
        desde hasta que quien cual es son fue fueron ha han había ser estar está están era se su sus lo le les
        no sí ya más muy este esta estos estas ese esa eso dijo según donde cuando hoy ayer año años""",
    "fr": """le la les un une des et ou mais aussi comme de du au aux en dans par pour sur avec sans sous entre
        que qui quoi dont est sont été était ont avait être avoir se sa son ses leur leurs ce cette ces il elle
        ils elles on ne pas plus très a selon dit lors où quand aujourd hier an ans""",
    "it": """il lo la i gli le un uno una e o ma anche come di del della dei delle degli al alla ai alle in nel
        nella nei con per su tra fra da dal dalla che chi cui è sono era stato stata ha hanno aveva essere si
        suo sua suoi sue loro non più molto questo questa questi quello quella ha detto secondo dove quando oggi
        ieri anno anni""",
    "pt": """o a os as um uma e ou mas também como de do da dos das no na nos nas em com por para sem sobre entre
        que quem é são foi foram tem têm ser estar está se seu sua seus suas não mais muito este esta isso disse
        segundo onde quando hoje ontem ano anos""",
    "pl": """i w z na do się nie że to jest są był była było byli jak o po za od przez dla przy oraz ale lub
        czy ten ta te tego tej który która które którzy jego jej ich także już tylko jeszcze może bardzo też
        roku lat powiedział według gdzie kiedy dziś wczoraj""",
    "tr": """ve ile bir bu şu o da de ki için gibi daha çok en ama fakat veya ya ise olarak olan oldu olduğu
        olduğunu var yok değil mi mı her şey sonra önce kadar göre ancak dedi ayrıca bunun bunu buna tarafından
        yılı yıl yılında bugün dün""",
    "ru": """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
        вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь
        опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам
        чтобы без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь
        этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой
        хоть после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо
        свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между также заявил
        сообщил году года это""",
    "ar": """في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين هو هي هم كان كانت يكون قد لقد لا لم لن ما
        ماذا أن ان إن أو او ثم كما بعد قبل بين حتى عند كل بعض غير أي اي وقال قال وقالت قالت وأضاف أضاف حيث خلال
        منذ أمس اليوم وفي ومن على""",
    "nl": """de het een en of maar ook als van in op aan met voor door bij naar uit over tot om te dat die dit
        deze is zijn was waren wordt worden werd heeft hebben had niet geen nog wel er hij zij ze we wij ik je
        zei volgens waar wanneer vandaag gisteren""",
}.items()}

# Arabic stop words are matched after folding too (إلى and الى are one word).
STOPWORDS["ar"] = STOPWORDS["ar"] | frozenset(w.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي",
                                                                       "ة": "ه"})) for w in STOPWORDS["ar"])

SNOWBALL = {"en": "english", "de": "german", "es": "spanish", "fr": "french", "it": "italian",
            "pt": "portuguese", "pl": "polish", "tr": "turkish", "ru": "russian", "ar": "arabic",
            "nl": "dutch", "uk": "russian", "sv": "swedish", "ro": "romanian", "el": "greek", "fa": "persian"}
LATIN_GUESSES = ("en", "de", "es", "fr", "it", "pt", "pl", "tr", "nl")

WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*")
_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")   # Arabic diacritics, tatweel
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
                          "ک": "ك", "ی": "ي"})
# Clitics glued to the front of an Arabic word, longest first: and/with/for/as + the article.
_AR_PREFIXES = ("وبال", "وكال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف")


_LETTERS = (("tr", "ığş"), ("pl", "łąęśźżń"), ("de", "ß"), ("es", "ñ¿¡"), ("pt", "ãõ"))


_SCRIPTS = {name: re.compile(pattern) for name, pattern in {
    "arabic": "[\u0600-\u06ff\u0750-\u077f]", "cyrillic": "[\u0400-\u04ff]", "cjk": "[\u4e00-\u9fff]",
    "kana": "[\u3040-\u30ff]", "greek": "[\u0370-\u03ff]", "hebrew": "[\u0590-\u05ff]",
    "latin": "[A-Za-z\u00c0-\u024f]"}.items()}


def script(text: str) -> str:
    """The main script of `text`: 'arabic', 'cyrillic', 'cjk', 'kana', 'greek', 'hebrew' or 'latin'."""
    sample = text[:2000]
    counts = {name: len(pattern.findall(sample)) for name, pattern in _SCRIPTS.items()}
    # CJK characters carry a word each: weigh them as a Latin word's worth of letters.
    counts["cjk"] *= 4
    counts["kana"] *= 4
    return max(counts, key=lambda k: counts[k])


def detect(text: str, hint: str | None = None) -> str:
    """ISO 639-1 code of the text's language (the hint when the text cannot tell, 'und' when neither can)."""
    hint = (hint or "").lower().split("-")[0].split("_")[0] or None
    found = script(text)
    if found == "arabic":
        return hint if hint in ("ar", "fa", "ur") else "ar"
    if found == "cyrillic":
        return hint if hint in ("ru", "uk", "bg", "sr", "mk", "be") else "ru"
    if found == "kana":
        return "ja"
    if found == "cjk":
        return hint if hint in ("zh", "ja") else "zh"
    if found in ("greek", "hebrew"):
        return {"greek": "el", "hebrew": "he"}[found]
    words = WORD_RE.findall(lower(text[:1500]))
    hits = {lang: sum(1 for w in words if w in STOPWORDS[lang]) for lang in LATIN_GUESSES}
    best = max(hits, key=lambda k: hits[k])
    if hint in hits and hits[hint] >= 0.8 * hits[best]:
        return hint
    if hits[best] >= 3:
        return best
    # Too few function words (a headline, a list): letters only one of these languages uses.
    lowered = lower(text[:1500])
    for lang, letters in _LETTERS:
        if any(ch in lowered for ch in letters):
            return lang
    return best if hits[best] else (hint or "und")


_TURKIC_CAPITALS = str.maketrans({"İ": "i", "I": "ı"})


def lower(text: str, lang: str | None = None) -> str:
    """`text` lower-cased as its language writes it: Turkish (and Azerbaijani) İ and I are i and ı; elsewhere
    İ is i (str.lower leaves a combining dot after it, which splits "İstanbul" into "i" and "stanbul")."""
    if lang in ("tr", "az"):
        text = text.translate(_TURKIC_CAPITALS)
    return text.lower().replace("i\u0307", "i")


def fold_arabic(word: str) -> str:
    """An Arabic word without diacritics and tatweel, with one alef, ya, ta marbuta and hamza carrier."""
    return _MARKS.sub("", word).translate(_AR_FOLD)


def strip_arabic_prefix(word: str) -> str:
    """A folded Arabic word without its leading clitics (و ب ل ف ك + ال), keeping at least three letters."""
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix):]
    return word


@lru_cache(maxsize=None)
def _stemmer(lang: str) -> Callable[[str], str] | None:
    """The Snowball stemmer of `lang`, or None when Snowball has none."""
    algorithm = SNOWBALL.get(lang)
    if algorithm is None:
        return None
    stem = Stemmer.Stemmer(algorithm, 0).stemWord   # its own cache off: ours below covers every language
    return stem


_CACHE: dict[tuple[str, str], str] = {}


def normalise(word: str, lang: str) -> str:
    """The comparable form of one lower-cased word in `lang`: folded, stripped of clitics, stemmed."""
    key = (lang, word)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    out = word.replace("’", "'")
    if lang in ("ar", "fa", "ur"):
        out = strip_arabic_prefix(fold_arabic(out))
    elif lang in ("tr", "fr", "it") and "'" in out:
        out = out.split("'")[0] if lang == "tr" else out.split("'")[-1]   # Türkiye'nin, l'hôpital
    elif lang == "en" and out.endswith("'s"):
        out = out[:-2]
    stem = _stemmer(lang)
    if stem is not None and out and not out[0].isdigit():
        out = stem(out)
        if lang in ("ar", "fa", "ur"):
            out = fold_arabic(out)
    if len(_CACHE) > 2_000_000:   # a runaway vocabulary (garbage pages) must not grow memory without end
        _CACHE.clear()
    _CACHE[key] = out
    return out


def _cjk_bigrams(run: str) -> list[str]:
    """Overlapping character pairs of a run of CJK characters (the run itself if only one)."""
    return [run[i:i + 2] for i in range(len(run) - 1)] or [run]


def _is_cjk(word: str) -> bool:
    """Whether a word is written in Chinese or Japanese characters."""
    return "\u3040" <= word[0] <= "\u9fff"


def terms(text: str | None, lang: str, drop: frozenset[str] = frozenset(), limit: int | None = None) -> list[str]:
    """Comparable terms of `text` in `lang`: stop words and the lower-cased words in `drop` left out, words
    normalised, CJK runs as bigrams, numbers of three or more digits kept as written; with `limit`, at least
    the first `limit` terms (a caller that keeps only those need not normalise the rest of a long text)."""
    if not text:
        return []
    if lang in ("ar", "fa", "ur"):
        text = _MARKS.sub("", text)
    stop = STOPWORDS.get(lang, frozenset())
    out: list[str] = []
    for raw in WORD_RE.findall(lower(text, lang).replace("-", " ")):
        if raw[0].isdigit():
            if len(raw) >= 3:
                out.append(raw)
            continue
        if _is_cjk(raw):
            out.extend(_cjk_bigrams(raw))
            continue
        if len(raw) < 2 or raw in stop or raw in drop:
            continue
        if lang in ("ar", "fa", "ur") and fold_arabic(raw) in stop:
            continue
        term = normalise(raw, lang)
        if len(term) >= 2:
            out.append(term)
            if limit is not None and len(out) >= limit:
                break
    return out
