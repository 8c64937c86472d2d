"""Help text a newcomer can copy from: every command and group has an example, examples are never wrapped (on a
narrow terminal too), every option says what it does, and the groups take their options where people put them
(`crosswire searches --db X add`, `crosswire opml import --yes`)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import click
import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.core.sources import Source
from crosswire.exports.opml import export_opml
from crosswire.storage.db import open_db
from searchdata import build_archive


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command and group under `group`, with the words that call it."""
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


ALL = list(commands())


def examples(command: click.Command) -> list[str]:
    """The example lines of a command's docstring (after 'Example:', the lines that run something)."""
    lines = (command.help or "").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "Example:"), None)
    assert start is not None, f"{command.name}: no Example: section"
    return [line.strip() for line in lines[start + 1:] if line.strip().startswith(("crosswire ", "(crontab"))]


@pytest.mark.parametrize("path, command", ALL, ids=[" ".join(p) for p, _ in ALL])
@pytest.mark.parametrize("width", [60, 100])
def test_examples_are_whole_lines_of_the_help(path: tuple[str, ...], command: click.Command, width: int) -> None:
    wanted = examples(command)
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=width, prog_name="crosswire")
    shown = [line.strip() for line in result.output.splitlines()]
    assert (0, [], True) == (result.exit_code, [e for e in wanted if e not in shown], bool(wanted))


@pytest.mark.parametrize("path, command", ALL, ids=[" ".join(p) for p, _ in ALL])
def test_every_option_says_what_it_does(path: tuple[str, ...], command: click.Command) -> None:
    silent = [opt for param in command.params if isinstance(param, click.Option) and not param.hidden
              and not param.help for opt in param.opts]
    assert [] == silent


def test_searches_take_db_on_the_group_or_the_command(tmp_path: Path) -> None:
    db = tmp_path / "war.db"
    build_archive(open_db(db)).close()
    runner = CliRunner()
    assert "saved search drones: drone\n" == runner.invoke(main, ["searches", "--db", str(db), "add", "drones",
                                                                  "drone"]).output
    assert "drones  drone\n" == runner.invoke(main, ["searches", "--db", str(db), "list"]).output
    assert "removed search drones\n" == runner.invoke(main, ["searches", "remove", "drones", "--db", str(db)]).output


def test_opml_import_asks_before_appending_unless_yes(tmp_path: Path) -> None:
    opml = tmp_path / "reader.opml"
    opml.write_bytes(export_opml([Source(name="north", homepage="https://north.example/",
                                         feeds=("https://north.example/rss",))]))
    into = tmp_path / "sources.toml"
    declined = CliRunner().invoke(main, ["opml", "import", str(opml), "--into", str(into)], input="n\n")
    assert (1, False) == (declined.exit_code, into.exists())
    assert f"Append 1 sources to {into}? [Y/n]: n\nError: not added\n" == declined.stderr
    accepted = CliRunner().invoke(main, ["opml", "import", str(opml), "--into", str(into), "--yes"])
    assert (0, f"added 1 sources to {into} (0 already there)\n") == (accepted.exit_code, accepted.stderr)
    assert 'name = "north"' in into.read_text()
