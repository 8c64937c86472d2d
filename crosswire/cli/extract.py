"""`crosswire extract`: turn one page (file or URL) into an Article and print it as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crosswire.cli.options import user_errors
from crosswire.crawlers import fetch
from crosswire.extraction import extract as extract_page


@click.command("extract")
@click.argument("source", metavar="FILE_OR_URL")
@click.option("--url", "page_url", default=None, help="The page's URL (for a saved file) [default: file:// URL].")
@user_errors
def extract(source: str, page_url: str | None) -> None:
    """Extract the article from a saved page (.html or .html.gz) or an http(s) URL; print it as JSON.

    \b
    Example:
        crosswire extract saved/report.html.gz --url https://outlet.example/2024/report
        crosswire extract https://outlet.example/2024/report
    """
    if fetch.is_web_url(source):
        page = fetch.fetch(source)
    else:
        page = fetch.read_file(Path(source))
    article = extract_page(page.body, page_url or page.url, content_type=page.content_type)
    click.echo(json.dumps(article.to_dict(), indent=2, ensure_ascii=False))
