"""`crosswire sources probe`: fetch each route of the chosen sources once and say which can be read from here."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import click

from crosswire.cli.options import (
    archive,
    date_value,
    db_option,
    json_option,
    resolve_sources,
    sources_option,
    user_errors,
)
from crosswire.cli.output import echo, echo_json, terminal_safe
from crosswire.core import exitcodes
from crosswire.core.errors import QueryError
from crosswire.core.sources import load_sources, select_sources
from crosswire.core.times import parse_iso
from crosswire.crawlers.probe import VERDICTS, ProbeOptions, RouteReport, age_text, probe_sources, record_reports


@click.command("probe")
@click.option("--source", "names", multiple=True, metavar="NAME",
              help="Probe this source (repeatable; a disabled one too) [default: every enabled source].")
@sources_option
@json_option
@click.option("--update", is_flag=True, help="Record what each route answered in the archive's feed health "
                                             "(what `crosswire status` shows); nothing else is written.")
@db_option
@click.option("--stale", "stale", metavar="SPAN", default="7d", show_default=True,
              help="A route whose newest entry is older than this is stale (12h, 7d, 30d …).")
@click.option("--timeout", type=click.FloatRange(1, 300), default=15.0, show_default=True,
              help="Seconds to wait for each answer.")
@click.option("--now", "now_iso", default=None, metavar="TIME",
              help="Judge entry ages as of this ISO time [default: now]: to reproduce a report.")
@user_errors
def probe(names: tuple[str, ...], sources_path: Path | None, as_json: bool, update: bool, db_path: Path | None,
          stale: str, timeout: float, now_iso: str | None) -> None:
    """Fetch each feed, sitemap and listing page of the sources once, politely (robots.txt obeyed, crosswire's
    User-Agent, a timeout, the source's delay), and report per route: HTTP status, robots.txt, entries, the newest
    entry's age, whether entries carry a lede or only a headline, and a verdict: ok, stale, empty, disallowed,
    blocked or broken.

    Run it on day one to see which outlets answer from your network, and after months to see which moved. It
    writes nothing but its report; with --update it also records each route's health in the archive. Exit 0
    when every route is ok, 3 when some route is not.

    \b
    Example:
        crosswire sources probe
        crosswire sources probe --source reuters --source ap
        crosswire sources probe --json | jq '.[] | select(.verdict != "ok")'
        crosswire sources probe --update --db war.db
    """
    now = parse_iso(now_iso) if now_iso else datetime.now(timezone.utc)
    if now is None:
        raise QueryError(f"--now: expected an ISO time, got {now_iso!r}")
    limit = parse_iso(date_value(stale, "--stale", now=now))
    if limit is None or limit >= now:
        raise QueryError(f"--stale: expected a span like 7d or 12h, got {stale!r}")
    sources = select_sources(load_sources(resolve_sources(sources_path)), names)
    db = archive(db_path, write=True) if update else None     # refused before anything is fetched
    try:
        reports = probe_sources(sources, ProbeOptions(now=now, stale_after=now - limit, timeout=timeout))
        if db is not None:
            record_reports(db, sources, reports, now=now)
    finally:
        if db is not None:
            db.close()
    if as_json:
        echo_json([r.to_dict() for r in reports])
    else:
        for line in render(reports, len(sources)):
            echo(line)
    if any(r.verdict != "ok" for r in reports):
        click.get_current_context().exit(exitcodes.PARTIAL)


COLUMNS = ("source", "route", "verdict", "HTTP", "robots", "entries", "newest", "carries", "url")


def render(reports: list[RouteReport], sources: int) -> list[str]:
    """Aligned columns, one line per route; then the count of each verdict and, per route not ok, why."""
    rows = [list(COLUMNS)] + [[r.source, r.kind, r.verdict, str(r.status or "-"), r.robots,
                               "-" if r.entries is None else str(r.entries), age_text(r.age_hours),
                               r.carries or "-", terminal_safe(r.url)] for r in reports]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    right = {3, 5}        # numbers
    lines = ["  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))
                       ).rstrip() for row in rows]
    counts = Counter(r.verdict for r in reports)
    lines.append(f"{len(reports)} route{'s' if len(reports) != 1 else ''} of {sources} source"
                 f"{'s' if sources != 1 else ''}: " + ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v]))
    lines += [f"  {r.source} {r.kind} {r.verdict}: {terminal_safe(r.reason or '')}  {terminal_safe(r.url)}"
              for r in reports if r.verdict != "ok"]
    return lines
