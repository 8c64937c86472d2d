"""`crosswire backup` and `crosswire vacuum`: keeping a long-lived database safe and compact."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import db_option, resolve_db, user_errors
from crosswire.core.errors import CrosswireError
from crosswire.core.times import now_utc, stamp
from crosswire.storage.maintenance import backup_database
from crosswire.storage.maintenance import vacuum as vacuum_database


def backup_target(path: Path, force: bool) -> Path:
    """The file to write: `path` itself, or a timestamped file inside it when it is a directory."""
    if path.is_dir():
        return path / f"crosswire-{stamp(now_utc())}.db"
    if path.exists() and not force:
        raise CrosswireError(f"{path} exists; pass --force to overwrite it, or give a directory")
    return path


@click.command()
@db_option
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@user_errors
def backup(db_path: Path | None, path: Path, force: bool) -> None:
    """Copy the database to PATH (a file, or a directory for a timestamped file); safe while a crawl runs.

    Example:

        crosswire backup ~/backups/            # crosswire-20260301T120000Z.db
        crosswire backup war-copy.db --force
    """
    source = resolve_db(db_path)
    target = backup_target(path, force)
    size = backup_database(source, target)
    click.echo(f"backed up {source} to {target} ({size / 1e6:.1f} MB, integrity ok)")


@click.command()
@db_option
@user_errors
def vacuum(db_path: Path | None) -> None:
    """Rebuild the database file to reclaim free space and optimise the search index (not during a crawl).

    Example:

        crosswire vacuum --db war.db
    """
    path = resolve_db(db_path)
    before, after = vacuum_database(path)
    click.echo(f"vacuumed {path}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
