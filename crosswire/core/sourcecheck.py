"""Checking a sources file's values: each check takes a raw TOML value and returns the converted one.

A failed check raises Invalid with a message saying what was expected and what came instead; the parser
(crosswire.core.sources) prefixes the file, the source and the field. `CHECKS` lists every key a
[[source]] table may hold, one line per Source field.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from cssselect import GenericTranslator, SelectorError

from crosswire.core.topics import load_topics

ROBOTS = "robots"  # in `sitemaps`: read the Sitemap: lines of the site's robots.txt


class Invalid(Exception):
    """A value failed its check; the message says what was expected and what came instead."""


# --- value checks: each takes the raw TOML value and returns the converted one, or raises Invalid ----------

_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# ISO 639-1 (two-letter language codes) and ISO 3166-1 alpha-2 (plus XK, the code everyone uses for Kosovo).
_LANGUAGES = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en
eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv
ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne
ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st
su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())
_COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE
JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM
TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
""".split())
# Codes people reach for that ISO spells differently.
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


def kind_of(value: Any) -> str:
    """How TOML would name the type of `value`, for "got ..." messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"  # the only other values TOML has


def quote(text: str) -> str:
    """`text` in double quotes, shortened so one bad value cannot flood the error line."""
    return json.dumps(text if len(text) <= 80 else text[:77] + "...", ensure_ascii=False)


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' when a close match exists, else ''."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {quote(close[0])}?)" if close else ""


def is_http_url(text: str) -> bool:
    """True for an absolute http:// or https:// URL with a host and no whitespace."""
    if not text or any(ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def check_name(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {kind_of(value)}")
    if not _SLUG.match(value):
        raise Invalid(f'expected a lowercase slug like "al-jazeera" (a-z, 0-9, "-", "_"), got {quote(value)}')
    return value


def _check_title(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {kind_of(value)}")
    if not value.strip():
        raise Invalid("must not be empty")
    return value.strip()


def without_password(url: str) -> str:
    """`url` as it may be shown in a message: any user name and password before the host replaced by ***."""
    scheme, sep, rest = url.partition("://")
    authority_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    at = rest.rfind("@", 0, authority_end)
    return f"{scheme}{sep}***@{rest[at + 1:]}" if sep and at >= 0 else url


def has_userinfo(url: str) -> bool:
    """Whether an http(s) URL names a user (and maybe a password) before its host."""
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return False


CREDENTIALS_REFUSED = ("carries a user name or password; crosswire never sends or stores credentials, "
                       "so remove them (a feed that needs a login cannot be followed)")


def _check_url(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected an http(s) URL, got {kind_of(value)}")
    if not is_http_url(value):
        raise Invalid(f"expected an http(s) URL, got {quote(without_password(value))}")
    if has_userinfo(value):
        raise Invalid(f"{quote(without_password(value))} {CREDENTIALS_REFUSED}")
    return value


def _check_url_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(f"expected a list of URLs, got {kind_of(value)}")
    return _unique_urls(value)


def _unique_urls(items: list[Any], *, also: str | None = None) -> tuple[str, ...]:
    """Each item a URL (or the keyword `also`), none listed twice; errors name the item by position."""
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        if also is None or item != also:
            try:
                _check_url(item)
            except Invalid as exc:
                hint = f' (or "{also}")' if also else ""
                raise Invalid(f"item {i}: {exc}{hint}") from None
        if item in seen:
            raise Invalid(f"item {i}: {quote(without_password(item))} is listed twice")
        seen.add(item)
    return tuple(items)


def _check_language(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected an ISO 639-1 code like \"en\", got {kind_of(value)}")
    if value not in _LANGUAGES:
        hint = f' (did you mean "{value.lower()}"?)' if value.lower() in _LANGUAGES else ""
        raise Invalid(f'expected an ISO 639-1 code like "en", got {quote(value)}{hint}')
    return value


def _check_country(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected an ISO 3166-1 alpha-2 code like \"SY\", got {kind_of(value)}")
    if value not in _COUNTRIES:
        upper = value.upper()
        better = _COUNTRY_ALIASES.get(upper) or (upper if upper in _COUNTRIES else None)
        hint = f' (did you mean "{better}"?)' if better else ""
        raise Invalid(f'expected an ISO 3166-1 alpha-2 code like "SY", got {quote(value)}{hint}')
    return value


def _check_tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(f"expected a list of strings, got {kind_of(value)}")
    seen: set[str] = set()
    for i, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise Invalid(f"item {i}: expected a string, got {kind_of(item)}")
        if not _TAG.match(item):
            raise Invalid(f'item {i}: expected a lowercase tag like "state-media", got {quote(item)}')
        if item in seen:
            raise Invalid(f"item {i}: {quote(item)} is listed twice")
        seen.add(item)
    return tuple(value)


def _check_delay(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"expected a number of seconds >= 0, got {kind_of(value)}")
    if not value >= 0 or value == float("inf"):  # `not >=` also catches nan
        raise Invalid(f"expected a number of seconds >= 0, got {value}")
    return float(value)


def _check_concurrency(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"expected an integer >= 1, got {kind_of(value)}")
    if value < 1:
        raise Invalid(f"expected an integer >= 1, got {value}")
    return value


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {kind_of(value)}")
    return value


def _check_sitemaps(value: Any) -> tuple[str, ...]:
    items = [value] if value == ROBOTS else value
    if not isinstance(items, list):
        raise Invalid(f'expected a list of sitemap URLs or "robots", got {kind_of(value)}')
    return _unique_urls(items, also=ROBOTS)


def _check_css(value: Any) -> str:
    """A CSS selector that cssselect can translate (what parsel and Scrapy accept)."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"expected a CSS selector, got {kind_of(value) if not isinstance(value, str) else 'an empty string'}")
    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise Invalid(f"invalid CSS selector {quote(value)}: {exc}") from None
    return value


def _check_css_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(f"expected a list of CSS selectors, got {kind_of(value)}")
    out = []
    for i, item in enumerate(value, 1):
        try:
            out.append(_check_css(item))
        except Invalid as exc:
            raise Invalid(f"item {i}: {exc}") from None
    return tuple(out)


def _check_pages(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"expected an integer >= 1, got {kind_of(value)}")
    if not 1 <= value <= 100_000:
        raise Invalid(f"expected an integer from 1 to 100000, got {value}")
    return value


def _check_table(value: Any, checks: dict[str, Callable[[Any], Any]], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"expected a table, got {kind_of(value)}")
    for key in value:
        if key not in checks:
            raise Invalid(f"unknown key {quote(key)}{suggest(key, checks)}")
    for key in required:
        if key not in value:
            raise Invalid(f'missing required key "{key}"')
    out = {}
    for key, item in value.items():
        try:
            out[key] = checks[key](item)
        except Invalid as exc:
            raise Invalid(f'key "{key}": {exc}') from None
    return out


_LISTING_CHECKS: dict[str, Callable[[Any], Any]] = {
    "url": _check_url, "links": _check_css, "item": _check_css, "headline": _check_css, "lede": _check_css,
    "date": _check_css, "next": _check_css, "max_pages": _check_pages,
}
_RULE_CHECKS: dict[str, Callable[[Any], Any]] = {
    "title": _check_css, "body": _check_css, "date": _check_css, "authors": _check_css, "drop": _check_css_list,
}


def _check_listings(value: Any) -> tuple[dict[str, Any], ...]:
    tables = value if isinstance(value, list) else [value]
    out: list[dict[str, Any]] = []
    for i, table in enumerate(tables, 1):
        try:
            listing = _check_table(table, _LISTING_CHECKS, ("url", "links"))
        except Invalid as exc:
            raise Invalid(f"listing {i}: {exc}" if len(tables) > 1 else str(exc)) from None
        if any(listing["url"] == seen["url"] for seen in out):
            raise Invalid(f"listing {i}: {quote(listing['url'])} is listed twice")
        out.append(listing)
    return tuple(out)


def _check_rules(value: Any) -> dict[str, Any]:
    return _check_table(value, _RULE_CHECKS, ())


def _check_patterns(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(f"expected a list of regular expressions, got {kind_of(value)}")
    for i, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise Invalid(f"item {i}: expected a string, got {kind_of(item)}")
        try:
            re.compile(item)
        except re.error as exc:
            raise Invalid(f"item {i}: invalid regular expression {quote(item)}: {exc}") from None
    return tuple(value)


# HTTP header names are RFC 9110 tokens; values must not be able to start another header line.
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# Headers a source may not set, and why: crosswire always says who it is, never sends credentials, and keeps the
# headers of its HTTP client and its conditional GETs to itself.
_REFUSED_HEADERS = {
    "user-agent": "crosswire always identifies itself with its own User-Agent",
    "authorization": "crosswire never sends credentials",
    "proxy-authorization": "crosswire never sends credentials",
    "cookie": "crosswire never sends credentials (nor cookies)",
    "host": "it is set from the URL",
    "content-length": "it is set by the HTTP client",
    "transfer-encoding": "it is set by the HTTP client",
    "connection": "it is set by the HTTP client",
    "if-none-match": "crosswire sets it for conditional GETs",
    "if-modified-since": "crosswire sets it for conditional GETs",
}


def _check_headers(value: Any) -> tuple[tuple[str, str], ...]:
    """A table of extra request headers (name = "value"), in the file's order."""
    if not isinstance(value, dict):
        raise Invalid(f'expected a table of header names and values like {{ Accept = "application/rss+xml" }}, '
                      f"got {kind_of(value)}")
    out: list[tuple[str, str]] = []
    for name, text in value.items():
        if not _TOKEN.match(name):
            raise Invalid(f"{quote(name)} is not an HTTP header name")
        if any(name.lower() == seen.lower() for seen, _ in out):
            raise Invalid(f"{quote(name)} is given twice (header names ignore case)")
        why = _REFUSED_HEADERS.get(name.lower())
        if why:
            raise Invalid(f"{quote(name)} cannot be set: {why}")
        if not isinstance(text, str):
            raise Invalid(f"{quote(name)}: expected a string, got {kind_of(text)}")
        if any(ch in text for ch in "\r\n\0") or len(text) > 1000:
            raise Invalid(f"{quote(name)}: expected one line of at most 1000 characters")
        out.append((name, text.strip()))
    return tuple(out)


def _check_checked(value: Any) -> date:
    """The date a source's routes were last confirmed: a TOML date (2026-12-01) or "YYYY-MM-DD"."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 else value
        except ValueError:
            pass
    if isinstance(value, datetime) or not isinstance(value, date):
        got = kind_of(value) if not isinstance(value, str) else quote(value)
        raise Invalid(f"expected a date like 2026-12-01, got {got}")
    # A day of slack: the file may have been written where the date was already tomorrow.
    tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
    if value > tomorrow:
        raise Invalid(f"{value.isoformat()} is in the future")
    return value


def _check_note(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {kind_of(value)}")
    text = " ".join(value.split())
    if not text:
        raise Invalid("must not be empty")
    if len(text) > 500:
        raise Invalid("expected at most 500 characters")
    return text


def _check_topics(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(f"expected a list of topic names, got {kind_of(value)}")
    known = load_topics()
    for i, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise Invalid(f"item {i}: expected a string, got {kind_of(item)}")
        if item not in known:
            raise Invalid(f"item {i}: unknown topic {quote(item)}{suggest(item, known)}")
    return tuple(value)


# Every key a [[source]] table may hold, in the order they are checked; one line per Source field.
CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": check_name,
    "homepage": _check_url,
    "title": _check_title,
    "feeds": _check_url_list,
    "language": _check_language,
    "country": _check_country,
    "tags": _check_tags,
    "delay": _check_delay,
    "concurrency": _check_concurrency,
    "enabled": _check_bool,
    "sitemaps": _check_sitemaps,
    "listing": _check_listings,
    "include": _check_patterns,
    "exclude": _check_patterns,
    "topics": _check_topics,
    "only_topics": _check_bool,
    "rules": _check_rules,
    "max_pages": _check_pages,
    "max_depth": _check_pages,
    "max_articles": _check_pages,
    "headers": _check_headers,
    "checked": _check_checked,
    "note": _check_note,
}
REQUIRED = ("name", "homepage")
# Keys a [defaults] table may set.
DEFAULTABLE = ("delay", "concurrency", "language")
