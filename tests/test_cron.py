"""`crosswire cron` prints a crontab line with absolute paths that a cron daemon can run as is."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.cli.cron import executable, schedule


def test_cron_line_uses_absolute_paths_even_for_relative_arguments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my sources.toml").write_text("")
    result = CliRunner().invoke(main, ["cron", "--db", "war.db", "--sources", "my sources.toml",
                                       "--log-file", "logs/crawl.log", "--every", "30"])
    assert 0 == result.exit_code, result.output
    assert result.output.endswith("\n") and 1 == result.output.count("\n")
    fields = result.output.split(" ", 5)
    assert ["*/30", "*", "*", "*", "*"] == fields[:5]
    command = shlex.split(fields[5])
    assert [*executable(), "crawl", "--quiet", "--db", str(tmp_path / "war.db"), "--sources",
            str(tmp_path / "my sources.toml"), "--log-file", str(tmp_path / "logs" / "crawl.log")] == command
    assert "'" + str(tmp_path / "my sources.toml") + "'" in fields[5]     # quoted for /bin/sh


def test_the_executable_in_the_line_runs(tmp_path):
    command = executable()
    assert Path(command[0]).is_absolute()
    # cron gives a bare environment: no PATH entries of ours, no virtualenv activated.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert (0, "crosswire, version") == (done.returncode, done.stdout[:18])


def test_percent_signs_are_escaped_for_cron(tmp_path):
    result = CliRunner().invoke(main, ["cron", "--db", str(tmp_path / "100%.db")])
    assert 0 == result.exit_code
    assert str(tmp_path / r"100\%.db") in result.output


@pytest.mark.parametrize("every, expected", [
    (1, "* * * * *"), (5, "*/5 * * * *"), (15, "*/15 * * * *"), (60, "0 * * * *"),
    (180, "0 */3 * * *"), (1440, "0 */24 * * *"),
])
def test_schedule(every, expected):
    assert expected == schedule(every)


@pytest.mark.parametrize("every", [7, 45, 90, 0])
def test_bad_interval_is_one_clear_line(every, tmp_path):
    result = CliRunner().invoke(main, ["cron", "--db", str(tmp_path / "x.db"), "--every", str(every)])
    assert 1 == result.exit_code
    assert result.output.startswith(f"Error: --every {every}: use a divisor of 60 minutes")
    assert 1 == result.output.count("\n")
