"""Exit codes of `crosswire crawl`, stable so cron wrappers and monitoring can act on them.

    code  name       meaning
    0     OK         every feed polled worked (or answered 304 Not Modified)
    1     ERROR      crosswire could not run (bad sources file, unreadable database, other fatal error), or
                     the archive refused writes during the crawl (disk full, locked too long)
    2     USAGE      the command line was wrong (unknown option, bad -s NAME=VALUE); click's own code
    3     PARTIAL    the crawl ran, but some feeds or pages failed; see `crosswire status`
    4     NOTHING    nothing to do: no feed was due (use --all to poll anyway) or no source has a feed
    5     INTERRUPTED the crawl was stopped (SIGTERM, SIGINT, its time limit) before it finished; what it
                     stored is kept and everything it did not fetch stays due for the next run
    75    LOCKED     another crawl holds the lock on this database; this run did nothing (EX_TEMPFAIL)

75 is sysexits.h's EX_TEMPFAIL ("try again later"), which is what an overlapping cron run should mean.
"""

from __future__ import annotations

OK = 0
ERROR = 1
USAGE = 2
PARTIAL = 3
NOTHING = 4
INTERRUPTED = 5
LOCKED = 75

# The summary status of a crawl (CrawlSummary.status) -> exit code.
BY_STATUS = {"ok": OK, "partial": PARTIAL, "nothing": NOTHING, "interrupted": INTERRUPTED, "failed": ERROR}


def for_status(status: str) -> int:
    """The exit code for a crawl's summary status ('ok', 'partial', 'nothing')."""
    return BY_STATUS.get(status, ERROR)
