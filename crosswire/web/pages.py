"""The HTML pages. Each handler reads through crosswire.storage (and the comparison report of
crosswire.exports.report) and renders a template."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from crosswire.analysis.coverage import Rule
from crosswire.core.errors import QueryError
from crosswire.core.times import parse_iso
from crosswire.exports.charts import png
from crosswire.exports.report import story_report
from crosswire.storage.attention import BY, INTERVALS, Cell, attention
from crosswire.storage.browse import (
    facet_counts,
    filter_choices,
    latest_story_time,
    newest_article_id,
)
from crosswire.storage.blindspots import blindspot_counts, blindspots, story_languages
from crosswire.storage.health import last_run, list_errors, source_health
from crosswire.storage.query import parse_date, parse_query
from crosswire.storage.revisions import versions
from crosswire.storage.saved import list_searches
from crosswire.storage.search import SORTS, get_article, matching_ids, search
from crosswire.storage.stories import get_story, list_stories
from crosswire.web import charts, render
from crosswire.web.feeds import search_feed, source_feed, story_feed
from crosswire.web.security import safe_url

PAGE_SIZE = 20
HOME_SIZE = 30
ACTIVE_DAYS = 3          # a story is "active" when it had an article within this of the newest story's last one
STORIES_LIMIT = 100
MAX_ROW_ID = 2**63 - 1  # SQLite's largest integer
ERRORS_SHOWN = 500      # the sources page lists the last day's errors up to this many
BLINDSPOT_DAYS = 30     # the Blindspots page looks this far back from the newest story unless told a date


def _page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page", "1")), 10_000))
    except ValueError:
        return 1


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render `template` with the reader's shared context."""
    templates = request.app.state.reader.templates
    context.setdefault("feeds", [])
    if "titles" not in context:  # outlet names as people know them, for every page that lists articles
        context["titles"] = dict(filter_choices(_db(request))["sources"])
    return templates.TemplateResponse(request, template, context, status_code=status)


def _db(request: Request) -> Any:
    return request.app.state.reader.db()


def row_id(request: Request, name: str) -> int:
    """A path's numeric id, refused with a 400 when SQLite could not hold it (the route only checks digits)."""
    value: int = request.path_params[name]
    if value > MAX_ROW_ID:
        raise QueryError(f"{name.replace('_', ' ')} {value} is out of range")
    return value


def home(request: Request) -> Response:
    """Latest articles (filterable by outlet, country, tag, date) and the stories active now."""
    db = _db(request)
    params = request.query_params
    filters = {key: params.get(key, "").strip() for key in render.HOME_FILTERS}
    number = _page_number(request)
    error, hits = None, []
    query_text = ""
    try:
        query_text = render.filters_query(filters)
        hits = search(db, query_text, sort="date", limit=HOME_SIZE + 1, offset=(number - 1) * HOME_SIZE,
                      mark=render.MARKS)
    except QueryError as exc:
        error = str(exc)
    latest = latest_story_time(db)
    stories = []
    if latest and not error:
        since = parse_date(f"{ACTIVE_DAYS}d", now=parse_iso(latest))
        stories = _with_languages(db, list_stories(db, since=since, min_sources=2, limit=8))
    choices = filter_choices(db)
    only_source = filters["source"] and not any(filters[k] for k in render.HOME_FILTERS if k != "source")
    feeds = [source_feed(filters["source"])] if only_source else [search_feed(query_text)]
    return page(request, "home.html", {
        "hits": hits[:HOME_SIZE], "more": len(hits) > HOME_SIZE, "number": number, "filters": filters,
        "choices": choices, "titles": dict(choices["sources"]), "stories": stories, "error": error,
        "query_text": query_text, "feeds": feeds, "saved": _saved_searches(db),
    }, status=400 if error else 200)


def _saved_searches(db: Any) -> list[dict[str, Any]]:
    """The saved searches (`crosswire searches add`), each with its feed."""
    return [{**row, "feed": search_feed(row["query"])} for row in list_searches(db)]


