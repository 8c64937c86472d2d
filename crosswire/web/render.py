"""Pure helpers the templates use: highlighted snippets, paragraphs, dates, lags, and editing query text."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import nh3
from markupsafe import Markup

from crosswire.core.errors import QueryError

# Private-use markers survive the FTS snippet untouched; they become <mark> only after the text is escaped.
MARK_START, MARK_END = "\ue000", "\ue001"
MARKS = (MARK_START, MARK_END)


def highlight(snippet: str | None) -> Markup:
    """A search snippet as safe HTML: everything escaped, then the match markers turned into <mark>."""
    escaped = html.escape(" ".join((snippet or "").split()), quote=True)
    marked = escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    # nh3 balances tags a hostile text could unbalance (it may itself contain the marker characters).
    return Markup(nh3.clean(marked, tags={"mark"}, attributes={}))


def paragraphs(text: str | None) -> list[str]:
    """The article body as a list of paragraphs (split on blank lines), each with its whitespace tidied."""
    out = []
    for block in re.split(r"\n\s*\n", text or ""):
        lines = [" ".join(line.split()) for line in block.splitlines()]
        block = "\n".join(line for line in lines if line)
        if block:
            out.append(block)
    return out


def when(value: str | None) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM UTC' (or just the date when it has no time), '' when missing."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return moment.date().isoformat()
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def day(value: str | None) -> str:
    """An ISO timestamp's date part."""
    return (value or "")[:10]


def lag(seconds: float | None) -> str:
    """A delay as '+2h 05m' / '+3d 4h' / 'first'."""
    if seconds is None:
        return ""
    if seconds <= 0:
        return "first"
    minutes = int(round(seconds / 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"+{days}d {hours}h"
    if hours:
        return f"+{hours}h {mins:02d}m"
    return f"+{mins}m"


def quote_value(value: str) -> str:
    """A filter value as query text: quoted when it holds spaces."""
    return f'"{value}"' if re.search(r"\s", value) else value


def with_filter(query: str, key: str, value: str) -> str:
    """`query` with every `key:` filter replaced by `key:value` (a facet click narrows, never ORs)."""
    kept = remove_filter(query, key)
    return f"{kept} {key}:{quote_value(value)}".strip()


def remove_filter(query: str, key: str) -> str:
    """`query` without any `key:` filter."""
    return " ".join(re.sub(rf'(?<!\S){key}:("[^"]*"|\S+)', " ", query, flags=re.I).split())


def month_range(query: str, month: str) -> str:
    """`query` limited to one calendar month (YYYY-MM), replacing any since:/until:."""
    base = remove_filter(remove_filter(query, "since"), "until")
    return f"{base} since:{month} until:{month}".strip()


HOME_FILTERS = ("source", "country", "tag", "since", "until")


def filters_query(filters: dict[str, str]) -> str:
    """The search query text for the home page's filter menus (so the same parser checks them)."""
    parts = []
    for key in HOME_FILTERS:
        value = (filters.get(key) or "").strip()
        if not value:
            continue
        if '"' in value:
            raise QueryError(f"{key}: a filter value cannot contain a double quote")
        parts.append(f"{key}:{quote_value(value)}")
    return " ".join(parts)
