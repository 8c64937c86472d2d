"""`crosswire serve`: the web reader (search, read, stories, comparison, feeds) on a local uvicorn server."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click
import uvicorn

from crosswire.cli.options import db_option, resolve_db, user_errors
from crosswire.cli.output import echo
from crosswire.web import create_app


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default accepts connections from this machine only.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="Port to listen on.")
@user_errors
def serve(db_path: Path | None, host: str, port: int) -> None:
    """Browse the archive in a web browser: latest articles, search, articles, stories compared, feeds.

    The database is opened read-only, so a crawl can run at the same time. Pages work without JavaScript;
    every search, source and story offers Atom, RSS and JSON Feed links.

    \b
    Example:
        crosswire serve --db war.db
        crosswire serve --db war.db --port 8000    # then open http://127.0.0.1:8000/
    """
    app = create_app(resolve_db(db_path))
    if not is_loopback(host):
        # There is no login: anyone who can reach the port can read the whole archive.
        echo(f"warning: listening on {host}, reachable from other machines; crosswire serve has no "
                   "authentication", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False, proxy_headers=False)
