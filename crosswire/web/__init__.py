"""The web reader behind `crosswire serve`: server-rendered pages over a read-only database.

    app.py       create_app(db_path): the Starlette application, its routes and error pages
    pages.py     the HTML pages: latest, search, article, stories, comparison, attention, sources
    feeds.py     the feed links every page offers and their endpoints (built by crosswire.exports.selection)
    charts.py    attention views and a cache of drawn charts
    render.py    pure helpers for templates: highlighted snippets, paragraphs, dates, query editing
    security.py  security headers (CSP without inline script) and the URL check for outbound links
    templates/   Jinja2 templates, autoescaped; static/ one small stylesheet

Pages work without JavaScript; the database is opened read-only, one connection per worker thread. The web
reader reads through crosswire.storage and crosswire.exports, and speaks no SQL of its own.
"""

from __future__ import annotations

from crosswire.web.app import create_app

__all__ = ["create_app"]
