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

from crosswire.extraction.page import extract

__all__ = ["extract"]
