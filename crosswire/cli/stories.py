"""`crosswire stories`: list clustered stories (or one group's blindspots); `stories recluster` rebuilds them;
`stories update` adds new articles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from crosswire.analysis.coverage import Rule
from crosswire.cli.options import COUNT, archive, date_value, db_option, json_option, resolve_db, user_errors
from crosswire.cli.output import echo, echo_json
from crosswire.core.times import epoch_seconds
from crosswire.storage.archive import is_writable
from crosswire.storage.attention import query_ids
from crosswire.storage.blindspots import blindspots, story_languages
from crosswire.storage.stories import cluster_new, list_stories
from crosswire.storage.stories import recluster as recluster_archive


@click.group(invoke_without_command=True)
@db_option
@click.option("--since", metavar="DATE", default=None,
              help="Only stories with an article on or after this date (2026-01-31, 2026-01, or 7d, 2w … ago).")
@click.option("--query", "-q", metavar="Q", default=None,
              help="Only stories containing an article that matches this search query.")
@click.option("--min-outlets", type=COUNT, default=None,
              help="Only stories covered by this many outlets [default: 1; 3 with --blindspot].")
@click.option("--blindspot", metavar="GROUP", default=None,
              help="Only stories this perspective group (a tag such as russian-state, else a country code) "
                   "carried little while another group carried them heavily; described above.")
@click.option("--little", type=click.FloatRange(0, 1), default=Rule.little, show_default=True,
              help="With --blindspot: the most of GROUP's publishing outlets that may have carried the story.")
@click.option("--heavy", type=click.FloatRange(0, 1, min_open=True), default=Rule.heavy, show_default=True,
              help="With --blindspot: the least of another group's publishing outlets that must have carried it.")
@click.option("--limit", type=COUNT, default=50, show_default=True, help="Show at most this many stories (0: all).")
@json_option
@click.pass_context
@user_errors
def stories(ctx: click.Context, db_path: Path | None, since: str | None, query: str | None,
            min_outlets: int | None, blindspot: str | None, little: float, heavy: float, limit: int,
            as_json: bool) -> None:
    """Stories: one event as covered by every outlet, newest first, with who reported it first and the
    languages it was told in.

    New articles are clustered first (the same as `crosswire stories update`), unless the archive is
    read-only.

    --blindspot GROUP lists the stories GROUP left out, as Ground News does for left and right, here across
    perspectives and languages. An outlet is publishing during a story when it published anything from a day
    before the story's first report to a day after its last; a group's share of a story is how many of its
    publishing outlets carried it. A story is a blindspot of GROUP when GROUP's share is at most --little
    (0.25: none of up to three outlets, one of four), another group's share is at least --heavy (0.5), and at
    least --min-outlets outlets (3) carried it. A group that published nothing then is not blamed. GROUP is
    every source with that tag, else every source of that country; the other groups are each source's first
    tag, else its country.

    \b
    Example:
        crosswire stories --since 2026-02-01 --query "Idlib OR Ariha" --min-outlets 3
        crosswire stories --blindspot russian-state --since 30d
        crosswire stories recluster --db war.db
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"db_path": db_path}
        return

    start = date_value(since, "--since")
    path = resolve_db(db_path)
    db = archive(path)
    if is_writable(path):   # a read-only archive is listed as it was last clustered
        cluster_new(db)
    for name in ("little", "heavy"):
        if blindspot is None and ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
            raise click.UsageError(f"--{name} goes with --blindspot GROUP")
    ids = set(query_ids(db, query)) if query else None
    if blindspot is not None:
        rule = Rule(little=little, heavy=heavy, min_outlets=3 if min_outlets is None else min_outlets)
        _print_blindspots(blindspots(db, blindspot, since=start, article_ids=ids, rule=rule, limit=limit or None),
                          blindspot, as_json)
        return
    rows = list_stories(db, since=start, article_ids=ids, min_sources=min_outlets or 1, limit=limit or None)
    languages = story_languages(db, [s["id"] for s in rows])
    for row in rows:
        row["languages"] = languages.get(row["id"], [])
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo("no stories", err=True)
        return
    echo(f"{'id':>5}  {'outlets':>7}  {'languages':<10} {'first report':<17} {'first by':<22} {'span':>6}  label")
    for s in rows:
        hours = (epoch_seconds(s["last_published"]) - epoch_seconds(s["first_published"])) / 3600
        echo(f"{s['id']:>5}  {s['source_count']:>7}  {_languages(s['languages']):<10} {s['first_published'][:16]:<17} "
             f"{(s['first_source'] or '?'):<22} {hours:>5.1f}h  {s['label']}")


def _languages(codes: list[str], shown: int = 3) -> str:
    """'en ar ru', or 'en ar ru +2' for a story told in five languages."""
    return " ".join(codes[:shown]) + (f" +{len(codes) - shown}" if len(codes) > shown else "")


def _print_blindspots(rows: list[dict[str, Any]], group: str, as_json: bool) -> None:
    """The blindspot table: each story, how much of the group carried it, and which groups carried it heavily."""
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo(f"no blindspots of {group}", err=True)
        return
    echo(f"{'id':>5}  {'outlets':>7}  {'languages':<10} {'first report':<17} {group[:16]:>16}  label")
    for s in rows:
        own = s["blindspot"]
        carried = f"{len(own['carried_by'])} of {own['publishing']}"
        echo(f"{s['id']:>5}  {s['source_count']:>7}  {_languages(s['languages']):<10} {s['first_published'][:16]:<17} "
             f"{carried:>16}  {s['label']}")
        echo(f"{'':>7}carried by " + ", ".join(f"{h['group']} {len(h['carried_by'])}/{h['publishing']}"
                                             for h in s["heavy"]))


@stories.command()
@db_option
@click.pass_context
@user_errors
def recluster(ctx: click.Context, db_path: Path | None) -> None:
    """Forget every story and cluster the whole archive again.

    \b
    Example:
        crosswire stories recluster --db war.db
    """
    _run_on_archive(ctx, db_path, recluster_archive)


@stories.command()
@db_option
@click.pass_context
@user_errors
def update(ctx: click.Context, db_path: Path | None) -> None:
    """Cluster the articles that have no story yet (a crawl does this itself).

    \b
    Example:
        crosswire stories update --db war.db
    """
    _run_on_archive(ctx, db_path, cluster_new)


def _run_on_archive(ctx: click.Context, db_path: Path | None, run: Any) -> None:

    # --db given after the subcommand wins over one given to `crosswire stories`.
    db = archive(db_path or ctx.obj["db_path"], write=True)
    echo(run(db).line())
