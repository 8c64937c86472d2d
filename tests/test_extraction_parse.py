"""A page is parsed once: metadata, rules, headline, dates and trafilatura all read the same tree."""

from __future__ import annotations

import sys
from typing import Any, Callable

import lxml.etree
import lxml.html
import pytest
import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import repair_faulty_html

from crosswire.extraction.page import drop_unread, extract
from crosswire.extraction.parse import parse_html, repair_html

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Ferry service resumes | The Harbour Gazette</title>
<meta property="og:title" content="Ferry service resumes after the storm">
<meta name="description" content="The crossing to the islands reopened on Friday.">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferry service resumes after the storm",
"datePublished": "2026-03-06T08:00:00Z", "author": {"@type": "Person", "name": "Mara Quill"}}</script>
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article>
<h1>Ferry service resumes after the storm</h1><p class="byline">By Mara Quill</p>
<p>The ferry crossing to the outer islands reopened on Friday morning after three days in which the storm kept
every boat in the harbour, the port authority said in a short statement.</p>
<p>Islanders who had waited on the quay since dawn carried crates of bread and fuel aboard the first sailing,
and the operator added two evening crossings to clear the backlog of freight.</p>
<p>Engineers inspected the pier at first light and found only minor damage to the fenders and one gangway.</p>
</article><aside class="promo">Subscribe to the Gazette for every island story.</aside></body></html>"""

# Every lxml entry point that turns text into a tree, wherever a module imported it under its own name.
_PARSERS = (lxml.etree.fromstring, lxml.etree.HTML, lxml.html.fromstring, lxml.html.document_fromstring,
            lxml.html.fragment_fromstring)


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Patch every loaded module's reference to an lxml parse function; return the list each parse appends to."""
    calls: list[str] = []

    def counting(name: str, parse: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # lxml.html's functions call lxml.etree.fromstring themselves: count the outermost call only.
            depth[0] += 1
            try:
                if depth[0] == 1:
                    calls.append(name)
                return parse(*args, **kwargs)
            finally:
                depth[0] -= 1
        return wrapper

    depth = [0]
    for module in list(sys.modules.values()):
        for attr, value in list(getattr(module, "__dict__", {}).items()):
            if any(value is parse for parse in _PARSERS):
                monkeypatch.setattr(module, attr, counting(f"{module.__name__}.{attr}", value))
    return calls


def test_a_page_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_parses(monkeypatch)
    article = extract(PAGE.encode(), "https://gazette.test/2026/03/06/ferry")
    assert ("Ferry service resumes after the storm", ["Mara Quill"]) == (article.title, article.authors)
    assert ["crosswire.extraction.parse.fromstring"] == calls


def test_a_page_with_rules_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The rules used to drop their elements from a tree of their own, written back to text and parsed again.
    calls = count_parses(monkeypatch)
    article = extract(PAGE.encode(), "https://gazette.test/2026/03/06/ferry",
                      rules={"title": "h1", "drop": [".promo"]})
    assert "Ferry service resumes after the storm" == article.title
    assert "Subscribe" not in article.text
    assert ["crosswire.extraction.parse.fromstring"] == calls


def test_every_element_is_an_html_element() -> None:
    tree = parse_html(PAGE)
    assert {True} == {isinstance(el, HtmlElement) for el in tree.iter() if isinstance(el.tag, str)}
    assert "Ferry service resumes after the storm" == tree.xpath("//h1")[0].text_content()


def test_not_a_page_parses_to_none() -> None:
    assert None is parse_html("just a line of text")


@pytest.mark.parametrize("markup", [
    PAGE,
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">"
    "\n<html><body><p>Old page</p></body></html>",
    "<html lang=\"en\"/>\n<body><p>A self-closing root</p></body></html>",
    "<html><body><p>Form\x0cfeed, a NUL\x00, a bell\x07 and U+FFFE\ufffe U+FFFF\uffff\tkept\r\n</p></body></html>",
    "<!doctype html><html><body><p>Без управляющих символов \x1f, one\x0b</p></body></html>",
])
def test_repair_matches_trafilatura(markup: str) -> None:
    # The parse repairs the markup as trafilatura's loader does, with a cheaper scan for control characters.
    beginning = markup[:50].lower()
    assert repair_faulty_html(markup, beginning) == repair_html(markup, beginning)


def test_control_characters_are_removed_before_parsing() -> None:
    tree = parse_html("<html><body><p>Form\x0cfeed\x00 and\x07 U+FFFE\ufffe\tkept</p></body></html>")
    assert "Formfeed and U+FFFE\tkept" == tree.xpath("//p")[0].text_content()


# Scripts and styles between words, in the head and the body, JSON-LD in both, a <noscript> with text; asides,
# footers and drawings with nothing trafilatura reads in them, and one of each kind it does read.
SCRIPTED = """<html><head><title>Ferry</title><meta name="x" content="y"><style>p {color: red}</style>
<script>var tracking = "<p>not text</p>";</script><noscript><link rel="stylesheet" href="a.css"></noscript>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferry service resumes"}</script>
</head><body><div class="main"><p>The ferry crossing reopened<script>ads.push(1)</script> on Friday morning after
three days in which the storm kept every boat in the harbour, the port authority said.</p><style>.x{}</style>tail
text after a style<aside class="share"><ul><li><a href="/s">Share</a></li></ul></aside> and an aside<p>Islanders
carried crates of bread and fuel aboard the first sailing, and the operator added two evening crossings to clear
the backlog of freight.<noscript>Enable scripts</noscript><svg><path d="M0 0"/></svg></p><aside><p>Kept: a
paragraph</p></aside><aside><h1>Kept: a heading</h1></aside>
<script type="application/ld+json">{"@type": "WebPage"}</script><script>late()</script></div>
<footer><a href="/about">About us</a> | <a href="/terms">Terms</a></footer>
<footer><script type="application/ld+json">{"@type": "Organization"}</script></footer></body></html>"""


@pytest.mark.parametrize("fast", [True, False])
def test_dropping_what_trafilatura_never_reads_keeps_its_text(fast: bool) -> None:
    whole, pruned = parse_html(SCRIPTED), parse_html(SCRIPTED)
    drop_unread(pruned)
    assert (["html", "head", "script", "body", "div", "p", "p", "noscript", "aside", "p", "aside", "h1", "script",
             "footer", "script"] == [el.tag for el in pruned.iter()])
    expected = ("The ferry crossing reopened on Friday morning after three days in which the storm kept every boat "
                "in the harbour, the port authority said.\ntail text after a style and an aside\nIslanders carried "
                "crates of bread and fuel aboard the first sailing, and the operator added two evening crossings to "
                "clear the backlog of freight.")
    texts = [trafilatura.bare_extraction(tree, fast=fast, include_comments=False).text for tree in (whole, pruned)]
    assert [expected, expected] == texts
