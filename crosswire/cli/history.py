"""`crosswire history ARTICLE`: how an article changed after publication, headline changes first."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.analysis.diffing import changed, render_plain, stats, word_diff
from crosswire.cli.options import archive, db_option, json_option, user_errors
from crosswire.cli.output import echo, echo_json
from crosswire.storage.articles import article_url, resolve_article
from crosswire.storage.revisions import versions


@click.command()
@click.argument("article")
@db_option
@json_option
@user_errors
def history(article: str, db_path: Path | None, as_json: bool) -> None:
    """Show the revisions of ARTICLE (an id or any of its URLs) as word-level diffs, headline changes first.

    \b
    Example:
        crosswire history 42
        crosswire history "https://example.com/news/market-shelling?utm_source=rss" --json
    """
    db = archive(db_path)
    article_id = resolve_article(db, article)
    url = article_url(db, article_id)
    found = versions(db, article_id)
    changes = []
    for old, new in zip(found, found[1:]):
        title_ops, body_ops = word_diff(old.title or "", new.title or ""), word_diff(old.text, new.text)
        changes.append({"from": old.number, "to": new.number, "at": new.seen_from,
                        "title": title_ops if changed(title_ops) else None,
                        "body": body_ops if changed(body_ops) else None})
    if as_json:
        echo_json({"article_id": article_id, "url": url, "versions": [v.to_dict() for v in found],
                   "changes": [{**c, "title_changes": stats(c["title"] or []),
                                "body_changes": stats(c["body"] or [])} for c in changes]})
        return
    echo(f"Article {article_id}: {found[-1].title}")
    echo(url)
    echo(f"{len(found)} version{'s' if len(found) != 1 else ''}, {len(found) - 1} "
               f"revision{'s' if len(found) != 2 else ''}")
    if not changes:
        echo("No revisions recorded: the article has not changed since it was first stored.")
        return
    headline = [c for c in changes if c["title"]]
    if headline:
        echo("\nHeadline changes")
        for c in headline:
            echo(f"  v{c['from']} → v{c['to']}  {c['at']}  {render_plain(c['title'])}")
    body = [c for c in changes if c["body"]]
    if body:
        echo("\nBody changes")
        for c in body:
            counts = stats(c["body"])
            echo(f"  v{c['from']} → v{c['to']}  {c['at']}  (-{counts['removed']} +{counts['added']} words)")
            echo(f"    {render_plain(c['body'])}")
