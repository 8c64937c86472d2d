"""HTML around an article: one template per outlet, each with its own nav, ads, related links and comments.

The chrome is deliberately noisy (inline "read more" boxes, ad slots between paragraphs, reader comments
as long as a paragraph) so extraction has to find the body rather than take every <p>.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from testweb.outlets import ArticleData, Outlet
    from testweb.site import Site

# Reader comments and page furniture per language; long enough to tempt a naive extractor.
CHROME = {
    "en": {
        "comments": [
            ("harbourview", "I have followed this story since the first week and this is the clearest account "
             "I have read anywhere. Nobody else seems to have bothered to talk to the people on the ground."),
            ("M. Okafor", "Whatever one thinks of the politics, the part about the water supply should worry "
             "everyone. Summer is coming and the aid agencies have been warning about this for months."),
            ("quietobserver22", "Same old story. Each side announces a victory, the map barely moves, and the "
             "civilians pay for all of it. I would like to see a follow-up in six months."),
        ],
        "comments_title": "Comments", "related": "More on this story", "newsletter":
            "Sign up for our morning briefing: the day's most important stories from the region, in your inbox.",
        "ad": "Advertisement", "read_more": "Read more", "share": "Share this article",
        "rights": "All rights reserved. No part of this site may be reproduced without permission.",
    },
    "ar": {
        "comments": [
            ("أبو سامر", "شكراً على هذا التقرير المفصل، فقد غابت هذه التفاصيل عن معظم وسائل الإعلام الأخرى "
             "التي اكتفت بنقل البيانات الرسمية دون التحقق منها على الأرض."),
            ("ريم", "نتمنى أن تتابعوا وضع النازحين في المخيمات، فالشتاء قاسٍ والمساعدات لا تصل إلا متأخرة "
             "وبكميات لا تكفي أحداً."),
        ],
        "comments_title": "التعليقات", "related": "تقارير ذات صلة",
        "newsletter": "اشترك في النشرة اليومية لتصلك أهم التقارير الميدانية كل صباح.",
        "ad": "إعلان", "read_more": "اقرأ أيضاً", "share": "شارك التقرير",
        "rights": "جميع الحقوق محفوظة. لا يجوز النسخ دون إذن مسبق.",
    },
    "ru": {
        "comments": [
            ("Сергей_К", "Спасибо за подробный материал. В центральных СМИ об этом не пишут вообще, "
             "а люди там живут в таких условиях уже который месяц."),
            ("наблюдатель", "Интересно было бы узнать, что говорит другая сторона. Пока что все цифры "
             "приводятся только из одного источника, и проверить их невозможно."),
        ],
        "comments_title": "Комментарии", "related": "Читайте также",
        "newsletter": "Подпишитесь на нашу рассылку, чтобы получать главные новости дня.",
        "ad": "Реклама", "read_more": "Читайте также", "share": "Поделиться",
        "rights": "Все права защищены. Перепечатка материалов только с разрешения редакции.",
    },
}


def _chrome(outlet: Outlet) -> dict:
    return CHROME.get(outlet.language, CHROME["en"])


def head_metadata(outlet: Outlet, site: Site, article: ArticleData) -> str:
    """<head> lines declaring the article: JSON-LD NewsArticle, <meta> tags, or nothing."""
    url = site.url(article.path)
    if outlet.metadata == "jsonld":
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
            "description": article.lede, "datePublished": article.published.isoformat(),
            "dateModified": (article.modified or article.published).isoformat(),
            "author": [{"@type": "Person", "name": a} for a in article.authors],
            "publisher": {"@type": "Organization", "name": outlet.title},
            "mainEntityOfPage": url, "inLanguage": outlet.language, "articleSection": article.section,
        }
        return (f'<link rel="canonical" href="{escape(url)}">\n'
                f'<meta property="og:title" content="{escape(article.title)}">\n'
                f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>')
    if outlet.metadata == "meta":
        lines = [
            f'<link rel="canonical" href="{escape(url)}">',
            f'<meta name="description" content="{escape(article.lede)}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{escape(article.title)}">',
            f'<meta property="og:url" content="{escape(url)}">',
            f'<meta property="og:site_name" content="{escape(outlet.title)}">',
            f'<meta property="article:published_time" content="{article.published.isoformat()}">',
            f'<meta property="article:section" content="{escape(article.section)}">',
        ]
        if article.modified:
            lines.append(f'<meta property="article:modified_time" content="{article.modified.isoformat()}">')
        lines += [f'<meta name="author" content="{escape(a)}">' for a in article.authors]
        return "\n".join(lines)
    return ""


def _charset_meta(outlet: Outlet) -> str:
    return f'<meta charset="{outlet.charset}">' if outlet.declare_charset else ""


def _related(outlet: Outlet, article: ArticleData, limit: int = 3) -> list[ArticleData]:
    return [a for a in outlet.articles if a is not article][:limit]


def _links(site: Site, articles: list[ArticleData], cls: str) -> str:
    items = "".join(f'<li><a href="{escape(site.url(a.path))}">{escape(a.title)}</a></li>' for a in articles)
    return f'<ul class="{cls}">{items}</ul>'


def _comments(outlet: Outlet, cls: str = "comments") -> str:
    chrome = _chrome(outlet)
    items = "".join(
        f'<li class="comment"><span class="comment-author">{escape(who)}</span><p>{escape(text)}</p></li>'
        for who, text in chrome["comments"])
    return f'<section class="{cls}"><h3>{chrome["comments_title"]}</h3><ol>{items}</ol></section>'


def _paragraphs(article: ArticleData, insert_every: int = 0, insert: str = "") -> str:
    """Body paragraphs, with `insert` (an ad or a read-more box) after every `insert_every` of them."""
    out = []
    for number, text in enumerate(article.paragraphs, 1):
        out.append(f"<p>{escape(text)}</p>")
        if insert_every and number % insert_every == 0 and number < len(article.paragraphs):
            out.append(insert)
    return "\n".join(out)


def _date(article: ArticleData, fmt: str = "%d %B %Y, %H:%M") -> str:
    return f'<time datetime="{article.published.isoformat()}">{article.published.strftime(fmt)}</time>'


def _ledger(outlet: Outlet, site: Site, article: ArticleData) -> str:
    c = _chrome(outlet)
    related = _related(outlet, article)
    box = (f'<aside class="inline-related"><strong>{c["read_more"]}:</strong> '
           f'<a href="{escape(site.url(related[0].path))}">{escape(related[0].title)}</a></aside>'
           if related else "")
    ad = f'<div class="ad-slot ad-mpu"><span>{c["ad"]}</span><p>Book your spring getaway to the Algarve from £199.</p></div>'
    return f"""<header class="masthead"><a class="logo" href="/">{escape(outlet.title)}</a>
