"""The README tells the truth about the commands: CI runs its test command, and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crosswire.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands() -> list[tuple[str, object]]:
    """Every command and subcommand, by its full name ('sources list')."""
    out = []

    ctx = click.Context(main)

    def walk(prefix: str, command: click.Command) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, f"{prefix} {name}"
                walk(f"{prefix} {name}".strip(), sub)
        else:
            out.append((prefix, command))

    walk("", main)
    return out


def test_ci_runs_the_readme_test_command():
    ci_line = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if "pytest" in line][0]
    assert ci_line in README


@pytest.mark.parametrize("name, command", all_commands(), ids=[n for n, _ in all_commands()])
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name, command):
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`crosswire {name} --help` has no Example block"
    assert re.search(rf"crosswire {re.escape(name)}\b", README), f"`crosswire {name}` is not in README.md"


def test_changelog_exists_with_entries():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert len([line for line in changelog.splitlines() if line.startswith("- ")]) >= 5
