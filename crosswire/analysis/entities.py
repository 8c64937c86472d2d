"""People and places named in a text: a bundled gazetteer of conflict places plus a capitalised-name heuristic.

No named-entity model can be downloaded here, so places come from a hand-kept gazetteer (English spellings
with common Arabic and Russian ones mapped to one canonical name) and people from runs of capitalised words
that are neither places nor organisation words. Pure functions; good enough to tell which outlet named whom.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import justext
from babel import Locale
from babel.core import UnknownLocaleError

from crosswire.analysis.langnorm import STOPWORDS, lower
from crosswire.analysis.textvec import tokens

# canonical name -> (kind, aliases). kind: country | region | city. Aliases include transliterations and
# the Arabic / Russian spellings that outlets in those languages use.
GAZETTEER: dict[str, tuple[str, tuple[str, ...]]] = {
    # Syria
    "Syria": ("country", ("Syrian", "سوريا", "سورية", "Сирия", "Сирии")),
    "Damascus": ("city", ("دمشق", "Дамаск")),
    "Aleppo": ("city", ("Halab", "حلب", "Алеппо", "Халеб")),
    "Idlib": ("region", ("Idleb", "إدلب", "ادلب", "Идлиб")),
    "Homs": ("city", ("حمص", "Хомс")),
    "Hama": ("city", ("حماة", "Хама")),
    "Latakia": ("city", ("Lattakia", "اللاذقية", "Латакия")),
    "Tartus": ("city", ("Tartous", "طرطوس", "Тартус")),
    "Deir ez-Zor": ("region", ("Deir ez-Zor", "Deir al-Zour", "Deir Ezzor", "Deir el-Zour", "دير الزور",
                               "Дейр-эз-Зор")),
    "Raqqa": ("city", ("Raqqah", "الرقة", "Ракка")),
    "Hasakah": ("city", ("Hasaka", "al-Hasakah", "الحسكة", "Хасеке")),
    "Qamishli": ("city", ("القامشلي", "Камышлы")),
    "Daraa": ("city", ("Deraa", "درعا", "Дараа")),
    "Ariha": ("city", ("أريحا", "Ариха")),
    "Saraqib": ("city", ("سراقب", "Саракиб")),
    "Maarat al-Numan": ("city", ("Maaret al-Numan", "معرة النعمان")),
    "Jisr al-Shughur": ("city", ("جسر الشغور",)),
    "Manbij": ("city", ("منبج", "Манбидж")),
    "Afrin": ("city", ("عفرين", "Африн")),
    "Kobani": ("city", ("Kobane", "كوباني", "Кобани")),
    "Palmyra": ("city", ("Tadmur", "تدمر", "Пальмира")),
    "Azaz": ("city", ("اعزاز", "Азаз")),
    "Khan Shaykhun": ("city", ("Khan Sheikhoun", "خان شيخون")),
    "Euphrates": ("region", ("الفرات", "Евфрат")),
    # Ukraine and Russia
    "Ukraine": ("country", ("Ukrainian", "أوكرانيا", "Украина", "Украины", "Україна")),
    "Russia": ("country", ("Russian", "روسيا", "Россия", "России")),
    "Kyiv": ("city", ("Kiev", "كييف", "Киев", "Київ")),
    "Kharkiv": ("city", ("Kharkov", "خاركيف", "Харьков", "Харків")),
    "Odesa": ("city", ("Odessa", "أوديسا", "Одесса", "Одеса")),
    "Zaporizhzhia": ("region", ("Zaporizhia", "Zaporozhye", "زابوريجيا", "Запорожье", "Запоріжжя")),
    "Enerhodar": ("city", ("Energodar", "Энергодар")),
    "Dnipro": ("city", ("Dnepr", "Dnipropetrovsk", "دنيبرو", "Днепр")),
    "Kherson": ("region", ("خيرسون", "Херсон")),
    "Mykolaiv": ("city", ("Nikolaev", "Николаев")),
    "Donetsk": ("region", ("دونيتسك", "Донецк")),
    "Luhansk": ("region", ("Lugansk", "لوغانسك", "Луганск")),
    "Bakhmut": ("city", ("Artyomovsk", "باخموت", "Бахмут", "Артёмовск")),
    "Avdiivka": ("city", ("Avdeevka", "Авдеевка")),
    "Pokrovsk": ("city", ("Krasnoarmeysk", "Покровск")),
    "Kramatorsk": ("city", ("Краматорск",)),
    "Mariupol": ("city", ("ماريوبول", "Мариуполь")),
    "Crimea": ("region", ("القرم", "Крым")),
    "Sevastopol": ("city", ("Севастополь",)),
    "Lviv": ("city", ("Lvov", "Львов")),
    "Sumy": ("city", ("Сумы",)),
    "Kupiansk": ("city", ("Kupyansk", "Купянск")),
    "Belgorod": ("region", ("بيلغورود", "Белгород")),
    "Kursk": ("region", ("كورسك", "Курск")),
    "Black Sea": ("region", ("البحر الأسود", "Черное море", "Чёрное море")),
    # Gaza, Israel, the West Bank, Lebanon
    "Gaza": ("region", ("Gaza Strip", "غزة", "Газа", "сектор Газа")),
    "Gaza City": ("city", ("مدينة غزة",)),
    "Khan Younis": ("city", ("Khan Yunis", "خان يونس", "Хан-Юнис")),
    "Rafah": ("city", ("رفح", "Рафах")),
    "Jabalia": ("city", ("Jabaliya", "جباليا", "Джабалия")),
    "Deir al-Balah": ("city", ("دير البلح",)),
    "Nuseirat": ("city", ("النصيرات",)),
    "Beit Lahia": ("city", ("بيت لاهيا",)),
    "Beit Hanoun": ("city", ("بيت حانون",)),
    "Israel": ("country", ("Israeli", "إسرائيل", "Израиль", "Израиля")),
    "West Bank": ("region", ("الضفة الغربية", "Западный берег")),
    "Jenin": ("city", ("جنين", "Дженин")),
    "Nablus": ("city", ("نابلس",)),
    "Hebron": ("city", ("al-Khalil", "الخليل")),
    "Ramallah": ("city", ("رام الله",)),
    "Jerusalem": ("city", ("القدس", "Иерусалим")),
    "Kerem Shalom": ("city", ("Karem Abu Salem", "كرم أبو سالم", "Керем-Шалом")),
    "El Arish": ("city", ("al-Arish", "العريش")),
    "Lebanon": ("country", ("Lebanese", "لبنان", "Ливан")),
    "Beirut": ("city", ("بيروت", "Бейрут")),
    "Tyre": ("city", ("صور",)),
    "Nabatieh": ("city", ("النبطية",)),
    # Sudan
    "Sudan": ("country", ("Sudanese", "السودان", "Судан")),
    "Khartoum": ("city", ("الخرطوم", "Хартум")),
    "Omdurman": ("city", ("أم درمان", "Омдурман")),
    "El Fasher": ("city", ("al-Fashir", "El-Fasher", "الفاشر", "Эль-Фашер")),
    "Darfur": ("region", ("دارفور", "Дарфур")),
    "Nyala": ("city", ("نيالا",)),
    "El Geneina": ("city", ("الجنينة",)),
    "Kordofan": ("region", ("كردفان",)),
    "Port Sudan": ("city", ("بورتسودان", "Порт-Судан")),
    "Wad Madani": ("city", ("ود مدني",)),
    "Zamzam": ("city", ("Zamzam camp", "زمزم")),
    # Yemen and the Red Sea
    "Yemen": ("country", ("Yemeni", "اليمن", "Йемен")),
    "Sanaa": ("city", ("Sana'a", "صنعاء", "Сана")),
    "Aden": ("city", ("عدن", "Аден")),
    "Hodeidah": ("city", ("Hudaydah", "الحديدة", "Ходейда")),
    "Marib": ("city", ("مأرب", "Мариб")),
    "Taiz": ("city", ("تعز", "Таиз")),
    "Red Sea": ("region", ("البحر الأحمر", "Красное море")),
    "Gulf of Aden": ("region", ("خليج عدن", "Аденский залив")),
    "Bab el-Mandeb": ("region", ("Bab al-Mandab", "باب المندب", "Баб-эль-Мандеб")),
    # neighbours often named in the same reports
    "Iran": ("country", ("Iranian", "إيران", "Иран")),
    "Turkey": ("country", ("Türkiye", "Turkish", "تركيا", "Турция")),
    "Iraq": ("country", ("Iraqi", "العراق", "Ирак")),
    "Baghdad": ("city", ("بغداد", "Багдад")),
    "Mosul": ("city", ("الموصل", "Мосул")),
    "Erbil": ("city", ("أربيل", "Эрбиль")),
    "Ankara": ("city", ("أنقرة", "Анкара")),
    "Tehran": ("city", ("طهران", "Тегеран")),
    "Moscow": ("city", ("موسكو", "Москва")),
    "Geneva": ("city", ("جنيف", "Женева")),
}

# Capitals: named as the seat of a government ("Ankara condemned", "Moscow said") as often as the place of an
# event, so they count as names but not as the specific place two reports share.
CAPITALS = frozenset({"Damascus", "Kyiv", "Moscow", "Jerusalem", "Beirut", "Khartoum", "Sanaa", "Baghdad",
                      "Ankara", "Tehran", "Geneva"})

# Words that make a capitalised run an organisation, a date or a heading rather than a person.
NOT_PERSON = frozenset("""
the a an in on at of for and but after as by from to with this that these those it its he she they we his her
ministry minister council nations united forces force army navy air aerospace defence defense agency press news
red crescent cross health organization organisation committee support rapid armed civil brigade front party
authority office programme program world food hospital station street market square university bank gulf sea
strait city province region oblast governorate republic kingdom federation state islamic houthi houthis hamas
hezbollah group union european international doctors without borders monday tuesday wednesday thursday friday
saturday sunday january february march april may june july august september october november december
white helmets security ceasefire military general command centre center foreign interior affairs national
media service services department government president prime spokesman spokeswoman spokesperson emergency
energy power plant water ukrenergo tv television radio times post daily herald wire today mirror courier
reuters associated un who unicef unrwa ocha iaea icrc msf sana tass ria
opposing parties reconciliation north south east west korea america american
""".split())

# Titles that precede a name: dropped from the front of a run ("Foreign Minister Hakan Fidan" -> "Hakan Fidan").
TITLES = frozenset("""
president minister prime foreign defence defense interior health deputy spokesman spokeswoman spokesperson
general gen col colonel major lieutenant commander chief dr mr mrs ms sheikh governor ambassador envoy
secretary mayor director head senior official officer surgeon doctor professor prof captain
rear vice admiral brigadier sergeant
""".split())

PARTICLES = r"(?:al-|el-|bin |ibn |abu |de |van |von |da )"
PARTICLES_SET = frozenset(("bin ", "ibn ", "abu ", "de ", "van ", "von ", "da "))
_NAME_WORD = r"[A-ZА-ЯЁ][a-zа-яё'’]+(?:-[A-ZА-ЯЁ]?[a-zа-яё'’]+)?"
PERSON_RE = re.compile(rf"\b{_NAME_WORD}(?:\s+(?:{PARTICLES})?{_NAME_WORD}){{1,5}}\b")


@lru_cache(maxsize=None)
def common_words(lang: str | None) -> frozenset[str]:
    """The few hundred most frequent words of a language, lower-cased (jusText's stop lists, counted on its
    Wikipedia; empty for a language it has none for). German capitalises every noun: "Ende Mai" or "Die
    Regierung" are runs of capitals, and a name does not end in such a word."""
    try:
        name = Locale.parse(lang).get_display_name("en") if lang else None
    except (UnknownLocaleError, ValueError, TypeError):
        return frozenset()
    if not name or name not in justext.get_stoplists():
        return frozenset()
    return frozenset(justext.get_stoplist(name))


