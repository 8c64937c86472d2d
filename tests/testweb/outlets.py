"""Fictional outlets as data: each is one TOML file under content/, turned here into a `Site`.

A content file holds `[outlet]` (name, language, template, metadata style, page charset), `[[feed]]` tables
(path, format, which sections, tracking query appended to links) and `[[article]]` tables (path, title,
authors, dates, lede, paragraphs). Adding an outlet means adding a file; adding a behaviour means a route.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from testweb import feeds, pages
from testweb.site import Request, Response, Site, make_response

CONTENT_DIR = Path(__file__).parent / "content"


@dataclass
class ArticleData:
    """One article's ground truth: what its page shows as the article."""

    path: str
    title: str
    authors: list[str]
    published: datetime
    lede: str
    paragraphs: list[str]
    section: str = "world"
    modified: datetime | None = None
    tags: list[str] = field(default_factory=list)
    teaser: int = 1                  # paragraphs a listing page shows under the headline

    @property
    def text(self) -> str:
        """Paragraphs joined by blank lines, as Article.text holds them."""
        return "\n\n".join(self.paragraphs)


@dataclass
class FeedSpec:
    """One feed an outlet publishes."""

    path: str
    format: str                      # a key of feeds.FORMATS
    title: str
    sections: list[str] | None = None   # None: every article
    link_query: str = ""             # e.g. tracking parameters appended to each item link
    full_content: bool = False       # put the whole body in the feed (content:encoded / content_html)
    encoding: str = "utf-8"


@dataclass
class Outlet:
    """An outlet's identity, presentation and content."""

    name: str
    title: str
    description: str
    language: str
    country: str
    tags: list[str]
    template: str                    # a key of pages.TEMPLATES
    metadata: str = "none"           # "jsonld", "meta" or "none": what the <head> declares
    charset: str = "utf-8"           # bytes of article pages
    declare_charset: bool = True     # False: no charset in Content-Type nor in <meta>
    listing: str | None = None       # path of a headline listing page, if any
    articles: list[ArticleData] = field(default_factory=list)
    feeds: list[FeedSpec] = field(default_factory=list)

    def feed_articles(self, spec: FeedSpec) -> list[ArticleData]:
        """The articles a feed lists, newest first."""
        chosen = [a for a in self.articles if spec.sections is None or a.section in spec.sections]
        return sorted(chosen, key=lambda a: a.published, reverse=True)


def _article(raw: dict[str, Any]) -> ArticleData:
    raw = dict(raw)
    raw["published"] = datetime.fromisoformat(raw["published"])
    if raw.get("modified"):
        raw["modified"] = datetime.fromisoformat(raw["modified"])
    raw["paragraphs"] = [" ".join(p.split()) for p in raw["paragraphs"]]   # TOML multi-line -> one line
    raw["lede"] = " ".join(raw["lede"].split())
    return ArticleData(**raw)


def load_outlet(name: str, content_dir: Path = CONTENT_DIR) -> Outlet:
    """Read content/<name>.toml into an Outlet."""
    with open(content_dir / f"{name}.toml", "rb") as handle:
        data = tomllib.load(handle)
    outlet = Outlet(**data["outlet"])
    outlet.articles = [_article(a) for a in data.get("article", [])]
    outlet.feeds = [FeedSpec(**f) for f in data.get("feed", [])]
    return outlet


def feed_link(site: Site, article: ArticleData, spec: FeedSpec) -> str:
    """The link a feed gives for an article (with the feed's tracking query, if any)."""
    url = site.url(article.path)
    return f"{url}?{spec.link_query}" if spec.link_query else url


def feed_channel(outlet: Outlet, site: Site, spec: FeedSpec) -> feeds.FeedChannel:
    """The channel a FeedSpec describes, with absolute links on `site`."""
    items = []
    for article in outlet.feed_articles(spec):
        link = feed_link(site, article, spec)
        guid = (f"tag:{outlet.name}.test,{article.published:%Y-%m-%d}:{article.path}"
                if spec.format == "atom" else site.url(article.path))
        items.append(feeds.FeedItem(
            link=link, title=article.title, guid=guid, summary=article.lede,
            published=article.published, updated=article.modified, authors=list(article.authors),
            categories=list(article.tags), language=outlet.language,
            content_html="".join(f"<p>{escape(p)}</p>" for p in article.paragraphs) if spec.full_content else "",
        ))
    return feeds.FeedChannel(title=spec.title, link=site.url("/"), self_url=site.url(spec.path),
                             description=outlet.description, language=outlet.language, items=items)


def _feed_handler(outlet: Outlet, site: Site, spec: FeedSpec):
    def handle(request: Request) -> Response:
        channel = feed_channel(outlet, site, spec)
        body, content_type = feeds.render(channel, spec.format, spec.encoding)
        return make_response(body, content_type, last_modified=channel.updated)
    return handle


def page_response(outlet: Outlet, html_text: str, last_modified: datetime | None) -> Response:
    """Encode a page in the outlet's charset, declaring it (or not) as the outlet says."""
    content_type = f"text/html; charset={outlet.charset}" if outlet.declare_charset else "text/html"
    return make_response(html_text.encode(outlet.charset), content_type, last_modified=last_modified)


def _article_handler(outlet: Outlet, site: Site, article: ArticleData):
    def handle(request: Request) -> Response:
        html_text = pages.render_article(outlet, site, article)
        return page_response(outlet, html_text, article.modified or article.published)
    return handle


def _newest(outlet: Outlet) -> datetime | None:
    return max((a.modified or a.published for a in outlet.articles), default=None)


def build_site(outlet: Outlet, base_url: str) -> Site:
    """A Site serving the outlet's homepage, articles, feeds and listing page."""
    site = Site(outlet.name, base_url)
    site.add("/", lambda request: page_response(outlet, pages.render_home(outlet, site), _newest(outlet)))
    for article in outlet.articles:
        site.add(article.path, _article_handler(outlet, site, article))
    for spec in outlet.feeds:
        site.add(spec.path, _feed_handler(outlet, site, spec))
    if outlet.listing:
        site.add(outlet.listing,
                 lambda request: page_response(outlet, pages.render_listing(outlet, site), _newest(outlet)))
    return site


def ground_truth(outlet: Outlet, site: Site) -> list[dict[str, Any]]:
    """Each article as tests should find it stored, in the outlet's content order."""
    out = []
    for article in outlet.articles:
        out.append({
            "url": site.url(article.path),
            "path": article.path,
            "title": article.title,
            "authors": list(article.authors),
            "published": article.published.isoformat(),
            "modified": article.modified.isoformat() if article.modified else None,
            "language": outlet.language,
            "section": article.section,
            "lede": article.lede,
            "paragraphs": list(article.paragraphs),
            "text": article.text,
            "feed_links": [feed_link(site, article, spec) for spec in outlet.feeds
                           if article in outlet.feed_articles(spec)],
        })
    return out