<nav class="primary"><a href="/world">World</a> <a href="/world/middle-east">Middle East</a> <a href="/politics">Politics</a>
<a href="/business">Business</a> <a href="/opinion">Opinion</a> <a href="/sport">Sport</a></nav></header>
<div class="breadcrumb"><a href="/world">World</a> › <a href="/world/{escape(article.section)}">{escape(article.section.replace('-', ' ').title())}</a></div>
<main><article class="story">
<h1 class="headline">{escape(article.title)}</h1>
<p class="standfirst">{escape(article.lede)}</p>
<div class="byline">By {escape(' and '.join(article.authors))} · {_date(article)}</div>
<figure class="lead-image"><img src="/img/{article.path.rsplit('/', 1)[-1]}.jpg" alt=""><figcaption>Photograph: Ledger staff</figcaption></figure>
<div class="article-body">
{_paragraphs(article, 2, ad if len(article.paragraphs) > 4 else box)}
</div>
<div class="share"><span>{c["share"]}</span> <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a></div>
</article>
<section class="related"><h2>{c["related"]}</h2>{_links(site, related, "related-list")}</section>
{_comments(outlet)}
<div class="newsletter"><p>{c["newsletter"]}</p><form><input name="email"><button>Sign up</button></form></div>
</main>
<footer><p>© 2024 {escape(outlet.title)}. {c["rights"]}</p><a href="/about">About us</a> <a href="/contact">Contact</a> <a href="/privacy">Privacy</a></footer>"""


def _dispatch(outlet: Outlet, site: Site, article: ArticleData) -> str:
    c = _chrome(outlet)
    related = _related(outlet, article, 4)
    read_more = "".join(
        f'<div class="read-more">{c["read_more"]}: <a href="{escape(site.url(a.path))}">{escape(a.title)}</a></div>'
        for a in related[:1])
    return f"""<div class="topbar"><span class="live">LIVE</span> <a href="/live">Watch our broadcast</a></div>