def search_page(request: Request) -> Response:
    """Search with the CLI's query syntax: ranked or by date, highlighted snippets, paging, facets."""
    db = _db(request)
    params = request.query_params
    q = params.get("q", "").strip()
    sort = params.get("sort", "rank") if params.get("sort") in SORTS else "rank"
    all_copies = params.get("all") == "1"
    number = _page_number(request)
    context: dict[str, Any] = {"q": q, "sort": sort, "all_copies": all_copies, "number": number, "hits": [],
                               "total": 0, "pages": 0, "facets": None, "error": None, "feeds": []}
    if not q:
        return page(request, "search.html", context)
    try:
        query = parse_query(q)
        facets = facet_counts(db, query, all_copies=all_copies)
        hits = search(db, query, sort=sort, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
                      all_copies=all_copies, mark=render.MARKS) if facets.total else []
    except QueryError as exc:
        context["error"] = str(exc)
        return page(request, "search.html", context, status=400)
    context.update(hits=hits, total=facets.total, pages=math.ceil(facets.total / PAGE_SIZE),
                   facets=facets if facets.total else None, feeds=[search_feed(q)],
                   offset=(number - 1) * PAGE_SIZE)
    return page(request, "search.html", context)


def article_page(request: Request) -> Response:
    """One article: outlet, date, authors, link to the original, its text, earlier versions and copies."""
    db = _db(request)
    article_id = row_id(request, "article_id")
    record = get_article(db, article_id)
    if record is None:
        raise HTTPException(404, f"no stored article #{article_id}")
    story = get_story(db, record["story_id"]) if record.get("story_id") else None
    feeds = [source_feed(record["source"], record.get("outlet"))] if record.get("source") else []
    if story:
        feeds.append(story_feed(story["id"], story["label"]))
    return page(request, "article.html", {
        "a": record, "versions": _earlier_versions(db, article_id), "story": story, "feeds": feeds,
        "original": safe_url(record.get("url")),
    })


def _earlier_versions(db: Any, article_id: int) -> list[Any]:
    """The article's replaced versions, newest first."""
    return [v for v in reversed(versions(db, article_id)) if not v.current]


def stories_page(request: Request) -> Response:
    """Stories (events covered by several outlets), newest first; optionally those matching a query."""
    db = _db(request)
    params = request.query_params
    q, since = params.get("q", "").strip(), params.get("since", "").strip()
    try:
        min_sources = max(1, min(int(params.get("min", "2")), 100))
    except ValueError:
        min_sources = 2
    context: dict[str, Any] = {"q": q, "since": since, "min": min_sources, "stories": [], "error": None}
    try:
        since_iso = parse_date(since, now=request.app.state.reader.now(), key="since") if since else None
        ids = {i for i, _ in matching_ids(db, q, all_copies=True)} if q else None
        context["stories"] = _with_languages(db, list_stories(db, since=since_iso, article_ids=ids,
                                                              min_sources=min_sources, limit=STORIES_LIMIT))
    except QueryError as exc:
        context["error"] = str(exc)
        return page(request, "stories.html", context, status=400)
    return page(request, "stories.html", context)


