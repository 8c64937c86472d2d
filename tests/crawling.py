"""The suite's one way to crawl: `crosswire crawl` run as a user runs it, with test-speed settings.

Every end-to-end crawl test goes through `crawl()` (or, when it must watch or kill the process while it runs,
through `crawl_command()` and its own Popen). A crawl runs in a fresh process because Scrapy's reactor can
start only once per process, and because that is what users run.

FAST_SETTINGS is the one set of test-speed settings. A test that deliberately needs other settings passes
only its differences (a later `-s` wins over an earlier one), e.g. SLOW_SETTINGS for the kill tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Mapping

# Why each setting differs from crosswire's polite defaults (crawlers/settings.py):
FAST_SETTINGS: dict[str, str] = {
    # The test web is on loopback and asks for no politeness: a pause per request only costs time.
    "DOWNLOAD_DELAY": "0",
    # AutoThrottle would add delays back from measured latencies.
    "AUTOTHROTTLE_ENABLED": "False",
    # Each fictional outlet is one host:port; the polite 2 at a time would fetch an outlet nearly serially.
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    # Extract in the crawling process: spawning worker processes costs seconds per crawl, and the results are
    # the same (the kill tests that are about workers turn them back on).
    "CROSSWIRE_EXTRACT_WORKERS": "0",
    # A failing page fails on the first try: the errors tests expect are recorded at once, not after retries.
    "RETRY_TIMES": "0",
    # The test web's slow and dripping pages must time out soon; its good pages answer in milliseconds, and
    # 5 s leaves room for a busy machine.
    "DOWNLOAD_TIMEOUT": "5",
}

# One request at a time with a fixed pause between: a crawl of the test web then takes several seconds, so a
# test can catch it before its first article, after one, and halfway (test_killsafety).
SLOW_SETTINGS: dict[str, str] = {
    **FAST_SETTINGS,
    "CONCURRENT_REQUESTS": "1",
    "DOWNLOAD_DELAY": "0.1",
    "DOWNLOAD_DELAY_JITTER": "0",
}

CRAWL_TIMEOUT = 120    # seconds before a hung crawl fails its test (a guard, never a measurement)


def settings_args(settings: Mapping[str, object]) -> list[str]:
    """`-s NAME=VALUE` arguments for `crosswire crawl`, in the mapping's order."""
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def pin_hosts(hosts: Mapping[str, str]) -> list[str]:
    """`-s CROSSWIRE_HOSTS=...`: these host names resolve to these addresses (test outlets with real-looking
    names, served on loopback)."""
    return settings_args({"CROSSWIRE_HOSTS": json.dumps(dict(hosts))})


def crawl_command(db: Path, sources: Path, *extra: str, settings: Mapping[str, object] = FAST_SETTINGS) -> list[str]:
    """The `crosswire crawl` command line: `settings` first, then `extra` (whose `-s` win)."""
    return [sys.executable, "-m", "crosswire", "crawl", "--db", str(db), "--sources", str(sources),
            *settings_args(settings), *extra]


def crawl(db: Path, sources: Path, *extra: str, env: Mapping[str, str] | None = None,
          timeout: float = CRAWL_TIMEOUT) -> subprocess.CompletedProcess:
    """Run `crosswire crawl` with FAST_SETTINGS and `extra` arguments to the end; the finished process."""
    return subprocess.run(crawl_command(db, sources, *extra), capture_output=True, text=True, timeout=timeout,
                          env=dict(env) if env is not None else None)