<header><a href="/" class="brand">{escape(outlet.title)}</a>
<ul class="menu"><li><a href="/news">News</a></li><li><a href="/russia">Russia</a></li><li><a href="/world">World</a></li><li><a href="/op-ed">Op-ed</a></li></ul></header>
<div class="layout"><div class="article">
<div class="article__date">{_date(article, '%d %b, %Y %H:%M')} GMT</div>
<h1 class="article__heading">{escape(article.title)}</h1>
<div class="article__summary">{escape(article.lede)}</div>
<div class="article__text">
{_paragraphs(article, 3, read_more)}
</div>
<div class="article__tags">{' '.join(f'<a href="/tags/{escape(t)}">{escape(t)}</a>' for t in article.tags)}</div>
</div>
<aside class="trending"><h3>Trending</h3>{_links(site, related, "trend-list")}</aside></div>
{_comments(outlet, "disqus-thread")}
<footer class="site-footer"><p>{escape(outlet.title)} © 2005–2024. {c["rights"]}</p></footer>"""


def _wire(outlet: Outlet, site: Site, article: ArticleData) -> str:
    related = _related(outlet, article)
    return f"""<div class="wire-bar"><a href="/">{escape(outlet.title)}</a> | <a href="/markets">Markets</a> | <a href="/world">World</a> | <a href="/energy">Energy</a> | <a href="/subscribe">Subscribe</a></div>
<div class="ticker">BRENT ▲ 0.4% · GOLD ▼ 0.1% · USD/TRY ▲ 0.2%</div>
<div class="story-wrap">
<h1>{escape(article.title)}</h1>
<div class="meta"><span class="author">{escape(', '.join(article.authors))}</span> <span class="ts">{_date(article, '%B %d, %Y %I:%M %p')} UTC</span></div>
<div class="story-body">
{_paragraphs(article)}
</div>
<p class="credit">Reporting by {escape(' and '.join(article.authors))}; editing by the {escape(outlet.title)} desk.</p>
<p class="trust">Our standards: the {escape(outlet.title)} Trust Principles.</p>
</div>
<div class="more-from"><h4>More from {escape(outlet.title)}</h4>{_links(site, related, "wire-related")}</div>
<div class="ad-banner">{_chrome(outlet)["ad"]}: Real-time energy prices for professionals — start a free trial.</div>
<footer><p>All quotes delayed a minimum of 15 minutes. © 2024 {escape(outlet.title)}.</p></footer>"""


def _monitor(outlet: Outlet, site: Site, article: ArticleData) -> str:
    c = _chrome(outlet)
    related = _related(outlet, article)
    return f"""<header class="top"><a href="/" class="logo">{escape(outlet.title)}</a>
<nav><a href="/reports">تقارير</a> <a href="/statistics">إحصائيات</a> <a href="/about">من نحن</a> <a href="/contact">اتصل بنا</a></nav></header>
<section class="report">
<h1 class="report-title">{escape(article.title)}</h1>
<div class="report-meta">{escape('، '.join(article.authors))} — {_date(article, '%Y-%m-%d %H:%M')}</div>
<div class="report-summary">{escape(article.lede)}</div>
<div class="report-text">
{_paragraphs(article, 2, f'<div class="ad">{c["ad"]}</div>')}
</div>
</section>
<aside class="side"><h3>{c["related"]}</h3>{_links(site, related, "side-links")}</aside>
{_comments(outlet)}
<div class="newsletter">{c["newsletter"]}</div>
<footer>{c["rights"]} © {escape(outlet.title)}</footer>"""


def _vestnik(outlet: Outlet, site: Site, article: ArticleData) -> str:
    c = _chrome(outlet)
    related = _related(outlet, article)
    body = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    return f"""<table width="100%" class="top"><tr><td><a href="/"><b>{escape(outlet.title)}</b></a></td>
<td align="right"><a href="/news/">Новости</a> | <a href="/analytics/">Аналитика</a> | <a href="/archive/">Архив</a></td></tr></table>
<table width="100%"><tr>
<td width="180" valign="top" class="left"><b>{c["related"]}</b>{_links(site, related, "left-links")}
<div class="banner">{c["ad"]}: Окна и двери — скидки до 30%!</div></td>
<td valign="top" class="text">
<h1>{escape(article.title)}</h1>
<div class="date">{_date(article, '%d.%m.%Y %H:%M')}</div>
<div class="author">Автор: {escape(', '.join(article.authors))}</div>
{body}
</td></tr></table>
{_comments(outlet)}
<div class="counter">Счётчик посещений: 104 233</div>
<div class="bottom">© {escape(outlet.title)}, 2003–2024. {c["rights"]}</div>"""


def _review(outlet: Outlet, site: Site, article: ArticleData) -> str:
    c = _chrome(outlet)
    related = _related(outlet, article, 5)
    return f"""<div id="page" class="site"><header id="masthead" class="site-header">
