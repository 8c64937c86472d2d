"""Ending the process: a command that has closed what it opened may skip the interpreter's teardown.

When Python exits it tears down every module it imported and frees their objects one by one. After a crawl
(~1,000 modules: Scrapy, Twisted, lxml, numpy, the story encoder's arrays) that took 0.3 s of a 5-page cron
crawl's ~2 s, for nothing a later run needs. `crosswire crawl` closes its archive and stops its workers and
threads itself, so once it has printed its summary it asks (`skip_teardown`) and the command line's entry point
then ends with `exit_now`: it waits for any thread still running, runs the `atexit` handlers (logging's flush,
multiprocessing's clean-up, anything registered), flushes stdout and stderr, and leaves with `os._exit`.
Only the real command line does this (`main()` reading sys.argv), never a command invoked in-process (tests).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

_asked = {"skip": False}


def skip_teardown() -> None:
    """Ask for the process to end without the interpreter's teardown (the command closed what it opened)."""
    _asked["skip"] = True


def teardown_skipped() -> bool:
    """Whether the command asked for `skip_teardown`."""
    return _asked["skip"]


def exit_now(code: int) -> NoReturn:
    """End the process with `code` as `sys.exit` would, bar the teardown of modules and objects."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    # atexit has no public way to run its handlers early; _run_exitfuncs is what the interpreter itself calls
    # (CPython since 3.0), and it runs each handler once.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass    # a closed or broken stream: nothing more can be said on it
    os._exit(code)
