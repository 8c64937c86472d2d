"""`crosswire extract`: turn one page (file or URL) into an Article and print it as JSON."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import user_errors
from crosswire.cli.output import echo, echo_json
from crosswire.core.article import Article
from crosswire.crawlers import fetch
from crosswire.extraction import extract as extract_page
from crosswire.extraction.headline import page_headline_candidates

# Fields shown by --explain, in the order a reader checks them.
_EXPLAINED = ("title", "authors", "agencies", "published", "modified", "language", "site_name", "canonical_url",
              "section", "keywords", "image", "lede", "text")


@click.command("extract")
@click.argument("source", metavar="FILE_OR_URL")
@click.option("--url", "page_url", default=None, help="The page's URL (for a saved file) [default: file:// URL].")
@click.option("--explain", is_flag=True,
              help="Instead of JSON, show where each field came from and the headline candidates weighed.")
@user_errors
def extract(source: str, page_url: str | None, explain: bool) -> None:
    """Extract the article from a saved page (.html or .html.gz) or an http(s) URL; print it as JSON.

    \b
    Example:
        crosswire extract saved/report.html.gz --url https://outlet.example/2024/report
        crosswire extract https://outlet.example/2024/report --explain
    """
    if fetch.is_web_url(source):
        page = fetch.fetch(source)
    else:
        page = fetch.read_file(Path(source))
    url = page_url or page.url
    article = extract_page(page.body, url, content_type=page.content_type)
    if not explain:
        echo_json(article.to_dict())
        return
    echo(explanation(article, page_headline_candidates(page.body, url, page.content_type)))


def explanation(article: Article, candidates: list[tuple[str, str, str]]) -> str:
    """The --explain report: each field's source and value, then the headline candidates."""
    lines = [f"{'field':<14} {'from':<20} value"]
    data = article.to_dict()
    for name in _EXPLAINED:
        value = data.get(name)
        if value in (None, "", []):
            shown, origin = "-", "(not found)"
        else:
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            shown = shown.replace("\n", " ")
            shown = shown if len(shown) <= 100 else shown[:99] + "…"
            origin = article.provenance.get(name, "-")
        lines.append(f"{name:<14} {origin:<20} {shown}")
    lines.append("")
    lines.append("headline candidates (source: as the page gives it -> without decoration):")
    for source, raw, reduced in candidates:
        arrow = "" if raw == reduced else f"  ->  {reduced}"
        lines.append(f"  {source:<10} {raw}{arrow}")
    return "\n".join(lines)