def person_key(name: str) -> str:
    """How a person is compared: the last two words of the name (with a particle before them), so "Chancellor
    Angela Merkel", "Bundeskanzlerin Angela Merkel" and "Angela Merkel" meet."""
    words = name.split()
    start = max(0, len(words) - 2)
    if start and words[start].lower() + " " in PARTICLES_SET:
        start -= 1
    return " ".join(words[start:])


@dataclass(frozen=True)
class Entities:
    """The places (canonical names) and people a text names, each in order of first mention."""

    places: tuple[str, ...]
    people: tuple[str, ...]

    def keys(self, countries: bool = False) -> frozenset[str]:
        """Comparable keys for clustering; countries are left out by default since many stories share one."""
        chosen = [p for p in self.places if countries or GAZETTEER[p][0] != "country"]
        return frozenset([f"place:{p}" for p in chosen] + [f"person:{person_key(p)}" for p in self.people])


@lru_cache(maxsize=1)
def _place_index() -> tuple[re.Pattern[str], dict[str, str]]:
    lookup: dict[str, str] = {}
    for canonical, (_, aliases) in GAZETTEER.items():
        for name in (canonical, *aliases):
            lookup[name.lower()] = canonical
    # Longest first, so "Gaza City" wins over "Gaza" and "Gulf of Aden" over "Aden".
    names = sorted(lookup, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.IGNORECASE)
    return pattern, lookup


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


