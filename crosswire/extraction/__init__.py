"""Extraction: a fetched page (bytes, URL, and what a feed said of it) → an Article. Pure functions.

    page.py      extract(): decoding, metadata, body, fallbacks — the one entry point
    charset.py   bytes → HTML text: refuses non-HTML, finds an encoding that reads
    htmlmeta.py  what a page declares about itself: <meta>, <link rel>, JSON-LD
    headline.py  the headline its metadata and printed heading agree on, stripped of the outlet's name
    pagedates.py the page's own publication and modification dates
    bylines.py   authors split into people, agencies and the outlet
    streamed.py  article markup a script-rendered (Next.js) page streams as data
    cleaning.py  single values: dates to UTC, author names, language codes, keywords
    rules.py     a source's own CSS selectors, applied before the generic extractor
"""

from __future__ import annotations

from typing import Any

__all__ = ["extract"]


def __getattr__(name: str) -> Any:
    """`extract`, imported on first use: the crawling process reads dates and text with cleaning.py alone and
    must not load trafilatura (~0.4 s) for it; its extraction workers do."""
    if name == "extract":
        # On first use, for the reason above.
        from crosswire.extraction.page import extract

        return extract
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