def _with_languages(db: Any, stories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stories, each with the languages it was told in."""
    languages = story_languages(db, [s["id"] for s in stories])
    return [{**s, "languages": languages.get(s["id"], [])} for s in stories]


def _fraction(params: Any, key: str, default: float) -> float:
    """A share between 0 and 1 from the URL (QueryError for anything else)."""
    raw = params.get(key, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise QueryError(f"{key} must be a share between 0 and 1, like 0.25; got {raw!r}")
    return value


def blindspots_page(request: Request) -> Response:
    """Stories one perspective group left out while another carried them heavily; without a group, every
    group with how many blindspots it has."""
    db = _db(request)
    params = request.query_params
    group, since = params.get("group", "").strip(), params.get("since", "").strip()
    context: dict[str, Any] = {"group": group, "since": since, "little": params.get("little", ""),
                               "heavy": params.get("heavy", ""), "min": params.get("min", ""), "rule": Rule(),
                               "groups": [], "stories": [], "error": None, "since_shown": "",
                               "days": BLINDSPOT_DAYS}
    try:
        minimum = params.get("min", "").strip()
        if minimum and not (minimum.isdigit() and 1 <= int(minimum) <= 1000):
            raise QueryError(f"min must be a number of outlets from 1 to 1000; got {minimum!r}")
        rule = Rule(little=_fraction(params, "little", Rule.little), heavy=_fraction(params, "heavy", Rule.heavy),
                    min_outlets=int(minimum) if minimum else Rule.min_outlets)
        context["rule"] = rule
        if since:
            since_iso = parse_date(since, now=request.app.state.reader.now(), key="since")
        else:   # recent stories by default: a year of archive takes seconds to weigh for every group
            latest = parse_iso(latest_story_time(db))
            since_iso = (latest - timedelta(days=BLINDSPOT_DAYS)).isoformat(timespec="seconds") if latest else None
        context["since_shown"] = (since_iso or "")[:10]
        context["groups"] = blindspot_counts(db, since=since_iso, rule=rule)
        if group:
            context["stories"] = blindspots(db, group, since=since_iso, rule=rule, limit=STORIES_LIMIT)
    except QueryError as exc:
        context["error"] = str(exc)
        return page(request, "blindspots.html", context, status=400)
    return page(request, "blindspots.html", context)


def story_page(request: Request) -> Response:
    """How outlets covered one story: timeline, side by side, distinctive words, missing facts, attention."""
    db = _db(request)
    story_id = row_id(request, "story_id")
    story = get_story(db, story_id)
    if story is None:
        raise HTTPException(404, f"no story #{story_id}")
    view = story_report(db, story_id)
    # Each outlet's first article in the story, for links from the side-by-side view.
    view["article_of"] = {}
    for entry in view["timeline"]:
        view["article_of"].setdefault(entry["source"], entry["article_id"])
    return page(request, "story.html", {"story": story, "view": view, "attention": charts.story_view(view),
                                        "feeds": [story_feed(story_id, story["label"])]})


def _attention_view(request: Request) -> charts.AttentionView:
    """The attention options from the URL, checked (QueryError for bad ones)."""
    params = request.query_params
    view = charts.AttentionView(q=params.get("q", "").strip(), by=params.get("by", "source"),
                                interval=params.get("interval", "day"), since=params.get("since", "").strip(),
                                until=params.get("until", "").strip())
    if view.by not in BY or view.interval not in INTERVALS:
        raise QueryError(f"by must be one of {', '.join(BY)} and interval one of {', '.join(INTERVALS)}")
    return view


def _attention_cells(request: Request, view: charts.AttentionView) -> list[Cell]:
    """The attention table of a checked view."""
    now = request.app.state.reader.now()
    since = parse_date(view.since, now=now, key="since") if view.since else None
    until = parse_date(view.until, now=now, end=True, key="until") if view.until else None
    return attention(_db(request), view.q, by=view.by, interval=view.interval, since=since, until=until)


def attention_page(request: Request) -> Response:
    """How much each outlet (country, perspective tag) covered a query over time, as a chart and a table."""
    context: dict[str, Any] = {"view": None, "totals": [], "error": None, "q": request.query_params.get("q", "")}
    try:
        view = _attention_view(request)
        context["view"] = view
        if view.q:
            context["totals"] = charts.group_totals(_attention_cells(request, view))
            context["feeds"] = [search_feed(view.q)]
    except QueryError as exc:
        context["error"] = str(exc)
        return page(request, "attention.html", context, status=400)
    return page(request, "attention.html", context)


def attention_png(request: Request) -> Response:
    """The attention chart as a PNG image."""
    view = _attention_view(request)
    if not view.q:
        raise QueryError("the attention chart needs a query (q=...)")
    # Keyed on the newest article id too: a crawl that added articles makes a new chart.
    newest = newest_article_id(_db(request))
    body = request.app.state.reader.charts.get(
        (view, newest), lambda: png(_attention_cells(request, view), view.title()))
    return Response(body, media_type="image/png", headers={"cache-control": "max-age=300"})


def sources_page(request: Request) -> Response:
    """Every source's and feed's health, and the errors of the last day: the same facts as `crosswire status`."""
    db = _db(request)
    now = request.app.state.reader.now()
    errors: dict[str, list[dict[str, Any]]] = {}
    for row in list_errors(db, since=(now - timedelta(days=1)).isoformat(timespec="seconds"), limit=ERRORS_SHOWN):
        errors.setdefault(row["source"], []).append(row)
    return page(request, "sources.html", {"sources": source_health(db, now), "run": last_run(db),
                                          "titles": dict(filter_choices(db)["sources"]), "errors": errors})