WORD_RE = re.compile(r"[\w'’]+(?:-[\w'’]+)*")


_RU_ENDINGS = ("ами", "ями", "ом", "ем", "ой", "ей", "ью", "ах", "ях")
_AR_PREFIXES = ("و", "ب", "ل", "ف")


def _ru_stem(word: str) -> str:
    """A Russian place name without its case ending: Запорожье, Запорожья and Запорожью meet."""
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 3:
            word = word[:-len(ending)]
            break
    return word.rstrip("аяоеёыиуюьй")


@lru_cache(maxsize=1)
def _ngram_index() -> tuple[dict[str, str], dict[str, int]]:
    """Gazetteer names as their words joined by spaces -> canonical name, and for each first word of a name of
    several words the most words such a name has (a word starting none is looked up alone: most words)."""
    _, lookup = _place_index()
    index = {" ".join(WORD_RE.findall(name)): canonical for name, canonical in lookup.items()}
    # Single-word Cyrillic names also under their stem, since Russian declines place names.
    for key, canonical in list(index.items()):
        if " " not in key and "\u0400" <= key[0] <= "\u04ff" and len(key) > 3:
            index.setdefault("~" + _ru_stem(key), canonical)
    spans: dict[str, int] = {}
    for key in index:
        first, *rest = key.split(" ")
        if rest:
            spans[first] = max(spans.get(first, 1), 1 + len(rest))
    return index, spans


