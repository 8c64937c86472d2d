"""Option decorators shared by every command, so flags read the same everywhere."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import click

from crosswire.core import exitcodes
from crosswire.core.errors import CrosswireError, LockedError
from crosswire.core.paths import default_db_path, default_sources_path


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`--db PATH`: the SQLite file; defaults to $CROSSWIRE_DB or the user's data directory."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="SQLite database file [default: $CROSSWIRE_DB, else the user data directory].",
    )(fn)


def sources_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`--sources PATH`: the TOML sources file; defaults to $CROSSWIRE_SOURCES or the bundled list."""
    return click.option(
        "--sources", "sources_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Sources file (TOML) [default: $CROSSWIRE_SOURCES, else the bundled list].",
    )(fn)


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`--json`: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(fn)


def resolve_db(db_path: Path | None) -> Path:
    """The database path the user meant: --db wins, then $CROSSWIRE_DB, then the data directory."""
    path = db_path or default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def resolve_sources(sources_path: Path | None) -> Path:
    """The sources file the user meant."""
    return sources_path or default_sources_path()


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn crosswire's own exceptions into one clear line: exit 75 (EX_TEMPFAIL) when another crawl holds
    the database's lock, exit 1 for every other user error."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LockedError as exc:
            click.echo(f"crosswire: {exc}", err=True)
            click.get_current_context().exit(exitcodes.LOCKED)
        except CrosswireError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper
