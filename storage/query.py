"""The search query language, parsed into an FTS5 expression and filters (a pure function, no database).

    deir ezzor                 both words (any order, any column)
    "deir ezzor"               the exact phrase
    strikes OR shelling        either; OR binds tighter than the implicit AND, as in web search engines
    -drill  -"press tv"        leave out articles with the word or phrase (also: NOT drill, NOT "press tv")
    shelling AND water         AND may be written; words are ANDed anyway
    strik*                     prefix: strike, strikes, striking...
    source:tass                outlet name (repeat a filter for "any of": source:tass source:rt)
    country:RU  lang:ar  tag:wire
    since:2026-01-01  until:2026-01-31   dates (YYYY, YYYY-MM, YYYY-MM-DD) or relative: 24h 7d 2w 1m 1y

Filters of different kinds are ANDed; the same kind repeated is ORed. Anything malformed is one QueryError line.
"""

from __future__ import annotations

import calendar
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from crosswire.core.errors import QueryError

FILTERS = ("source", "country", "lang", "tag", "since", "until")
_LIST_FILTERS = ("source", "country", "lang", "tag")

# Arabic short-vowel marks (harakat), shadda, sukun, dagger alif, and the tatweel stretcher: articles are
# almost always written without them, and the tokenizer would split a word at each mark.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_WORD_CHAR = re.compile(r"\w")
_FILTER = re.compile(r"^([A-Za-z]+):(.*)$", re.S)
_RELATIVE = re.compile(r"^(\d+)([hdwmy])$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Characters a query may not hold: C0 controls other than whitespace (a NUL ends SQLite's strings), DEL, C1.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
LAST_MOMENT = "9999-12-31T23:59:59+00:00"     # an exclusive bound for "until the end of the year 9999"


@dataclass(frozen=True)
class Term:
    """One searchable unit: a word or phrase, maybe a prefix."""

    text: str
    phrase: bool = False
    prefix: bool = False

    def fts(self) -> str:
        """The term as an FTS5 string, quoted so user text can never be read as FTS5 syntax."""
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + " *" if self.prefix else quoted


@dataclass(frozen=True)
class Query:
    """A parsed query: groups of alternatives (ANDed), excluded terms, and filters."""

    groups: tuple[tuple[Term, ...], ...] = ()       # each group is ORed inside, groups are ANDed
    excluded: tuple[Term, ...] = ()
    sources: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: str | None = None                        # ISO 8601 UTC, inclusive
    until: str | None = None                        # ISO 8601 UTC, exclusive
    text: str = field(default="", compare=False)    # the query as typed

    @property
    def match(self) -> str | None:
        """The FTS5 MATCH expression for the wanted terms (with exclusions), or None when no term is wanted."""
        if not self.groups:
            return None
        parts = []
        for group in self.groups:
            alternatives = " OR ".join(term.fts() for term in group)
            parts.append(f"({alternatives})" if len(group) > 1 else alternatives)
        expr = " AND ".join(parts)
        if self.excluded:
            expr = f"({expr})" + "".join(f" NOT {term.fts()}" for term in self.excluded)
        return expr

    @property
    def exclude_only(self) -> str | None:
        """An FTS5 expression of excluded terms when nothing is wanted (rows matching it are left out)."""
        if self.groups or not self.excluded:
            return None
        return " OR ".join(term.fts() for term in self.excluded)

    @property
    def is_empty(self) -> bool:
        """True when the query selects every article."""
        return not (self.groups or self.excluded or self.sources or self.countries or self.languages
                    or self.tags or self.since or self.until)


def strip_arabic_marks(text: str) -> str:
    """`text` without Arabic harakat and tatweel, so a vowelled query finds the usual unvowelled spelling."""
    return _ARABIC_MARKS.sub("", text)


def tokenize(text: str) -> list[tuple[str, str]]:
    """Split a query into (kind, value) tokens: kind is 'word' or 'phrase'; '-'/'OR' stay words."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"' or (ch == "-" and text[i + 1:i + 2] == '"'):
            negate = ch == "-"
            start = i + 1 + negate
            end = text.find('"', start)
            if end < 0:
                raise QueryError(f"unclosed quote in query: {text[i:].strip()}")
            tokens.append(("phrase", ("-" if negate else "") + text[start:end]))
            i = end + 1
            continue
        # A bare token runs to whitespace; a quote inside it opens a quoted value (source:"al mayadeen").
        j = i
        while j < n and not text[j].isspace():
            if text[j] == '"':
                end = text.find('"', j + 1)
                if end < 0:
                    raise QueryError(f"unclosed quote in query: {text[i:].strip()}")
                j = end + 1
            else:
                j += 1
        tokens.append(("word", text[i:j]))
        i = j
    return tokens


def _term(raw: str, *, phrase: bool, original: str) -> Term:
    """A Term from a word or phrase's text, checked to contain something searchable."""
    text = strip_arabic_marks(unicodedata.normalize("NFC", raw)).strip()
    prefix = False
    if not phrase and text.endswith("*"):
        text, prefix = text[:-1], True
        if "*" in text or not _WORD_CHAR.search(text):
            raise QueryError(f"a prefix needs letters before '*': {original}")
    elif not phrase and "*" in text:
        raise QueryError(f"'*' only works at the end of a word: {original}")
    if not _WORD_CHAR.search(text):
        if phrase:
            raise QueryError(f'empty phrase in query: "{original}"')
        return Term("")  # punctuation on its own: nothing to search for
    return Term(text, phrase=phrase, prefix=prefix)


def parse_query(text: str, *, now: datetime | None = None) -> Query:
    """Parse a query string; `now` (UTC) anchors relative dates like 7d."""
    now = now or datetime.now(timezone.utc)
    control = _CONTROL.search(text)
    if control:
        raise QueryError(f"the query holds a control character (U+{ord(control.group()):04X}); "
                         f"type words, phrases and filters only")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    filters: dict[str, list[str]] = {key: [] for key in FILTERS}
    pending_or = False      # the previous token was OR: the next term joins the last group
    pending = ""            # the previous token was NOT (the next term is left out) or AND (a plain separator)
    last_was_term = False   # OR is only valid right after a wanted term
    seen = False            # a term or filter came before (AND needs one)
    dropped = False         # a word of punctuation or symbols only (nothing the index holds) was left out

    for kind, value in tokenize(text):
        if kind == "word" and value == "OR":
            if not last_was_term or pending_or or pending:
                raise QueryError("OR needs a word or phrase on each side")
            pending_or = True
            continue
        if kind == "word" and value in ("NOT", "AND"):
            _check_keyword(value, pending_or=pending_or, pending=pending, seen=seen)
            pending = value
            continue
        negate = pending == "NOT"
        if kind in ("phrase", "word") and value.startswith("-"):
            if negate:
                raise QueryError("NOT and '-' both leave a word out; use one of them")
            negate, value = True, value[1:]
            if not value:
                raise QueryError("'-' must be followed by a word or phrase to leave out")
        if kind == "word" and pending == "NOT" and _FILTER.match(value) and not value.endswith("*"):
            raise QueryError(f"NOT cannot leave out a filter ({value.split(':')[0]}:); to leave out the text, "
                             f'quote it: NOT "{value}"')
        pending, seen = "", True
        if kind == "word" and not negate:
            match = _FILTER.match(value)
            if match and not value.endswith("*"):
                key, raw = match.group(1).lower(), match.group(2)
                if key not in FILTERS:
                    close = difflib.get_close_matches(key, FILTERS, n=1, cutoff=0.6)
                    hint = f" (did you mean {close[0]}:?)" if close else ""
                    raise QueryError(f"unknown filter {key}:{hint}; filters are "
                                     + ", ".join(f + ":" for f in FILTERS)
                                     + f' (to search for the text, quote it: "{value}")')
                if pending_or:
                    raise QueryError(f"OR cannot join a filter ({key}:); repeat the filter instead")
                raw = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
                if not raw.strip():
                    raise QueryError(f"filter {key}: needs a value, e.g. {_EXAMPLES[key]}")
                filters[key].append(raw.strip())
                last_was_term = False
                continue
        term = _term(value, phrase=kind == "phrase", original=value)
        if not term.text:
            if pending_or:
                raise QueryError("OR needs a word or phrase on each side")
            dropped = True
            continue
        if negate:
            if pending_or:
                raise QueryError("OR cannot join an excluded term")
            excluded.append(term)
            last_was_term = False
            continue
        if pending_or:
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
        last_was_term = True

    if pending_or:
        raise QueryError("OR needs a word or phrase on each side")
    if pending:
        raise QueryError(f"{pending} needs a word or phrase after it")
    if dropped and not groups and not excluded and not any(filters.values()):
        raise QueryError(f"nothing to search for in {_shown(text.strip())!r}: search needs letters or digits "
                         f"(punctuation and emoji are not indexed)")
    since = _date_bound(filters["since"], "since", now, end=False)
    until = _date_bound(filters["until"], "until", now, end=True)
    if since and until and since >= until:
        raise QueryError(f"since: is not before until: ({since} >= {until})")
    return Query(
        groups=tuple(tuple(g) for g in groups), excluded=tuple(excluded),
        sources=_unique(v.lower() for v in filters["source"]),
        countries=_unique(v.upper() for v in filters["country"]),
        languages=_unique(v.lower() for v in filters["lang"]),
        tags=_unique(v.lower() for v in filters["tag"]),
        since=since, until=until, text=text,
    )


def _check_keyword(word: str, *, pending_or: bool, pending: str, seen: bool) -> None:
    """NOT and AND must follow a term (AND) or stand alone (NOT) and never follow OR, NOT or AND."""
    if pending_or:
        raise QueryError("OR cannot join an excluded term" if word == "NOT"
                         else "OR needs a word or phrase on each side")
    if pending:
        raise QueryError(f"{pending} needs a word or phrase after it, not {word}")
    if word == "AND" and not seen:
        raise QueryError("AND needs a word or phrase on each side")


_EXAMPLES = {"source": "source:tass", "country": "country:SY", "lang": "lang:ar", "tag": "tag:wire",
             "since": "since:2026-01-01 or since:7d", "until": "until:2026-01-31 or until:24h"}


def _unique(values: object) -> tuple[str, ...]:
    """Values in first-seen order without repeats."""
    return tuple(dict.fromkeys(values))  # type: ignore[arg-type]


def _date_bound(values: list[str], key: str, now: datetime, *, end: bool) -> str | None:
    """The ISO UTC bound for since:/until:; `end` makes a calendar date inclusive (its end, exclusive)."""
    if not values:
        return None
    if len(values) > 1:
        raise QueryError(f"{key}: given more than once")
    return parse_date(values[0], now=now, end=end, key=key)


def parse_date(value: str, *, now: datetime, end: bool = False, key: str = "date") -> str:
    """A date filter value as ISO 8601 UTC: YYYY[-MM[-DD]] (start, or end when `end`) or N h/d/w/m/y ago."""
    value = value.strip().lower()
    rel = _RELATIVE.match(value)
    if rel:
        unit = rel.group(2)
        try:
            amount = int(rel.group(1))     # a number of 5000 digits is a ValueError: Python caps int parsing
            if unit in "hdw":
                when = now - {"h": timedelta(hours=amount), "d": timedelta(days=amount),
                              "w": timedelta(weeks=amount)}[unit]
            else:
                when = _months_before(now, amount * (12 if unit == "y" else 1))
        except (OverflowError, ValueError):     # before year 1: the calendar ends there
            raise QueryError(f"{key}: {_shown(value)} ago is before the year 1; use a smaller span") from None
        return when.astimezone(timezone.utc).isoformat(timespec="seconds")
    match = _DATE.match(value)
    if not match:
        raise QueryError(f"{key}: expects a date like 2026-01-31 or a span like 7d, 24h, 2w, 1m; got {_shown(value)!r}")
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if day is not None:
            start = datetime(year, int(month), int(day), tzinfo=timezone.utc)
        elif month is not None:
            start = datetime(year, int(month), 1, tzinfo=timezone.utc)
        else:
            start = datetime(year, 1, 1, tzinfo=timezone.utc)
    except ValueError:
        raise QueryError(f"{key}: {value} is not a real date") from None
    if not end:
        return start.isoformat(timespec="seconds")
    try:
        if day is not None:
            stop = start + timedelta(days=1)
        elif month is not None:
            stop = _months_before(start, -1)
        else:
            stop = datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    except (OverflowError, ValueError):     # the end of 9999: the last second the calendar has
        return LAST_MOMENT
    return stop.isoformat(timespec="seconds")


def _shown(value: str, width: int = 40) -> str:
    """A value as quoted back in an error: cut short so a pasted wall of text stays one readable line."""
    return value if len(value) <= width else value[:width - 1] + "…"


def _months_before(when: datetime, months: int) -> datetime:
    """`when` moved back by whole calendar months (forward if negative), clamping the day to the month."""
    index = when.year * 12 + (when.month - 1) - months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)
