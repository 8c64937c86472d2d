"""What a crawl did: its counters, its status and the one-line summary `crosswire crawl` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

STAT_KEYS = ("feeds_checked", "feeds_not_modified", "articles_new", "articles_duplicate", "articles_known",
             "errors", "feed_problems", "entries_seen", "feeds_not_due",
             # sitemaps and listing pages (crosswire.crawlers.sitemaps, .listings), scope and trap guards
             "sitemaps_checked", "listing_pages", "pages_not_modified", "pages_not_due", "sitemaps_unchanged",
             "too_old",
             "off_scope", "off_topic", "cut_by_limits", "traps_skipped", "pagination_loops",
             # edit history (crosswire.storage.revisions)
             "articles_refetched", "articles_revised",
             # failures of the archive itself (locked past every retry, disk full)
             "storage_errors", "feeds_failed",
             # a distributed crawl (crosswire.crawlers.coordinator): work put back after its worker died
             "requests_rescheduled")

# A failure kind in words, when its reasons differ (each DNS failure names its own host).
KIND_NAMES = {"dns": "DNS lookup failed", "connection": "could not connect", "timeout": "timed out",
              "http": "HTTP errors", "robots": "forbidden by robots.txt"}
# What to suspect when every feed of a run failed the same way, by the failure's kind.
SUSPECT = {"dns": "no network?", "connection": "no network, or a firewall in the way?",
           "timeout": "a slow or missing network?", "http": "blocked, or the addresses moved?",
           "robots": "every site's robots.txt refuses crawlers", "blocked": "-s CROSSWIRE_BLOCK_PRIVATE is on"}

# Why Scrapy closed the spider, when it was not because the work was done.
STOPPED = {"shutdown": "stopped by a signal", "closespider_timeout": "stopped at its time limit (CROSSWIRE_MAX_RUN)",
           "storage-full": "stopped: the archive's disk is full",
           "storage-locked": "stopped: another program kept the archive locked",
           "no-workers": "stopped: no worker took work (start `crosswire worker --redis URL`)"}


@dataclass
class CrawlSummary:
    """What a crawl did, for the one-line summary and the runs table."""

    run_id: int
    seconds: float
    stats: dict[str, int] = field(default_factory=dict)
    reason: str = "finished"              # why the crawl ended (Scrapy's close reason; "finished" when done)
    storage_problem: str | None = None    # the archive's own complaint, when it refused writes
    failures: dict[tuple[str, str], int] = field(default_factory=dict)   # (kind, reason) of each failed feed
    archive: str = ""                     # where the archive is, for the hint when everything failed

    @property
    def status(self) -> str:
        """ok, partial (some feeds or pages failed), nothing (no feed was due, or no source had a feed),
        failed (the archive refused writes) or interrupted (stopped before it finished: the rest is due)."""
        if self.stats.get("storage_errors") or self.reason.startswith("storage-"):
            return "failed"
        if self.reason != "finished":
            return "interrupted"
        if self.stats.get("errors"):
            return "partial"
        checked = ("feeds_checked", "sitemaps_checked", "listing_pages")
        return "ok" if any(self.stats.get(k) for k in checked) else "nothing"

    def line(self) -> str:
        """The one-line summary printed at the end of `crosswire crawl`."""
        s = self.stats
        not_due = f", {s['feeds_not_due']} not due" if s.get("feeds_not_due") else ""
        return (f"{s.get('feeds_checked', 0)} feeds checked ({s.get('feeds_not_modified', 0)} not modified"
                f"{not_due}), "
                f"{s.get('articles_new', 0)} new articles, {s.get('articles_duplicate', 0)} duplicates, "
                f"{s.get('articles_known', 0)} already stored, {s.get('errors', 0)} errors "
                f"in {self.seconds:.1f}s" + discovery_line(s) + edits_line(s) + frontier_line(s)
                + self.stop_line())

    def hint(self) -> str | None:
        """One more line when every feed failed (a first crawl without network, a moved archive of feeds): what
        they failed with, what to suspect, where the archive is and where to look."""
        s = self.stats
        checked, failed = s.get("feeds_checked", 0), s.get("feeds_failed", 0)
        got_any = s.get("articles_new", 0) or s.get("articles_known", 0) or s.get("feeds_not_modified", 0)
        if not checked or failed < checked or got_any or not self.failures:
            return None
        by_kind: dict[str, list[str]] = {}
        for (kind, reason), count in self.failures.items():
            by_kind.setdefault(kind, []).extend([reason] * count)
        kind, reasons = max(by_kind.items(), key=lambda item: (len(item[1]), item[0]))
        what = reasons[0] if len(set(reasons)) == 1 else KIND_NAMES.get(kind, kind)
        how = what if len(reasons) == failed else f"{len(reasons)} of them: {what}"
        suspect = f" — {SUSPECT[kind]}" if kind in SUSPECT else ""
        where = f"crosswire status --db {self.archive}" if self.archive else "crosswire status"
        return f"all {failed} feeds failed ({how}){suspect} See `{where}`."

    def stop_line(self) -> str:
        """The summary's tail when the crawl did not finish its work, or the archive refused some of it."""
        parts = []
        if self.reason != "finished":
            parts.append(STOPPED.get(self.reason, f"stopped ({self.reason})"))
        if self.stats.get("storage_errors"):
            parts.append(f"{self.stats['storage_errors']} writes failed ({self.storage_problem or 'storage error'})")
        if not parts:
            return ""
        return "; " + ", ".join(parts) + "; what was not stored stays due"


def edits_line(s: dict[str, int]) -> str:
    """The summary's tail for re-fetches of stored articles and the revisions they found (empty when none)."""
    if not s.get("articles_refetched"):
        return ""
    return f"; {s['articles_refetched']} re-fetched for edits, {s.get('articles_revised', 0)} revised"


def frontier_line(s: dict[str, int]) -> str:
    """The summary's tail for work a distributed crawl put back in the frontier (empty when none)."""
    count = s.get("requests_rescheduled", 0)
    return f"; {count} request{'s' if count != 1 else ''} put back after a worker died" if count else ""


def discovery_line(s: dict[str, int]) -> str:
    """The summary's tail for sitemaps, listing pages, scope and the trap guards (empty when unused)."""
    parts = []
    if s.get("sitemaps_checked") or s.get("listing_pages") or s.get("pages_not_due"):
        not_due = f", {s['pages_not_due']} not due" if s.get("pages_not_due") else ""
        parts.append(f"{s.get('sitemaps_checked', 0)} sitemaps, {s.get('listing_pages', 0)} listing pages "
                     f"({s.get('pages_not_modified', 0)} not modified{not_due})")
    skipped = [(s.get("too_old", 0), "older than --since or the last crawl"), (s.get("off_scope", 0), "out of scope"),
               (s.get("off_topic", 0), "off topic")]
    if any(n for n, _ in skipped):
        parts.append("skipped " + ", ".join(f"{n} {what}" for n, what in skipped if n))
    cuts = [(s.get("cut_by_limits", 0), "by page/depth limits"), (s.get("traps_skipped", 0), "trap URLs"),
            (s.get("pagination_loops", 0), "pagination loops"),
            (s.get("requests_deduplicated", 0), "duplicate requests")]
    if any(n for n, _ in cuts[:3]):
        parts.append("cut short: " + ", ".join(f"{n} {what}" for n, what in cuts if n))
    return "; " + "; ".join(parts) if parts else ""
