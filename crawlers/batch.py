"""A crawl's article writes grouped into transactions: one commit for many articles instead of one each.

A transaction of its own per article cost the crawling process about as much as storing it (BEGIN IMMEDIATE
reads the WAL index, COMMIT appends the frames). So the store pipeline opens a transaction for its first article
and commits it once it holds CROSSWIRE_STORE_BATCH articles, CROSSWIRE_STORE_LINGER seconds after it opened
(whichever comes first; the write lock is never held longer), and when the spider closes. Every other write of
the crawl while a batch is open (sightings of known articles, error rows, an entry point's new state) joins it:
`storage.db.writing` nests as a savepoint.

What depends on an article being stored waits for its batch's commit (`after`): its count in the run's stats,
and above all its entry point's new cache state (crawlers/context.py), which is written
only once every article it named is settled. A stop before the commit (kill -9, a full disk or a lock at commit)
loses the uncommitted articles and leaves their entry points as they were, so the next crawl asks again.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Callable

import sqlite_utils

from crosswire.storage.db import begin_immediate, commit, rollback

Outcome = Callable[[bool], None]   # told True once the batch committed, False when it was lost


class StoreBatch:
    """The open write transaction of a crawl's articles, and what waits for its commit."""

    def __init__(self, db: sqlite_utils.Database, *, size: int, linger: float,
                 call_later: Callable[[float, Callable[[], None]], Any] | None = None) -> None:
        self.db = db
        self.size = size                 # articles per transaction at most
        self.linger = linger             # seconds a transaction stays open at most
        self.call_later = call_later     # the reactor's callLater (None: commit only on size and close)
        self.generation = 0              # the number of the open (or last) batch
        self.open = False
        self.articles = 0
        self.error: BaseException | None = None    # why the last batch that failed was lost
        self._lost: set[int] = set()     # generations whose transaction failed
        self._waiting: list[Outcome] = []
        self._timer: Any = None

    def begin(self) -> int:
        """Make sure a transaction is open for the next article; its generation. Raises sqlite3.Error when the
        write lock cannot be had (as storage.db.writing does)."""
        if self.open and not self.db.conn.in_transaction:
            # SQLite rolled the transaction back by itself (a full disk, an I/O error): what it held is lost.
            self._end(False, self.error or sqlite3.OperationalError("the transaction was rolled back"))
        if not self.open:
            begin_immediate(self.db)
            self.generation += 1
            self.open, self.articles = True, 0
            if self.call_later is not None:
                self._timer = self.call_later(self.linger, self.commit)
        return self.generation

    def stored(self) -> None:
        """One more article in the open transaction: commit when it is full."""
        self.articles += 1
        if self.articles >= self.size:
            self.commit()

    def after(self, generation: int | None, outcome: Outcome) -> None:
        """Call `outcome` once the batch `generation` ended (at once when it has: None is no batch at all)."""
        if generation is not None and self.open and generation == self.generation:
            self._waiting.append(outcome)
        else:
            outcome(generation not in self._lost)

    def commit(self) -> bool:
        """Commit the open transaction (if any) and tell what waits for it; whether it is stored. Never raises:
        a failed commit is rolled back and its waiters told so (`error` says why)."""
        if not self.open:
            return True
        try:
            if not self.db.conn.in_transaction:
                raise self.error or sqlite3.OperationalError("the transaction was rolled back")
            commit(self.db)
        except sqlite3.Error as exc:
            try:
                rollback(self.db)
            except sqlite3.Error:
                pass    # the connection is past saving; what the batch held is lost either way
            self._end(False, exc)
            return False
        self._end(True, None)
        return True

    def _end(self, committed: bool, error: BaseException | None) -> None:
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
        self.open = False
        if not committed:
            self.error = error
            self._lost.add(self.generation)
        waiting, self._waiting = self._waiting, []
        for outcome in waiting:
            outcome(committed)
