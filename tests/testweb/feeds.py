"""Render one channel of items as RSS 2.0 (plain, WordPress's, or headlines only), RSS 1.0 (RDF), RSS 0.91,
Atom 1.0 or JSON Feed 1.1.

Pure functions from data to text, written by hand (not a feed library) so each format's quirks are
visible and a test outlet can bend them on purpose.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Callable
from xml.sax.saxutils import escape, quoteattr


@dataclass
class FeedItem:
    """One entry as a feed announces it."""

    link: str
    title: str
    guid: str
    summary: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    content_html: str = ""
    language: str | None = None


@dataclass
class FeedChannel:
    """The feed itself."""

    title: str
    link: str           # the outlet's homepage
    self_url: str       # where the feed lives
    description: str
    language: str
    items: list[FeedItem] = field(default_factory=list)

    @property
    def updated(self) -> datetime | None:
        """The newest date among the items."""
        dates = [i.updated or i.published for i in self.items if i.updated or i.published]
        return max(dates) if dates else None


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment, usegmt=False)


def _tag(name: str, text: str | None) -> str:
    return f"<{name}>{escape(text)}</{name}>" if text else ""


def rss20(channel: FeedChannel, encoding: str = "utf-8") -> str:
    """RSS 2.0 with dc:creator and content:encoded."""
    items = []
    for item in channel.items:
        parts = [
            _tag("title", item.title), _tag("link", item.link),
            f'<guid isPermaLink="{"true" if item.guid == item.link else "false"}">{escape(item.guid)}</guid>',
            _tag("description", item.summary),
        ]
        if item.published:
            parts.append(_tag("pubDate", _rfc822(item.published)))
        parts += [_tag("dc:creator", a) for a in item.authors]
        parts += [_tag("category", c) for c in item.categories]
        if item.content_html:
            parts.append(f"<content:encoded><![CDATA[{item.content_html}]]></content:encoded>")
        items.append("    <item>\n      " + "\n      ".join(p for p in parts if p) + "\n    </item>")
    updated = channel.updated
    return "\n".join([
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom">',
        "  <channel>",
        "    " + _tag("title", channel.title),
        "    " + _tag("link", channel.link),
        f'    <atom:link href={quoteattr(channel.self_url)} rel="self" type="application/rss+xml"/>',
        "    " + _tag("description", channel.description),
        "    " + _tag("language", channel.language),
        "    " + (_tag("lastBuildDate", _rfc822(updated)) if updated else ""),
        *items,
        "  </channel>",
        "</rss>",
        "",
    ])


def rss20_headlines(channel: FeedChannel, encoding: str = "utf-8") -> str:
    """RSS 2.0 of headlines only: title, link, guid, date and category per item, no description (RIA Novosti's
    archive feed is like this)."""
    items = []
    for item in channel.items:
        parts = [_tag("title", item.title), _tag("link", item.link), f"<guid>{escape(item.guid)}</guid>"]
        if item.published:
            parts.append(_tag("pubDate", _rfc822(item.published)))
        parts += [_tag("category", c) for c in item.categories[:1]]
        items.append("    <item>\n      " + "\n      ".join(parts) + "\n    </item>")
    return _rss_document("2.0", channel, items, encoding)


def wordpress(channel: FeedChannel, encoding: str = "utf-8") -> str:
    """RSS 2.0 as WordPress writes it: tabs, CDATA, a ?p=N guid, several categories, an excerpt ending "[…]"
    followed by "The post … appeared first on …", the whole post in content:encoded, comment links, sy: hints."""
    items = []
    for item in channel.items:
        post_id = zlib.crc32(item.link.encode()) % 90000 + 10000     # stable, like WordPress's post ids
        tail = (f'<p>The post <a href="{item.link}">{escape(item.title)}</a> appeared first on '
                f'<a href="{channel.link}">{escape(channel.title)}</a>.</p>')
        parts = [
            _tag("title", item.title), _tag("link", item.link), f"<comments>{escape(item.link)}#respond</comments>",
            *(f"<dc:creator><![CDATA[{a}]]></dc:creator>" for a in item.authors),
            _tag("pubDate", _rfc822(item.published)) if item.published else "",
            *(f"<category><![CDATA[{c}]]></category>" for c in item.categories),
            f'<guid isPermaLink="false">{escape(channel.link)}?p={post_id}</guid>',
            f"<description><![CDATA[<p>{escape(item.summary)} [&#8230;]</p>\n{tail}\n]]></description>",
            f"<content:encoded><![CDATA[{item.content_html}]]></content:encoded>" if item.content_html else "",
            f"<wfw:commentRss>{escape(item.link)}feed/</wfw:commentRss>", "<slash:comments>0</slash:comments>",
        ]
        items.append("\t<item>\n\t\t" + "\n\t\t".join(p for p in parts if p) + "\n\t</item>")
    updated = channel.updated
    return "\n".join([
        f'<?xml version="1.0" encoding="{encoding.upper()}"?><rss version="2.0"',
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"',
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"',
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"',
        '\txmlns:atom="http://www.w3.org/2005/Atom"',
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"',
        '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"',
        "\t>",
        "",
        "<channel>",
        "\t" + _tag("title", channel.title),
        f'\t<atom:link href={quoteattr(channel.self_url)} rel="self" type="application/rss+xml" />',
        "\t" + _tag("link", channel.link),
        "\t" + _tag("description", channel.description),
        "\t" + (_tag("lastBuildDate", _rfc822(updated)) if updated else ""),
        "\t" + _tag("language", f"{channel.language}-US" if channel.language == "en" else channel.language),
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>",
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>",
        "\t<generator>https://wordpress.org/?v=6.7.1</generator>",
        *items,
        "\t</channel>",
        "</rss>",
        "",
    ])


def rss10(channel: FeedChannel, encoding: str = "utf-8") -> str:
    """RSS 1.0: RDF with an rdf:Seq of item URIs and Dublin Core dates and creators."""
    seq = "\n".join(f"        <rdf:li rdf:resource={quoteattr(i.link)}/>" for i in channel.items)
    items = []
    for item in channel.items:
        parts = [_tag("title", item.title), _tag("link", item.link), _tag("description", item.summary)]
        if item.published:
            parts.append(_tag("dc:date", item.published.isoformat()))
        parts += [_tag("dc:creator", a) for a in item.authors]
        parts += [_tag("dc:subject", c) for c in item.categories]
        parts.append(_tag("dc:language", item.language or channel.language))
        items.append(f"  <item rdf:about={quoteattr(item.link)}>\n    "
                     + "\n    ".join(p for p in parts if p) + "\n  </item>")
    return "\n".join([
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f"  <channel rdf:about={quoteattr(channel.self_url)}>",
        "    " + _tag("title", channel.title),
        "    " + _tag("link", channel.link),
        "    " + _tag("description", channel.description),
        "    " + _tag("dc:language", channel.language),
        "    <items>\n      <rdf:Seq>\n" + seq + "\n      </rdf:Seq>\n    </items>",
        "  </channel>",
        *items,
        "</rdf:RDF>",
        "",
    ])


def rss091(channel: FeedChannel, encoding: str = "utf-8") -> str:
    """RSS 0.91 (Userland): items carry only title, link and description — no dates, no guid."""
    items = [
        "    <item>\n      " + "\n      ".join(p for p in (
            _tag("title", i.title), _tag("link", i.link), _tag("description", i.summary)) if p)
        + "\n    </item>"
        for i in channel.items
    ]
    return _rss_document("0.91", channel, items, encoding)


def atom(channel: FeedChannel, encoding: str = "utf-8") -> str:
    """Atom 1.0 with tag: ids, published and updated per entry."""
    entries = []
    for item in channel.items:
        updated = item.updated or item.published
        parts = [
            f'<title type="text">{escape(item.title)}</title>',
            f'<link rel="alternate" type="text/html" href={quoteattr(item.link)}/>',
            _tag("id", item.guid),
            _tag("published", item.published.isoformat() if item.published else None),
            _tag("updated", updated.isoformat() if updated else None),
            *(f"<author><name>{escape(a)}</name></author>" for a in item.authors),
            *(f"<category term={quoteattr(c)}/>" for c in item.categories),
            f'<summary type="text">{escape(item.summary)}</summary>' if item.summary else "",
        ]
        if item.content_html:
            parts.append(f'<content type="html">{escape(item.content_html)}</content>')
        entries.append("  <entry>\n    " + "\n    ".join(p for p in parts if p) + "\n  </entry>")
    updated = channel.updated
    return "\n".join([
        f'<?xml version="1.0" encoding="{encoding}"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(channel.language)}>',
        "  " + _tag("title", channel.title),
        "  " + _tag("subtitle", channel.description),
        f'  <link rel="alternate" type="text/html" href={quoteattr(channel.link)}/>',
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(channel.self_url)}/>',
        "  " + _tag("id", channel.self_url),
        "  " + _tag("updated", updated.isoformat() if updated else None),
        *entries,
        "</feed>",
        "",
    ])


def jsonfeed(channel: FeedChannel, encoding: str = "utf-8") -> str:
    """JSON Feed 1.1."""
    items = []
    for item in channel.items:
        entry: dict[str, object] = {"id": item.guid, "url": item.link, "title": item.title}
        if item.content_html:
            entry["content_html"] = item.content_html
        if item.summary:
            entry["summary"] = item.summary
        if item.published:
            entry["date_published"] = item.published.isoformat()
        if item.updated:
            entry["date_modified"] = item.updated.isoformat()
        if item.authors:
            entry["authors"] = [{"name": a} for a in item.authors]
        if item.categories:
            entry["tags"] = item.categories
        entry["language"] = item.language or channel.language
        items.append(entry)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": channel.title,
        "home_page_url": channel.link,
        "feed_url": channel.self_url,
        "description": channel.description,
        "language": channel.language,
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, tuple[Callable[[FeedChannel, str], str], str]] = {
    "rss20": (rss20, "application/rss+xml"),
    "rss20-headlines": (rss20_headlines, "application/rss+xml"),
    "wordpress": (wordpress, "application/rss+xml"),
    "rss10": (rss10, "application/rdf+xml"),
    "rss091": (rss091, "application/rss+xml"),
    "atom": (atom, "application/atom+xml"),
    "jsonfeed": (jsonfeed, "application/feed+json"),
}


def render(channel: FeedChannel, fmt: str, encoding: str = "utf-8") -> tuple[bytes, str]:
    """The feed as bytes in `encoding` and its Content-Type."""
    renderer, media_type = FORMATS[fmt]
    return renderer(channel, encoding).encode(encoding), f"{media_type}; charset={encoding}"


def _rss_document(version: str, channel: FeedChannel, items: list[str], encoding: str) -> str:
    """An RSS document of this version: the channel's title, link, description and language, then its items."""
    return "\n".join([
        f'<?xml version="1.0" encoding="{encoding}"?>',
        f'<rss version="{version}">',
        "  <channel>",
        "    " + _tag("title", channel.title),
        "    " + _tag("link", channel.link),
        "    " + _tag("description", channel.description),
        "    " + _tag("language", channel.language),
        *items,
        "  </channel>",
        "</rss>",
        "",
    ])
