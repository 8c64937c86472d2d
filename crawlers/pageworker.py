"""What an extraction worker does with one page: extract the Article, tag its topics and, in a worker process
of a crawl, embed it for stories — all in the worker, so the crawling process only stores what comes back.

Kept apart from workers.py so that starting the pool does not load extraction into the crawling process.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from crosswire.analysis import embedding
from crosswire.core.article import FeedEntry
from crosswire.core.topics import article_topics
from crosswire.extraction import extract

LOGGER = logging.getLogger(__name__)

# Set by a crawl's worker processes as they start (workers.warm_up): a crawl extracting in its own process
# (no workers) leaves embedding to the story clustering after the crawl, as it would block the reactor here.
EMBED = False
# Texts embedded lately (a wire story fetched under several URLs is embedded once per worker), and their vectors.
_RECENT: OrderedDict[str, bytes] = OrderedDict()
_RECENT_MAX = 2048


def article_and_topics(body: bytes, url: str, entry: dict[str, Any] | None, content_type: str | None,
                       rules: dict[str, Any] | None) -> tuple[dict[str, Any], tuple[str, ...], bytes | None]:
    """One page → (the Article as a dict, the topics it mentions, its story embedding as stored or None when
    this process does not embed); raises ExtractionError."""
    feed_entry = FeedEntry.from_dict(entry) if entry else None
    article = extract(body, url, feed_entry, content_type=content_type, rules=rules).to_dict()
    # Topic tagging is CPU work too: done here, in the worker, it keeps the crawling process free to fetch.
    return article, tuple(article_topics(article)), article_vector(article) if EMBED else None


def article_vector(article: dict[str, Any]) -> bytes | None:
    """The article's story embedding (embedding.MODEL) as stored, or None if the encoder fails: the story
    clustering after the crawl then computes it, so a failure here never loses the page."""
    text = embedding.article_text(article)
    blob = _RECENT.get(text)
    if blob is None:
        try:
            blob = embedding.to_blob(embedding.embed([article])[0])
        except Exception:  # noqa: BLE001 - embedding is an extra: the article is stored without it
            LOGGER.exception("could not embed %s; stories will embed it after the crawl", article.get("url"))
            return None
        _RECENT[text] = blob
        if len(_RECENT) > _RECENT_MAX:
            _RECENT.popitem(last=False)
    else:
        _RECENT.move_to_end(text)
    return blob
