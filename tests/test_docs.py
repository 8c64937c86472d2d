"""The README and the CHANGELOG tell the truth: CI runs the README's test command, every command is documented,
and the numbers they give are the bundled file's."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crosswire import __version__
from crosswire.cli import main
from crosswire.core.paths import bundled_sources_path
from crosswire.core.sources import load_sources

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


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


def test_changelog_opens_with_this_version_and_speaks_of_every_command():
    lines = CHANGELOG.splitlines()
    headings = [line for line in lines if line.startswith("#")]
    assert "# Changelog" == headings[0]
    # The newest section is the version the package says it is (released on a date, or not yet).
    assert re.fullmatch(rf"## {re.escape(__version__)} — (unreleased|\d{{4}}-\d{{2}}-\d{{2}})", headings[1]), headings
    assert [] == [line for line in lines if line and not line.startswith(("#", "- "))]   # only entries
    # "A line per user-visible change": every command is named in it.
    commands = main.list_commands(click.Context(main))
    assert [] == [name for name in commands if not re.search(rf"\b{name}\b", CHANGELOG, re.IGNORECASE)]


def test_readme_and_changelog_count_the_bundled_sources():
    bundled = load_sources(bundled_sources_path())
    unreleased = CHANGELOG.split("\n## ")[1]       # earlier releases bundled other lists
    assert {len(bundled)} == {int(n) for n in re.findall(r"(\d+) real outlets", README + unreleased)}
    checked = CliRunner().invoke(main, ["sources", "check", "--sources", str(bundled_sources_path())])
    disabled = sum(1 for s in bundled if not s.enabled)
    assert (0, f"OK: {len(bundled)} sources ({disabled} disabled), {sum(len(s.feeds) for s in bundled)} feeds, "
               f"{sum(len(s.sitemaps) for s in bundled)} sitemaps, {sum(len(s.listing) for s in bundled)} listing\n") == (
        checked.exit_code, checked.output)
    assert f"$ crosswire sources check\n{checked.output}" in README


def test_readme_shows_the_bundled_list_as_sources_list_prints_it():
    """The head of `sources list` and its disabled sources' reasons, as the README quotes them."""
    listed = CliRunner().invoke(main, ["sources", "list", "--sources", str(bundled_sources_path())]).output.splitlines()
    disabled = [line for line in listed if " is disabled: " in line]
    assert "\n".join([*listed[:5], "…", *disabled]) in README