def _lookup_word(index: dict[str, str], word: str) -> str | None:
    """One word's place: as written, declined (Russian), or after a one-letter Arabic prefix (و ب ل ف)."""
    if "\u0400" <= word[0] <= "\u04ff" and len(word) > 3:
        return index.get("~" + _ru_stem(word))
    if word.startswith(_AR_PREFIXES) and len(word) > 3:
        return index.get(word[1:])
    return None


def find_places(text: str | None) -> tuple[str, ...]:
    """Canonical names of the gazetteer places `text` mentions, in order of first mention."""
    if not text:
        return ()
    # Word n-grams looked up in a dict: far faster than one regex alternation over hundreds of names.
    index, spans = _ngram_index()
    words = WORD_RE.findall(text)
    lowered = [lower(w) for w in words]   # İdlib, written in Turkish, is idlib
    found = []
    i = 0
    while i < len(words):
        # longest first ("Gaza City" before "Gaza"), and only as long as a name starting with this word is
        for n in range(min(spans.get(lowered[i], 1), len(words) - i), 0, -1):
            canonical = index.get(" ".join(lowered[i:i + n]))
            if canonical is None and n == 1:
                canonical = _lookup_word(index, lowered[i])
            if canonical is None:
                continue
            first = words[i][0]
            # "Tyre" or "Aden" lower-cased is an ordinary word, not the place: Latin names need a capital.
            if first.isascii() and first.isalpha() and not first.isupper():
                continue
            found.append(canonical)
            i += n - 1
            break
        i += 1
    return _unique(found)


