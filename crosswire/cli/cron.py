"""`crosswire cron`: print a crontab line with absolute paths, ready to install."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click
import platformdirs

from crosswire.cli.options import (
    db_option,
    resolve_db,
    resolve_sources,
    sources_option,
    user_errors,
)
from crosswire.cli.output import echo
from crosswire.core.errors import CrosswireError


def executable() -> list[str]:
    """The absolute command that runs this crosswire: the `crosswire` script beside this Python, else `-m`."""
    python = Path(sys.executable).absolute()
    script = python.parent / "crosswire"
    return [str(script)] if script.exists() else [str(python), "-m", "crosswire"]


def schedule(every: int) -> str:
    """The five cron time fields for a run every `every` minutes (a divisor of 60, or whole hours)."""
    if 0 < every < 60 and 60 % every == 0:
        return "* * * * *" if every == 1 else f"*/{every} * * * *"
    if every > 0 and every % 60 == 0 and 24 % (every // 60) == 0:
        hours = every // 60
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    raise CrosswireError(f"--every {every}: use a divisor of 60 minutes (5, 10, 15, 20, 30) or whole hours "
                         f"dividing a day (60, 120, 180, 240, 360, 480, 720, 1440)")


def default_log_file() -> Path:
    """crawl.log in the user's log directory."""
    return Path(platformdirs.user_log_dir("crosswire")) / "crawl.log"


def crontab_line(every: int, db: Path, sources: Path, log_file: Path) -> str:
    """The crontab line: a quiet crawl of what is due, logging to `log_file` (cron mails only errors)."""
    command = [*executable(), "crawl", "--quiet", "--db", str(db.absolute()), "--sources",
               str(sources.absolute()), "--log-file", str(log_file.absolute())]
    # cron runs commands through /bin/sh; quote each path, and `%` is special to cron so escape it.
    return f"{schedule(every)} " + " ".join(shlex.quote(part) for part in command).replace("%", r"\%")


@click.command()
@db_option
@sources_option
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where the crawl appends its log [default: crawl.log in the user log directory].")
@click.option("--every", type=int, default=15, show_default=True, metavar="MINUTES",
              help="How often cron starts a crawl; each run only polls the feeds that are due.")
@user_errors
def cron(db_path: Path | None, sources_path: Path | None, log_file: Path | None, every: int) -> None:
    """Print a ready crontab line (absolute paths) that runs `crosswire crawl --quiet` on a schedule.

    Install it without losing your other entries:

    \b
    Example:
        (crontab -l 2>/dev/null; crosswire cron --db ~/war.db) | crontab -
    """
    echo(crontab_line(every, resolve_db(db_path), resolve_sources(sources_path),
                            log_file or default_log_file()))