<p class="site-title"><a href="/">{escape(outlet.title)}</a></p><p class="site-description">{escape(outlet.description)}</p>
<nav id="site-navigation"><ul><li><a href="/syrian-conflict/">Syrian conflict</a></li><li><a href="/ukraine/">Ukraine</a></li><li><a href="/analysis/">Analysis</a></li><li><a href="/donate/">Support us</a></li></ul></nav></header>
<div id="content"><main id="main"><article class="post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{escape(article.title)}</h1>
<div class="entry-meta"><span class="posted-on">{_date(article, '%B %d, %Y')}</span> <span class="byline">by {escape(', '.join(article.authors))}</span></div></header>
<div class="entry-content">
{_paragraphs(article)}
</div>
<footer class="entry-footer">Posted in <a href="/syrian-conflict/">Syrian conflict</a></footer>
</article>
<nav class="post-navigation">{_links(site, related[:2], "nav-links")}</nav>
{_comments(outlet, "comments-area")}
<div id="respond"><h3>Leave a Reply</h3><form><textarea name="comment"></textarea><button>Post Comment</button></form></div>
</main>
<aside id="secondary" class="widget-area"><section class="widget"><h2>Recent Posts</h2>{_links(site, related, "recent-posts")}</section>
<section class="widget"><h2>{c["ad"]}</h2><p>Independent analysis depends on readers like you. Donate today.</p></section></aside></div>
<footer id="colophon"><p>© {escape(outlet.title)} · Proudly independent</p></footer></div>"""


TEMPLATES: dict[str, Callable[["Outlet", "Site", "ArticleData"], str]] = {
    "ledger": _ledger, "dispatch": _dispatch, "wire": _wire,
    "monitor": _monitor, "vestnik": _vestnik, "review": _review,
}


def _document(outlet: Outlet, title: str, head: str, body: str) -> str:
    direction = ' dir="rtl"' if outlet.language in ("ar", "fa", "he") else ""
    return (f'<!DOCTYPE html>\n<html lang="{outlet.language}"{direction}>\n<head>\n{_charset_meta(outlet)}\n'
            f'<title>{escape(title)}</title>\n{head}\n</head>\n<body class="{outlet.template}">\n{body}\n</body>\n</html>\n')


def render_article(outlet: Outlet, site: Site, article: ArticleData) -> str:
    """The full HTML page of one article in the outlet's template."""
    body = TEMPLATES[outlet.template](outlet, site, article)
    return _document(outlet, f"{article.title} | {outlet.title}", head_metadata(outlet, site, article), body)


def render_home(outlet: Outlet, site: Site) -> str:
    """A homepage linking every article, newest first."""
    newest = sorted(outlet.articles, key=lambda a: a.published, reverse=True)
    body = f"<h1>{escape(outlet.title)}</h1>\n<p>{escape(outlet.description)}</p>\n{_links(site, newest, 'home-list')}"
    return _document(outlet, outlet.title, "", body)


def render_listing(outlet: Outlet, site: Site) -> str:
    """A category page: headline linking to the article, then its first paragraph(s), newest first."""
    blocks = []
    for article in sorted(outlet.articles, key=lambda a: a.published, reverse=True):
        teaser = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs[:article.teaser])
        blocks.append(f'<article class="post"><h2 class="entry-title"><a href="{escape(site.url(article.path))}" '
                      f'rel="bookmark">{escape(article.title)}</a></h2>\n<div class="entry-summary">{teaser}</div>'
                      f'<a class="more-link" href="{escape(site.url(article.path))}">Continue reading</a></article>')
    body = (f'<header><p class="site-title"><a href="/">{escape(outlet.title)}</a></p></header>\n'
            f'<main><h1 class="page-title">Syrian conflict</h1>\n' + "\n".join(blocks) + "\n</main>")
    return _document(outlet, f"Syrian conflict | {outlet.title}", "", body)