def _place_words() -> frozenset[str]:
    # Single-word place names only: "Kerem" alone is a first name, "Kerem Shalom" a crossing.
    _, lookup = _place_index()
    return frozenset(name for name in lookup if " " not in name)


# Parts of place names that are ordinary words too; they stay in a text's vector.
_COMMON_PLACE_WORDS = frozenset("city sea red black gulf port west bank north south of el al camp strip "
                                "sheikh river new old".split())


@lru_cache(maxsize=1)
def place_tokens() -> frozenset[str]:
    """The word tokens (as crosswire.analysis.textvec makes them) of every gazetteer name, common words aside."""
    _, lookup = _place_index()
    return frozenset(t for name in lookup for t in tokens(name) if t not in _COMMON_PLACE_WORDS)


def find_people(text: str | None, lang: str | None = None) -> tuple[str, ...]:
    """Names of people: the end of a run of capitalised words after the last word that cannot be part of a
    name (a title, an organisation or place word, and in a known language a function word: "Der", "Am"),
    two to four words long, not ending in one of the language's common words ("Ende Mai", "Lesen Sie")."""
    if not text:
        return ()
    place_words = _place_words()
    function_words = STOPWORDS.get(lang or "", frozenset())
    common = common_words(lang)
    index = _ngram_index()[0]

    def not_a_name(word: str) -> bool:
        w = word.lower().rstrip(".")
        return (w in TITLES or w in NOT_PERSON or w in function_words or w in place_words
                or bool(_lookup_word(index, w)))   # a declined or prefixed place name

    found = []
    for match in PERSON_RE.finditer(text):
        # a possessive ends a name: "Chancellor Angela Merkel's Christian Democrats", "Renault's Luca de Meo"
        for part in re.split(r"(?<='s)\s+", match.group(0).replace("’", "'")):
            words = part.removesuffix("'s").split()
            cut = max((i + 1 for i, w in enumerate(words) if not_a_name(w)), default=0)
            words = words[cut:][-4:]
            if len(words) < 2 or words[-1].lower() in common or " ".join(words).lower() in _place_index()[1]:
                continue
            found.append(" ".join(words))
    return _unique(found)


def extract(*texts: str | None, lang: str | None = None) -> Entities:
    """People and places named across `texts` (e.g. title, lede, body), written in `lang` if known."""
    joined = "\n".join(t for t in texts if t)
    return Entities(find_places(joined), find_people(joined, lang))


def shared_people(doc: frozenset[str] | Counter[str] | dict[str, float],
                  story: frozenset[str] | Counter[str]) -> float:
    """How many people (first name and surname, as written: Latin-script names mostly survive translation)
    both name, each counted by its rarity when `doc` gives it (a dict: crosswire.analysis.storyvec)."""
    rarity = doc if isinstance(doc, dict) else {}
    return sum(rarity.get(e, 1.0) for e in doc if e.startswith("person:") and e in story)


def entity_bonus(doc: frozenset[str], story: Counter[str] | frozenset[str], entity_weight: float,
                 place_weight: float) -> float:
    """Bonus for the names a document shares with a story: all of them (places and people) over the smaller
    set, plus the specific places alone (capitals aside) over the smaller set of places."""
    if not doc or not story:
        return 0.0
    total = entity_weight * sum(1 for e in doc if e in story) / min(len(doc), len(story))
    mine = [e for e in doc if e.startswith("place:") and e[6:] not in CAPITALS]
    theirs = sum(1 for e in story if e.startswith("place:") and e[6:] not in CAPITALS)
    if mine and theirs and place_weight:
        total += place_weight * sum(1 for e in mine if e in story) / min(len(mine), theirs)
    return total
