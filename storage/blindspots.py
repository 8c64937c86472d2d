"""Coverage balance read from the archive: the languages of stories and sources, the perspective groups, and the
stories a group left out while another carried them heavily ("blindspots"; crosswire.analysis.coverage says
what that means and scores it).

Three grouped queries serve a whole listing, whatever the number of stories: the stories with their outlets,
each outlet's hours with an article in the period (to tell a silent group from one that skipped a story), and
the sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterable

import sqlite_utils

from crosswire.analysis.coverage import Groups, Outlet, Rule, blindspot, language_code, members, ordered_languages
from crosswire.core.errors import QueryError
from crosswire.core.times import epoch_seconds, iso, parse_iso
from crosswire.storage.db import in_chunks

_WHEN = "coalesce(a.published, a.first_seen)"


def outlets(db: sqlite_utils.Database) -> dict[str, Outlet]:
    """Every source as the balance sees it: tags, country and language."""
    out = {}
    for name, tags, country, language in db.execute("select name, tags, country, language from sources"):
        try:
            parsed = json.loads(tags) if tags else []
        except ValueError:          # a hand-edited row: no tags rather than no listing
            parsed = []
        out[name] = Outlet(name, tuple(str(t) for t in parsed if t), (country or None) and country.upper(),
                           language_code(language))
    return out


def groups(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The perspective groups a blindspot can be asked for (every tag, and the country of each untagged source)
    with their sources and those sources' languages, largest group first."""
    known = outlets(db)
    names: dict[str, str] = {}          # lower-cased -> as first written: "Western" and "western" are one
    for outlet in known.values():
        for tag in outlet.tags:
            names.setdefault(tag.lower(), tag)
    for outlet in known.values():
        if not outlet.tags and outlet.country:
            names.setdefault(outlet.country.lower(), outlet.country)
    rows = []
    for name in names.values():
        sources = sorted(members(name, known))
        rows.append({"group": name, "sources": sources,
                     "languages": ordered_languages(known[s].language for s in sources)})
    rows.sort(key=lambda r: (-len(r["sources"]), r["group"].lower()))
    return rows


def story_languages(db: sqlite_utils.Database, story_ids: Iterable[int]) -> dict[int, list[str]]:
    """The languages each story is written in (an article's own language, else its source's), the most used
    first."""
    found: dict[int, list[str]] = {}
    for id_marks, chunk in in_chunks(sorted(set(story_ids))):
        for story_id, article_lang, source_lang in db.execute(
                f"select a.story_id, a.language, s.language from articles a left join sources s on s.name = a.source "
                f"where a.story_id in ({id_marks}) order by {_WHEN}, a.id", chunk):
            found.setdefault(story_id, []).append(language_code(article_lang, source_lang))
    return {story_id: ordered_languages(langs) for story_id, langs in found.items()}


def source_languages(db: sqlite_utils.Database) -> dict[str, str]:
    """Each source's language code ('und' when unknown)."""
    return {name: outlet.language for name, outlet in outlets(db).items()}


@dataclass(frozen=True)
class _Story:
    row: dict[str, Any]
    sources: set[str]


def _stories(db: sqlite_utils.Database, since: str | None, article_ids: set[int] | None,
             min_sources: int) -> list[_Story]:
    """Stories newest first with their outlets; only those since a date and containing one of `article_ids`."""
    where, params = ["st.source_count >= ?"], [min_sources]
    if since:
        where.append("st.last_published >= ?")
        params.append(since)
    clause = " and ".join(where)
    rows = {r["id"]: dict(r) for r in db.query(f"select st.* from stories st where {clause}", params)}
    sources: dict[int, set[str]] = {}
    for story_id, source in db.execute(f"select a.story_id, a.source from articles a join stories st on "
                                       f"st.id = a.story_id where {clause} group by a.story_id, a.source", params):
        sources.setdefault(story_id, set()).add(source)
    if article_ids is not None:
        wanted: set[int] = set()
        for id_marks, chunk in in_chunks(sorted(article_ids)):
            wanted.update(r[0] for r in db.execute(
                f"select distinct story_id from articles where id in ({id_marks}) and story_id is not null", chunk))
        rows = {k: v for k, v in rows.items() if k in wanted}
    ordered = sorted(rows.values(), key=lambda r: (r["first_published"] or "", r["id"]), reverse=True)
    return [_Story(r, sources.get(r["id"], set())) for r in ordered]


