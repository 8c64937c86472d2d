"""Re-publishing articles: Atom, RSS 2.0 and JSON Feed writers, and the static feed tree for cron.

    common.py    FeedInfo, dates, XML-safe text, sanitized HTML bodies, stable entry ids
    atom.py      Atom 1.0 (RFC 4287)
    rss.py       RSS 2.0
    jsonfeed.py  JSON Feed 1.1
    static.py    one feed per saved search and per source, plus an index.html

Every writer takes export records (crosswire.storage.export.article_record's shape) and a FeedInfo, and returns bytes.
"""

from __future__ import annotations

from crosswire.exports.atom import write_atom
from crosswire.exports.common import FeedInfo
from crosswire.exports.jsonfeed import write_jsonfeed
from crosswire.exports.rss import write_rss

FEED_FORMATS = {"atom": write_atom, "rss": write_rss, "jsonfeed": write_jsonfeed}
FEED_SUFFIX = {"atom": ".atom", "rss": ".rss", "jsonfeed": ".json"}

__all__ = ["FeedInfo", "write_atom", "write_rss", "write_jsonfeed", "FEED_FORMATS", "FEED_SUFFIX"]
