"""Option decorators shared by every command, so flags read the same everywhere, and the error edge: every
problem a command meets ends as one line on stderr and a documented exit code (crosswire.core.exitcodes).

    db_option / sources_option / json_option    the shared flags
    archive(db_path)                             the archive a command reads (or, create=True, a crawl fills)
    output_path(path, name)                      "into this directory" for a trailing slash or a directory
    QueryCommand                                 a command whose query may start with '-' (search '-water')
    user_errors                                  the edge: crosswire errors, damage, unwritable paths → one line
"""

from __future__ import annotations

import errno
import functools
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import click
import sqlite_utils

from crosswire.cli.output import echo
from crosswire.core import exitcodes
from crosswire.core.errors import CrosswireError, LockedError
from crosswire.core.files import ensure_directory, reason
from crosswire.core.paths import default_db_path, default_sources_path
from crosswire.core.times import iso, now_utc, parse_iso
from crosswire.storage.archive import open_archive, translate
from crosswire.storage.query import parse_date

# Row ids are SQLite integers: a larger number is refused as a usage error rather than overflowing in SQLite.
ROW_ID = click.IntRange(0, 2**63 - 1)
COUNT = click.IntRange(0, 1_000_000)     # --limit and friends: large enough for any archive, never an overflow
_DB_KEY = "crosswire.db"    # click context meta: the archive a command is working on, for error lines
# OSErrors that mean a path cannot be written (rather than a bug): the backstop gives them CANT_WRITE.
_WRITE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EISDIR,
                 errno.EEXIST, errno.ENAMETOOLONG}


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


def redis_value(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> str | None:
    """Check a `--redis URL` (redis://HOST:PORT/DB, rediss://, unix://PATH); a wrong one is a usage error."""
    if value is None:
        return None
    from crosswire.crawlers.frontier import check_url   # only a command given --redis pays for the client

    try:
        return check_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`--json`: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(fn)


def resolve_db(db_path: Path | None) -> Path:
    """The database path the user meant: --db wins, then $CROSSWIRE_DB, then the data directory (nothing is
    created here: reading commands refuse a missing archive, a crawl creates it)."""
    path = db_path or default_db_path()
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[_DB_KEY] = path
    return path


def current_db() -> Path | None:
    """The archive the running command works on (for error lines), once resolve_db has named it."""
    context = click.get_current_context(silent=True)
    return context.meta.get(_DB_KEY) if context is not None else None


def archive(db_path: Path | None, *, create: bool = False, write: bool = False) -> sqlite_utils.Database:
    """Open the archive the user meant: an existing one (read-only when the file is), or with `create` the one a
    crawl fills; `write` for commands that change it. Every problem is one line (see crosswire.storage.archive)."""
    return open_archive(resolve_db(db_path), create=create, write=write)


def resolve_sources(sources_path: Path | None) -> Path:
    """The sources file the user meant."""
    return sources_path or default_sources_path()


def output_option(*names: str, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An output path option kept as typed (a Path would drop the trailing slash that means "into this
    directory"); pass it through output_path."""
    return click.option(*names, type=click.Path(), default=None, help=help)


def output_path(path: str | Path, default_name: str) -> Path:
    """Where to write: `path` itself, or `path/default_name` when `path` ends in a slash or is an existing
    directory (created, with its parents, if needed)."""
    if str(path).endswith(("/", os.sep)) or Path(path).is_dir():
        return ensure_directory(Path(path)) / default_name
    return Path(path)


def date_value(value: str | None, option: str, *, now: datetime | None = None) -> str | None:
    """A --since/--until value as a stored ISO time: an ISO time as given, else a date or a span like 7d before
    `now` (QueryError naming `option` when it is neither)."""
    if not value:
        return None
    moment = parse_iso(value) if len(value) > 10 else None
    return iso(moment) if moment is not None else parse_date(value, now=now or now_utc(), key=option)


class QueryCommand(click.Command):
    """A command whose QUERY words may start with '-' (`crosswire search -water`): a single-dash argument that is
    not one of the command's own options is query text; `--anything` stays an option (a typo is reported), and
    `--` still ends the options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Move query words that look like options after a `--`, then parse as usual."""
        names = {name for param in self.get_params(ctx) for name in (*param.opts, *param.secondary_opts)}
        takes_value = {name for param in self.get_params(ctx) if isinstance(param, click.Option)
                       and not param.is_flag and not param.count for name in param.opts}
        options: list[str] = []
        words: list[str] = []
        rest = list(args)
        while rest:
            arg = rest.pop(0)
            if arg == "--":
                words += rest
                break
            name = arg.split("=", 1)[0]
            if arg.startswith("-") and not arg.startswith("--") and len(arg) > 1 and name not in names:
                words.append(arg)       # -water, -"press tv": a word to leave out (--water stays a bad option)
            elif name in names or arg.startswith("--"):
                options.append(arg)
                if arg in takes_value and rest:
                    options.append(rest.pop(0))
            else:
                words.append(arg)
        return super().parse_args(ctx, options + (["--", *words] if words else []))


def _fail(message: str, code: int) -> None:
    """One line on stderr, then exit with `code`."""
    echo(f"Error: {message}", err=True)
    click.get_current_context().exit(code)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The error edge: crosswire's own errors, SQLite's word for a damaged or read-only archive, and a path that
    cannot be written each become one line with their exit code (75 for another crawl's lock)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LockedError as exc:
            echo(f"crosswire: {exc}", err=True)
            click.get_current_context().exit(exitcodes.LOCKED)
        except CrosswireError as exc:
            _fail(str(exc), exc.exit_code)
        except sqlite3.DatabaseError as exc:
            db_path = current_db()
            meant = translate(exc, db_path)
            if meant is None:
                _fail(f"{db_path or 'the archive'}: {exc}", exitcodes.ERROR)
            else:
                _fail(str(meant), meant.exit_code)
        except BrokenPipeError:
            # The reader stopped reading (`| head`): not an error of ours, and nothing more to say.
            _quiet_stdout()
        except OSError as exc:
            where = exc.filename or "crosswire"
            _fail(f"{where}: {reason(exc)}", exitcodes.CANT_WRITE if exc.errno in _WRITE_ERRNOS else exitcodes.ERROR)

    return wrapper


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so Python's flush at exit does not complain about the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
