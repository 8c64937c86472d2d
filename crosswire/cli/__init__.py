"""The `crosswire` command: a thin click group; each command lives in its own module here."""

from __future__ import annotations

import click

from crosswire import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crosswire")
def main() -> None:
    """Gather conflict coverage from many outlets, keep each article once, search, compare and re-publish it."""


# Command registration: one line per command module (keep alphabetical-ish, one per line to avoid conflicts).
def _register() -> None:
    import importlib

    for module_name, command_names in _COMMANDS:
        module = importlib.import_module(f"crosswire.cli.{module_name}")
        for name in command_names:
            main.add_command(getattr(module, name))


_COMMANDS: list[tuple[str, list[str]]] = [
    # ("module", ["command_object", ...]),
    ("crawl", ["crawl"]),
    ("cron", ["cron"]),
    ("demo", ["demo"]),
    ("export", ["export"]),
    ("opml", ["opml"]),
    ("search", ["search"]),
    ("searches", ["searches"]),
    ("show", ["show"]),
    ("serve", ["serve"]),
    ("maintenance", ["backup", "vacuum"]),
    ("extract", ["extract"]),
    ("sources", ["sources"]),
    ("status", ["status"]),
    ("history", ["history"]),
    ("duplicates", ["duplicates"]),
    ("stories", ["stories"]),
    ("compare", ["compare"]),
    ("attention", ["attention"]),
]

_register()
