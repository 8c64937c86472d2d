"""The `crosswire` command: a thin click group; each command lives in its own module here.

    crawl.py        crawl            gather what is due           demo.py      demo      the offline tour
    extract.py      extract          one page → Article JSON      sources.py   sources   list, check, add
    search.py       search           full-text search             show.py      show      one article
    history.py      history          an article's revisions       export.py    export    feeds and data
    duplicates.py   duplicates       copy families                stories.py   stories   stories, recluster
    compare.py      compare          one story, outlet by outlet  attention.py attention coverage over time
    status.py       status           is every outlet collected    serve.py     serve     the web reader
    searches.py     searches         saved searches               opml.py      opml      OPML in and out
    cron.py         cron             a crontab line               maintenance.py backup, vacuum
    worker.py       worker           fetch for `crawl --redis`
    options.py      the options every command shares (--db, --sources, --json), output paths, and the error edge
    output.py       everything printed goes through here: escape sequences from strangers' text removed

Commands parse their options, call one function of the library, and print. A command's module is imported
only when that command runs, so `crosswire search` never pays for Scrapy's import. Every problem ends as one
line on stderr and an exit code of crosswire.core.exitcodes, usage mistakes included (LazyGroup.main).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from crosswire import __version__
from crosswire.cli.exiting import exit_now, teardown_skipped
from crosswire.cli.output import echo

# command name -> "module:attribute", in the order `crosswire --help` lists them.
COMMANDS = {
    "crawl": "crawl:crawl",
    "cron": "cron:cron",
    "demo": "demo:demo",
    "export": "export:export",
    "opml": "opml:opml",
    "search": "search:search",
    "searches": "searches:searches",
    "show": "show:show",
    "serve": "serve:serve",
    "backup": "maintenance:backup",
    "vacuum": "maintenance:vacuum",
    "extract": "extract:extract",
    "sources": "sources:sources",
    "status": "status:status",
    "history": "history:history",
    "duplicates": "duplicates:duplicates",
    "stories": "stories:stories",
    "compare": "compare:compare",
    "attention": "attention:attention",
    "worker": "worker:worker",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: Any = getattr(importlib.import_module(f"crosswire.cli.{module_name}"), attribute)
        return command

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Run the command line; a usage mistake is one line (not click's usage block) and exit 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
            echo(f"Error: {exc.format_message()}{hint}", err=True)
            code = exc.exit_code
        except click.ClickException as exc:
            echo(f"Error: {exc.format_message()}", err=True)
            code = exc.exit_code
        except click.Abort:
            echo("Aborted.", err=True)
            code = 1
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            if not (args is None and teardown_skipped()):
                raise
        code = code if isinstance(code, int) else 0
        if args is None and teardown_skipped():     # the real command line, not an in-process call
            exit_now(code)
        sys.exit(code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crosswire")
def main() -> None:
    """Gather conflict coverage from many outlets, keep each article once, search, compare and re-publish it."""