def _activity(db: sqlite_utils.Database, start: str | None) -> dict[str, list[int]]:
    """Each source's hours (seconds since the epoch // 3600) with an article, from `start` on, sorted."""
    sql = (f"select a.source, cast(strftime('%s', {_WHEN}) as integer) / 3600 as hour from articles a "
           f"where {_WHEN} is not null")
    params: list[Any] = []
    if start:
        sql += f" and {_WHEN} >= ?"
        params.append(start)
    activity: dict[str, list[int]] = {}
    for source, hour in db.execute(sql + " group by a.source, hour order by a.source, hour", params):
        if hour is not None:
            activity.setdefault(source, []).append(hour)
    return activity


def _window(story: dict[str, Any], rule: Rule) -> tuple[float, float]:
    margin = rule.margin_hours * 3600
    return epoch_seconds(story["first_published"]) - margin, epoch_seconds(story["last_published"]) + margin


def _earliest(stories: list[_Story], rule: Rule) -> str | None:
    """Where the activity a listing needs starts: a margin before its oldest story."""
    firsts = [parse_iso(s.row["first_published"]) for s in stories]
    oldest = min((f for f in firsts if f is not None), default=None)
    return iso(oldest - timedelta(hours=rule.margin_hours + 1)) if oldest else None


def blindspots(db: sqlite_utils.Database, group: str, *, since: str | None = None,
               article_ids: set[int] | None = None, rule: Rule = Rule(), limit: int | None = None) -> list[dict[str, Any]]:
    """Stories `group` left out while another group carried them heavily, newest first: each story row with its
    outlets, languages and why ({"blindspot": {"group", "carried_by", "skipped_by", "publishing", "share"},
    "heavy": [...]}). QueryError when no source belongs to `group`."""
    known = outlets(db)
    mine = members(group, known)
    if not mine:
        choices = ", ".join(g["group"] for g in groups(db)) or "none: add tags to the sources file"
        raise QueryError(f"no source has the tag or country {group!r}; perspective groups: {choices}")
    stories = _stories(db, since, article_ids, max(rule.min_outlets, 1))
    activity = _activity(db, _earliest(stories, rule))
    index = Groups.of(mine, known)
    out = []
    for story in stories:
        found = blindspot(story.sources, activity, _window(story.row, rule), index, rule)
        if found is None:
            continue
        out.append({**story.row, "sources": sorted(story.sources),
                    "blindspot": {"group": group, **found["own"]}, "heavy": found["heavy"]})
        if limit and len(out) >= limit:
            break
    languages = story_languages(db, [s["id"] for s in out])
    for row in out:
        row["languages"] = languages.get(row["id"], [])
    return out


def blindspot_counts(db: sqlite_utils.Database, *, since: str | None = None,
                     rule: Rule = Rule()) -> list[dict[str, Any]]:
    """Every perspective group (as `groups`) with the number of its blindspots."""
    known = outlets(db)
    stories = _stories(db, since, None, max(rule.min_outlets, 1))
    activity = _activity(db, _earliest(stories, rule))
    windows = [(story.sources, _window(story.row, rule)) for story in stories]
    rows = groups(db)
    for row in rows:
        index = Groups.of(set(row["sources"]), known)
        row["blindspots"] = sum(1 for sources, window in windows
                                if blindspot(sources, activity, window, index, rule, explain=False) is not None)
    return rows

