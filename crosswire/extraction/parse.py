"""The one parse of a page: decoded HTML text → the lxml tree every reader of the page shares.

trafilatura's own loader (trafilatura.utils.load_html) with the same steps and parser settings, but with the
element classes chosen in C: lxml.html's parser asks a Python method (HtmlElementClassLookup.lookup) for
the class of every element each time Python touches one, which was ~14 % of a worker's CPU a page (cProfile,
the 40 extraction-dev pages). Every element here is an HtmlElement (text_content(), drop_tree() and the rest
work as before); only lxml's form-field classes (InputElement, SelectElement …), which nothing reads, are not
used. trafilatura copies the trees it is given and keeps the parser of the copy, so its work is faster too.
"""

from __future__ import annotations

import logging

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction, fromstring
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, INVALID_XML_CHARS, is_dubious_html

LOGGER = logging.getLogger(__name__)


def _parser() -> HTMLParser:
    """trafilatura's HTML_PARSER settings, with a lookup done in C."""
    parser = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                        remove_pis=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
    return parser


PARSER = _parser()

# What repair_faulty_html's first step removes (trafilatura.utils.INVALID_XML_CHARS): control characters
# libxml2 refuses. Looking for each with `in` (a C scan per character) costs a third of that regular
# expression's pass over the whole page, and almost no page has any.
_INVALID_CHARS = tuple(chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF))


def parse_html(markup: str) -> HtmlElement | None:
    """The page's tree, or None when it does not parse as an HTML document (as trafilatura's load_html)."""
    beginning = markup[:50].lower()
    markup = repair_html(markup, beginning)
    tree: HtmlElement | None = None
    try:
        tree = fromstring(markup, parser=PARSER)
    except ValueError:
        # "Unicode strings with encoding declaration are not supported": lxml reads the bytes instead.
        return _parse_bytes(markup)
    except Exception as exc:  # noqa: BLE001 - libxml2 can refuse hostile input in many ways; the page is not HTML
        LOGGER.error("lxml parsing failed: %s", exc)
    if tree is None or len(tree) < 1:
        tree = _parse_bytes(markup)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None     # no <html> in its first characters and next to nothing parsed: not a page
    return tree


def repair_html(markup: str, beginning: str) -> str:
    """trafilatura.utils.repair_faulty_html(markup, beginning), its scan for control characters done as above."""
    if any(char in markup for char in _INVALID_CHARS):
        markup = INVALID_XML_CHARS.sub("", markup)
    # libxml2 misreads a doctype with a slash in it (https://bugs.launchpad.net/lxml/+bug/1955915)
    if "doctype" in beginning:
        first_line, _, rest = markup.partition("\n")
        markup = DOCTYPE_TAG.sub("", first_line, count=1) + "\n" + rest
    # a self-closing <html/> in the first lines would close the document
    for line in markup[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", markup, count=1)
    return markup


def _parse_bytes(markup: str) -> HtmlElement | None:
    try:
        return fromstring(markup.encode("utf8", "surrogatepass"), parser=PARSER)
    except Exception as exc:  # noqa: BLE001 - as above
        LOGGER.error("lxml parsing of bytes failed: %s", exc)
        return None
