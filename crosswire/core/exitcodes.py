"""Exit codes of every `crosswire` command, stable so cron wrappers and monitoring can act on them.

    code  name         meaning
    0     OK           the command did what was asked (a crawl: every feed polled worked or was not modified)
    1     ERROR        a user error said in one line (bad sources file, bad query, unknown article, bad value),
                       crosswire could not run, or the archive refused writes during a crawl (disk full, locked
                       too long)
    2     USAGE        the command line was wrong (unknown option, missing argument, bad -s NAME=VALUE)
    3     PARTIAL      a crawl ran but some feeds or pages failed; `status --check`: some source needs attention;
                       `sources probe`: some route is not ok
    4     NOTHING      nothing to do: no feed was due (use --all to poll anyway) or no source has a feed
    5     INTERRUPTED  the crawl was stopped (SIGTERM, SIGINT, its time limit) before it finished; what it stored
                       is kept and everything it did not fetch stays due for the next run
    65    DAMAGED      the archive is damaged, or the file is not a crosswire archive (EX_DATAERR)
    66    NO_ARCHIVE   there is no archive at that path; only `crawl` and `demo` create one (EX_NOINPUT)
    69    UNAVAILABLE  the Redis of a distributed crawl (`--redis URL`) cannot be reached (EX_UNAVAILABLE)
    73    CANT_WRITE   a file crosswire must write cannot be: an output path, its directory, the lock file, or a
                       read-only archive that a crawl or vacuum would change (EX_CANTCREAT)
    75    LOCKED       another crawl holds the lock on this database, or another coordinator uses the frontier;
                       this run did nothing (EX_TEMPFAIL)

65, 66, 69, 73 and 75 are sysexits.h's codes for the same situations; 75 ("try again later") is what an
overlapping cron run should mean.
"""

from __future__ import annotations

OK = 0
ERROR = 1
USAGE = 2
PARTIAL = 3
NOTHING = 4
INTERRUPTED = 5
DAMAGED = 65
NO_ARCHIVE = 66
UNAVAILABLE = 69
CANT_WRITE = 73
LOCKED = 75

# The summary status of a crawl (CrawlSummary.status) -> exit code.
BY_STATUS = {"ok": OK, "partial": PARTIAL, "nothing": NOTHING, "interrupted": INTERRUPTED, "failed": ERROR}


def for_status(status: str) -> int:
    """The exit code for a crawl's summary status ('ok', 'partial', 'nothing', 'interrupted', 'failed')."""
    return BY_STATUS.get(status, ERROR)
