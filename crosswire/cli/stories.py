"""`crosswire stories`: list clustered stories; `stories recluster` rebuilds them; `stories update` adds new articles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from crosswire.cli.options import COUNT, archive, date_value, db_option, json_option, resolve_db, user_errors
from crosswire.cli.output import echo, echo_json
from crosswire.core.times import epoch_seconds
from crosswire.storage.archive import is_writable
from crosswire.storage.attention import query_ids
from crosswire.storage.stories import cluster_new, list_stories
from crosswire.storage.stories import recluster as recluster_archive


@click.group(invoke_without_command=True)
@db_option
@click.option("--since", metavar="DATE", default=None,
              help="Only stories with an article on or after this date (2026-01-31, 2026-01, or 7d, 2w … ago).")
@click.option("--query", "-q", metavar="Q", default=None,
              help="Only stories containing an article that matches this search query.")
@click.option("--min-outlets", type=COUNT, default=1, show_default=True,
              help="Only stories covered by this many outlets.")
@click.option("--limit", type=COUNT, default=50, show_default=True, help="Show at most this many stories (0: all).")
@json_option
@click.pass_context
@user_errors
def stories(ctx: click.Context, db_path: Path | None, since: str | None, query: str | None, min_outlets: int,
            limit: int, as_json: bool) -> None:
    """Stories: one event as covered by every outlet, newest first, with who reported it first.

    New articles are clustered first (the same as `crosswire stories update`), unless the archive is
    read-only.

    \b
    Example:
        crosswire stories --since 2026-02-01 --query "Idlib OR Ariha" --min-outlets 3
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
    ids = set(query_ids(db, query)) if query else None
    rows = list_stories(db, since=start, article_ids=ids, min_sources=min_outlets, limit=limit or None)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo("no stories", err=True)
        return
    echo(f"{'id':>5}  {'outlets':>7}  {'first report':<20} {'first by':<22} {'span':>6}  label")
    for s in rows:
        hours = (epoch_seconds(s["last_published"]) - epoch_seconds(s["first_published"])) / 3600
        echo(f"{s['id']:>5}  {s['source_count']:>7}  {s['first_published'][:16]:<20} "
                   f"{(s['first_source'] or '?'):<22} {hours:>5.1f}h  {s['label']}")


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
