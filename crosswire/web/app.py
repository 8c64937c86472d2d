"""The Starlette application: routes, error pages, security headers, and a read-only database per thread."""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import sqlite_utils
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from crosswire.analysis.evidence import language_name
from crosswire.core.errors import CrosswireError, DamagedArchiveError, QueryError
from crosswire.storage.archive import open_archive, translate
from crosswire.storage.db import open_db
from crosswire.web import feeds, pages, render
from crosswire.web.charts import ChartCache
from crosswire.web.security import HEADERS, SecurityHeaders, safe_url

HERE = Path(__file__).resolve().parent
LOGGER = logging.getLogger(__name__)


class Reader:
    """What every request shares: the database path, one read-only connection per worker thread, templates."""

    def __init__(self, path: Path, clock: Callable[[], datetime] | None = None) -> None:
        self.path = path
        self.now = clock or (lambda: datetime.now(timezone.utc))
        self._local = threading.local()
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.charts = ChartCache()
        env = self.templates.env
        env.filters.update(highlight=render.highlight, when=render.when, day=render.day, lag=render.lag,
                           paragraphs=render.paragraphs, safe_url=safe_url, language_name=language_name)
        env.globals.update(with_filter=render.with_filter, month_range=render.month_range)

    def db(self) -> sqlite_utils.Database:
        """This thread's read-only connection (SQLite connections must not be shared across threads at once)."""
        db = getattr(self._local, "db", None)
        if db is None:

            db = open_db(self.path, readonly=True)
            self._local.db = db
        return db


def healthz(request: Request) -> Response:
    """A static answer: the baseline the page benchmarks compare against."""
    return PlainTextResponse("ok")


def _error_page(request: Request, status: int, message: str) -> Response:
    reader: Reader = request.app.state.reader
    return reader.templates.TemplateResponse(request, "error.html", {"status": status, "message": message,
                                                                     "feeds": []}, status_code=status)


async def http_error(request: Request, exc: Exception) -> Response:
    """404s and friends as a readable page."""
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else "no such page"
    return _error_page(request, exc.status_code, str(message))


async def user_error(request: Request, exc: Exception) -> Response:
    """A bad feed query or similar: one clear line, as the CLI would say it."""
    status = 400 if isinstance(exc, QueryError) else 500
    return _error_page(request, status, str(exc))


async def out_of_range(request: Request, exc: Exception) -> Response:
    """A number in the request too large for the archive (an id of 20 digits, a span of 10^11 days)."""
    return _error_page(request, 400, "a number in the request is out of range")


async def database_error(request: Request, exc: Exception) -> Response:
    """SQLite's own error, damage above all: one line in the server log (which file, how to recover it) and a
    plain page that names no path on the server, never a traceback."""
    meant = translate(exc, request.app.state.reader.path)
    LOGGER.error("%s %s: %s", request.method, request.url.path, meant or f"the archive could not be read: {exc}")
    damaged = isinstance(meant, DamagedArchiveError)
    return _error_page(request, 500, ("the archive is damaged" if damaged else "the archive could not be read")
                       + "; the server log says which file and what to do")


async def server_error(request: Request, exc: Exception) -> Response:
    """Any bug: a plain page, never a traceback (with the headers too: this runs outside the middleware)."""
    response = _error_page(request, 500, "internal error: the server log has the details")
    response.headers.update(HEADERS)
    return response


def create_app(db_path: str | Path, *, clock: Callable[[], datetime] | None = None) -> Starlette:
    """The web reader over the database at `db_path`, opened read-only; `clock` fixes "now" (tests).

    A missing file, a file that is not a crosswire archive and a damaged one are refused here, in one line
    (an archive written by an older crosswire is brought up to date first, unless it is read-only)."""
    path = Path(db_path)
    open_archive(path).close()
    reader = Reader(path, clock)
    routes = [
        Route("/", pages.home, name="home"),
        Route("/search", pages.search_page, name="search_page"),
        Route("/article/{article_id:int}", pages.article_page, name="article_page"),
        Route("/stories", pages.stories_page, name="stories_page"),
        Route("/story/{story_id:int}", pages.story_page, name="story_page"),
        Route("/blindspots", pages.blindspots_page, name="blindspots_page"),
        Route("/sources", pages.sources_page, name="sources_page"),
        Route("/attention", pages.attention_page, name="attention_page"),
        Route("/attention.png", pages.attention_png, name="attention_png"),
        Route("/feeds/search.{suffix}", feeds.search_endpoint, name="search_feed"),
        Route("/feeds/source/{name}.{suffix}", feeds.source_endpoint, name="source_feed"),
        Route("/feeds/story/{story_id:int}.{suffix}", feeds.story_endpoint, name="story_feed"),
        Route("/healthz", healthz, name="healthz"),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    handlers: dict[Any, Any] = {HTTPException: http_error, CrosswireError: user_error, OverflowError: out_of_range,
                                sqlite3.DatabaseError: database_error, Exception: server_error}
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], exception_handlers=handlers)
    app.state.reader = reader
    return app
