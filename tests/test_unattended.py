"""A crawl as cron runs it: exit codes, --quiet, --log-file, only due feeds, --all, and pausing a dead feed.

The crawl's clock is injected with -s CROSSWIRE_NOW so "eight days later" takes no time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from crawling import crawl
from crosswire.core import exitcodes
from crosswire.cli import main
from testweb import TestWeb
from testweb.server import closed_port

DAY0 = "2026-03-01T06:00:00+00:00"


@pytest.fixture(scope="module")
def web():
    with TestWeb(outlets=["levant-ledger"]) as web:
        yield web


def test_cron_style_runs_ok_then_nothing_due_then_all(web, tmp_path):
    db, sources, log = tmp_path / "news.db", tmp_path / "sources.toml", tmp_path / "logs" / "crawl.log"
    sources.write_text(web.sources_toml())
    first = crawl(db, sources, "--quiet", "--log-file", str(log))
    assert (exitcodes.OK, "", "") == (first.returncode, first.stdout, first.stderr)
    last = log.read_text().splitlines()[-1]
    assert re.fullmatch(r"\S+ crawl ok \(exit 0\): 2 feeds checked \(0 not modified\), 4 new articles, "
                        r"2 duplicates, 0 already stored, 0 errors in \d+\.\ds", last), last
    again = crawl(db, sources)
    assert (exitcodes.NOTHING, "0 feeds checked (0 not modified, 2 not due), 0 new articles, 0 duplicates, "
            "0 already stored, 0 errors in 0.0s\n") == (again.returncode, again.stdout)
    forced = crawl(db, sources, "--all")
    assert (exitcodes.OK, "2 feeds checked (2 not modified)") == (forced.returncode, forced.stdout[:32])


def test_usage_error_exit_code(tmp_path):
    done = subprocess.run([sys.executable, "-m", "crosswire", "crawl", "--no-such-flag"], capture_output=True,
                          text=True, timeout=60)
    assert exitcodes.USAGE == done.returncode and "Error: No such option '--no-such-flag'." in done.stderr


def test_a_dead_feed_backs_off_then_is_paused_not_dropped(web, tmp_path):
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    dead = f"http://127.0.0.1:{closed_port()}/feed.xml"
    sources.write_text(web.sources_toml() + f'\n[[source]]\nname = "gone-dark"\nhomepage = "{dead[:-8]}/"\n'
                                            f'feeds = ["{dead}"]\n')
    at = lambda when: ["-s", f"CROSSWIRE_NOW={when}"]  # noqa: E731
    first = crawl(db, sources, "--quiet", *at(DAY0))
    assert (exitcodes.PARTIAL, "") == (first.returncode, first.stdout)
    assert re.fullmatch(r"crosswire crawl: 3 feeds checked \(0 not modified\), 4 new articles, 2 duplicates, "
                        r"0 already stored, 1 errors in \d+\.\ds \(see `crosswire status`\)\n", first.stderr)
    # An hour later the dead feed is due again (backoff 15 min +-20 %); the healthy feeds are not.
    hour = crawl(db, sources, *at("2026-03-01T07:00:00+00:00"))
    assert (exitcodes.PARTIAL, "1 feeds checked (0 not modified, 2 not due)") == (hour.returncode, hour.stdout[:43])
    # Eight days on, still failing: paused, with its reason, and kept.
    week = crawl(db, sources, *at("2026-03-09T06:00:00+00:00"))
    assert exitcodes.PARTIAL == week.returncode
    status = CliRunner().invoke(main, ["status", "--db", str(db), "--json", "--now", "2026-03-09T07:00:00+00:00"])
    [gone] = [s for s in json.loads(status.output)["sources"] if s["name"] == "gone-dark"]
    [feed] = gone["feeds"]
    assert ("paused", dead, 3, "2026-03-01T06:00:00+00:00", True,
            "paused after 3 failures over 8 days; last: connection refused",
            "2026-03-16T06:00:00+00:00") == (gone["state"], feed["url"], feed["consecutive_failures"],
                                             feed["failing_since"], feed["paused"], feed["paused_reason"],
                                             feed["next_check"][:13] + ":00:00+00:00")
    # An hour later nothing is due: the paused feed waits for its weekly probe, the others for their schedule.
    later = crawl(db, sources, *at("2026-03-09T07:00:00+00:00"))
    assert (exitcodes.NOTHING, "0 feeds checked (0 not modified, 3 not due)") == (later.returncode, later.stdout[:43])
    # A week on, the paused feed is probed once more (and stays paused while it still fails).
    probe = crawl(db, sources, *at("2026-03-16T06:30:00+00:00"))
    assert (exitcodes.PARTIAL, "3 feeds checked") == (probe.returncode, probe.stdout[:15])
    text = CliRunner().invoke(main, ["status", "--db", str(db), "--now", "2026-03-16T07:00:00+00:00"]).output
    assert f"  PAUSED   feed         {dead}" in text and "paused after 4 failures over 15 days; last: connection refused" in text
