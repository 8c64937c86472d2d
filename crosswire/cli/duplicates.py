"""`crosswire duplicates [ARTICLE]`: copy families — who republished which story, and how closely."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import archive, db_option, json_option, user_errors
from crosswire.cli.output import echo, echo_json
from crosswire.storage.articles import resolve_article
from crosswire.storage.families import describe_families, family_of


@click.command()
@click.argument("article", required=False)
@db_option
@json_option
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=20, show_default=True, help="Families to list (newest first).")
@user_errors
def duplicates(article: str | None, db_path: Path | None, as_json: bool, limit: int) -> None:
    """List copy families: the origin (the wire, else the earliest), its copies, their outlets and how much of
    each copy's text the origin shares. With ARTICLE (an id or URL), only that article's family.

    \b
    Example:
        crosswire duplicates
        crosswire duplicates https://example.com/world/port-strike --json
    """
    db = archive(db_path)
    if article is not None:
        article_id = resolve_article(db, article)
        family_id = family_of(db, article_id)
        if family_id is None:
            if as_json:
                echo("[]")
            else:
                echo(f"Article {article_id} has no copies: no other stored article shares its text.")
            return
        families = describe_families(db, [family_id])
    else:
        families = describe_families(db, None, limit=limit)
    if as_json:
        echo_json(families)
        return
    if not families:
        echo("No copy families yet.")
        return
    for family in families:
        origin = family["origin"]
        outlets = sorted({m["source"] for m in [origin, *family["copies"]]})
        echo(f"Family {family['id']}: {len(family['copies']) + 1} articles from {len(outlets)} outlets "
                   f"({', '.join(outlets)})")
        echo(f"  origin  [{origin['id']}] {origin['source']}: {origin['title']}")
        echo(f"          {origin['url']}")
        for copy in family["copies"]:
            echo(f"  copy    [{copy['id']}] {copy['source']}: {copy['title']}  "
                       f"(similarity {copy['similarity']:.2f})")
            echo(f"          {copy['url']}")
