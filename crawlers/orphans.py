"""Helper processes that die with the crawl: a kill -9'd cron run must not leave extraction workers behind."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1    # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when `parent_pid` dies (Linux); exit now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass    # no prctl (unusual libc): workers then exit when their pipe to the parent breaks
    if os.getppid() != parent_pid:
        os._exit(0)     # the parent died before prctl took effect
