"""`crosswire backup` and `crosswire vacuum`: keeping a long-lived database safe and compact."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import db_option, output_path, resolve_db, user_errors
from crosswire.cli.output import echo
from crosswire.core.errors import CrosswireError
from crosswire.core.times import now_utc, stamp
from crosswire.storage.maintenance import backup_database
from crosswire.storage.maintenance import vacuum as vacuum_database


def backup_target(path: str, force: bool) -> Path:
    """The file to write: `path` itself, or a timestamped file inside it when it is a directory or ends in a
    slash (the directory is created)."""
    target = output_path(path, f"crosswire-{stamp(now_utc())}.db")
    if target.exists() and not force:
        raise CrosswireError(f"{target} exists; pass --force to overwrite it, or give a directory")
    return target


@click.command()
@db_option
@click.argument("path", type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@user_errors
def backup(db_path: Path | None, path: str, force: bool) -> None:
    """Copy the database to PATH (a file, or a directory for a timestamped file); safe while a crawl runs.

    The copy is checked (PRAGMA integrity_check) before it is put in place; a damaged archive is refused.

    \b
    Example:
        crosswire backup backups/              # backups/crosswire-20260301T120000Z.db
        crosswire backup war-copy.db --force
    """
    source = resolve_db(db_path)
    target = backup_target(path, force)
    size = backup_database(source, target)
    echo(f"backed up {source} to {target} ({size / 1e6:.1f} MB, integrity ok)")


@click.command()
@db_option
@user_errors
def vacuum(db_path: Path | None) -> None:
    """Rebuild the database file to reclaim free space and optimise the search index (not during a crawl).

    \b
    Example:
        crosswire vacuum --db war.db
    """
    path = resolve_db(db_path)
    before, after = vacuum_database(path)
    echo(f"vacuumed {path}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
