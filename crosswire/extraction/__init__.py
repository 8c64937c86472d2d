"""Extraction: a fetched page (bytes, URL, and what a feed said of it) → an Article. Pure functions.

    page.py      extract(): decoding, metadata, body, fallbacks — the one entry point
    charset.py   bytes → HTML text: refuses non-HTML, finds an encoding that reads
    htmlmeta.py  what a page declares about itself: <meta>, <link rel>, JSON-LD
    cleaning.py  single values: dates to UTC, author names, language codes, keywords
    rules.py     a source's own CSS selectors, applied before the generic extractor
"""

from __future__ import annotations

from crosswire.extraction.page import extract

__all__ = ["extract"]
