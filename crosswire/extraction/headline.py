"""Headline selection: the headline the page prints, found by the agreement of what the page declares.

A page names its headline several times: JSON-LD `headline`, `og:title`, `twitter:title`, `<title>` and the
visible `<h1>`. Each copy may carry decoration: the outlet's name or a section after a separator, a date, a
kicker before a colon, other quote marks. The candidates are stripped of what is recognisably the site (its
declared name or its host), then of whatever one candidate has and another lacks, and grouped by their
words alone (case, quotes and punctuation aside). The best-supported group wins, and its text is taken
from the visible heading when that is in the group, since that is what a reader saw and cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from crosswire.extraction.charset import decode_html
from crosswire.extraction.cleaning import clean_text, ld_names
from crosswire.extraction.htmlmeta import PageMeta, read_page_meta

# Separators between a headline and its decoration. A bare hyphen is a word joint, so dashes need spaces;
# pipes (and the Hangul letter used as one), double dashes and the full-width colon need none.
_SEPARATOR = re.compile(r"(\s+[|–—-]\s+|\s*[|ㅣ｜]\s*|\s*--+\s*|\s+::\s+|\s+[»·•]\s+|\s*：\s*)")
# A kicker ends with a colon or a dash: "Kicker: Headline" / "Kicker - Headline".
_KICKER_SEPARATOR = re.compile(r"(\s*:\s+|\s+[–—-]\s+)")
# Only for matching against another candidate: "Headline-Section" glued by a bare hyphen.
_JOINT = re.compile(r"(-)")
_DATE_PIECE = re.compile(r"^\W*\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\W*$")
_BY_PIECE = re.compile(r"^(by|von|par|por|di|door|av|af)\s", re.I)
_WORD = re.compile(r"\w+")
# Elements inside a heading that hold a kicker (overline, "Dachzeile", topic label) rather than the headline.
_KICKER_CLASS = re.compile(
    r"kicker|overline|dachzeile|spitzmarke|topline|roofline|eyebrow|super-?title|super-?headline|pre-?title"
    r"|strapline|flag|label|rubric|topic|category|ressort|section", re.I)
_NOT_HEADLINE_PLACE = re.compile(r"breadcrumb|\bnav|menu|logo|teaser|related|footer|sidebar|masthead", re.I)
_MAX_HEADLINE_CHARS = 400
_MAX_DEPTH = 30   # a heading nested deeper than this is hostile markup, read as plain text
_BREAK = "\u2063"   # where a block or kicker ends inside a heading: a space unless punctuation follows
_BREAK_BEFORE_PUNCT = re.compile(_BREAK + r"+(?=\s*[:,.;!?)])")
# Words of a site name too common to identify it ("The Times", "Die Zeitung").
_SITE_STOPWORDS = {"the", "die", "der", "das", "le", "la", "les", "el", "los", "il", "de", "news", "online",
                   "daily", "times", "post", "www", "com", "net", "org"}
# How much each kind of candidate counts when they disagree: the visible heading most (it is what the
# reader sees), then JSON-LD (written for the article page), then <title> and og:title; twitter:title and
# other meta tags mostly copy og:title, so they add little.
WEIGHTS = {"h1": 2.0, "json-ld": 1.5, "title-tag": 1.0, "og": 1.0, "twitter": 0.25, "meta": 0.25}
# Social and other meta titles are written together, so their agreement is one voice, not three.
_FAMILY = {"h1": "h1", "json-ld": "json-ld", "title-tag": "title-tag", "og": "meta", "twitter": "meta",
           "meta": "meta"}


@dataclass
class Candidate:
    """One declared or visible copy of the headline, with what it was reduced to."""

    source: str
    text: str


def squash(text: str) -> str:
    """Letters and digits only, casefolded: "MDR.DE" and "mdr.de" and "M D R de" are one name."""
    return "".join(_WORD.findall(text.casefold())).replace("_", "")


def headline_key(text: str) -> str:
    """The headline's words, casefolded: quotes, dashes, colons and spacing are decoration."""
    return " ".join(_WORD.findall(text.casefold()))


def declared_site_names(page: PageMeta) -> list[str]:
    """The outlet's names as the page declares them (og:site_name, JSON-LD publisher, a short app name)."""
    publisher = page.ld("publisher")
    names = [page.first("og:site_name"), *(ld_names(publisher) if publisher else [])]
    # Some CMSes fill application-name with the headline; an outlet's name is a few words.
    names += [n for n in page.all("application-name", "al:android:app_name", "apple-mobile-web-app-title")
              if len(n.split()) <= 4]
    return [t for t in (clean_text(n) for n in names) if t]


def site_keys(site_names: Iterable[str | None], url: str) -> tuple[set[str], set[str]]:
    """Squashed site names (and the host), and their distinctive words, to recognise the outlet in a title."""
    host = urlsplit(url).hostname or ""
    host = host[4:] if host.startswith("www.") else host
    keys = {squash(n) for n in site_names if n and squash(n)}
    if host:
        keys.add(squash(host))
        keys.add(squash(host.rsplit(".", 1)[0]))
    words = {w for n in site_names if n for w in _WORD.findall(n.casefold())
             if len(w) >= 4 and w not in _SITE_STOPWORDS}
    words |= {label for label in host.split(".")[:-1] if len(label) >= 4 and label not in _SITE_STOPWORDS}
    return {k for k in keys if k}, words


def _is_site_piece(piece: str, keys: set[str], words: set[str]) -> bool:
    """Whether a piece after a separator names the outlet, a date, or the byline rather than the story."""
    flat = squash(piece)
    if not flat or _DATE_PIECE.match(piece) or _BY_PIECE.match(piece):
        return True
    if len(piece.split()) > 5:
        return False   # a sentence, not a name
    if flat in keys or any(len(flat) >= 5 and (flat in k or k in flat) for k in keys if len(k) >= 5):
        return True
    # "Mirror Online" for "The Mirror": a short piece carrying a distinctive word of the site's name.
    tokens = _WORD.findall(piece.casefold())
    return len(tokens) <= 4 and any(t in words for t in tokens)


def _split(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Pieces and separators alternating: [piece, sep, piece, ...]."""
    return pattern.split(text)


def strip_site(text: str, keys: set[str], words: set[str]) -> str:
    """The title without leading/trailing pieces that name the outlet, a date or a byline."""
    parts = _split(text, _SEPARATOR)
    while len(parts) >= 3 and _is_site_piece(parts[-1], keys, words) and "".join(parts[:-2]).strip():
        parts = parts[:-2]
    while len(parts) >= 3 and _is_site_piece(parts[0], keys, words) and "".join(parts[2:]).strip():
        parts = parts[2:]
    return "".join(parts).strip()


def _cores(text: str) -> list[str]:
    """Every prefix and suffix of the title at a separator or kicker colon, longest first."""
    cores = []
    for pattern in (_SEPARATOR, _KICKER_SEPARATOR, _JOINT):
        parts = _split(text, pattern)
        for end in range(len(parts) - 2, 0, -2):
            cores.append("".join(parts[:end]).strip())
        for start in range(2, len(parts), 2):
            cores.append("".join(parts[start:]).strip())
    return sorted({c for c in cores if c}, key=len, reverse=True)


def _text_of(el: HtmlElement, *, skip_kickers: bool) -> str:
    """The element's visible text, optionally without kicker children, as one line."""
    parts: list[str] = []

    def walk(node: HtmlElement, depth: int) -> None:
        """Collect the text under `node`, skipping hidden parts (and kickers when asked)."""
        if depth > _MAX_DEPTH:
            parts.append(" ".join(node.itertext()))   # hostile nesting: plain text, no recursion
            return
        for child in node:
            if not isinstance(child.tag, str) or child.tag in ("script", "style", "template", "meta"):
                parts.append(child.tail or "")
                continue
            hidden = child.get("aria-hidden") == "true" or "offscreen" in (child.get("class") or "")
            if hidden or (skip_kickers and _KICKER_CLASS.search(child.get("class") or "")):
                parts.append(" " + (child.tail or ""))
                continue
            if child.tag in ("br", "div", "p") or _KICKER_CLASS.search(child.get("class") or ""):
                parts.append(_BREAK)   # a kicker is set on its own line: its words do not run into the headline
            parts.append(child.text or "")
            walk(child, depth + 1)
            if _KICKER_CLASS.search(child.get("class") or ""):
                parts.append(_BREAK)
            parts.append(child.tail or "")

    parts.append(el.text or "")
    walk(el, 0)
    # A line break we assumed is no space where punctuation follows ("Kicker: Headline").
    text = _BREAK_BEFORE_PUNCT.sub("", "".join(parts)).replace(_BREAK, " ")
    return (clean_text(text) or "").strip(" :–—-|")


def _plausible_heading(el: HtmlElement) -> bool:
    """Whether an <h1> may be the article's headline (not a logo, breadcrumb, nav or teaser heading)."""
    for node in [el, *el.iterancestors()][:6]:
        if node.tag in ("nav", "footer", "aside", "a") or _NOT_HEADLINE_PLACE.search(node.get("class") or ""):
            return False
    return not (len(el) == 1 and el[0].tag == "a" and not (el.text or "").strip())


_HEADLINE_PROP = etree.XPath("//*[@itemprop='headline'][not(self::meta)]")


def visible_headings(tree: HtmlElement, *, marked: bool = False) -> list[tuple[str, str]]:
    """(full text, text without kickers) of each plausible <h1> (or, `marked`, itemprop=headline element)."""
    found = []
    # Scanning every element for itemprop costs three times the <h1> search, so it is the second try.
    for el in _HEADLINE_PROP(tree) if marked else tree.iter("h1"):
        if not _plausible_heading(el):
            continue
        full = _text_of(el, skip_kickers=False)
        if full and len(full) <= _MAX_HEADLINE_CHARS:
            found.append((full, _text_of(el, skip_kickers=True) or full))
    return found


def declared_candidates(page: PageMeta) -> list[Candidate]:
    """The headline as JSON-LD, og:title, twitter:title, other meta tags and <title> declare it."""
    out = []
    headline = page.ld("headline")
    if not isinstance(headline, str):
        name = page.ld("name")
        # Some CMSes put an internal id in `name`; a headline has words.
        headline = name if isinstance(name, str) and " " in name.strip() else None
    for source, value in (
        ("json-ld", headline),
        ("og", page.first("og:title")),
        ("twitter", page.first("twitter:title")),
        ("meta", page.first("parsely-title", "sailthru.title", "dc.title", "dcterms.title", "title")),
        ("title-tag", page.title_tag),
    ):
        text = clean_text(value)
        if text and len(text) <= _MAX_HEADLINE_CHARS:
            out.append(Candidate(source, text))
    return out


def headline_candidates(page: PageMeta, tree: HtmlElement, url: str,
                        site_names: Iterable[str | None]) -> list[Candidate]:
    """Every copy of the headline, stripped of the outlet's name and of what the others show is decoration."""
    keys, words = site_keys(site_names, url)
    candidates = [Candidate(c.source, strip_site(c.text, keys, words)) for c in declared_candidates(page)
                  if squash(c.text) not in keys]   # a <title> that is only the outlet's name is no headline
    declared_keys = {headline_key(c.text) for c in candidates}
    # The visible heading: the first that agrees with a declared candidate (whole, without its kicker,
    # or a part of it), else the first plausible one.
    heading, first = None, None
    for marked in (False, True):
        headings = [(full, bare) for full, bare in visible_headings(tree, marked=marked) if squash(full) not in keys]
        first = first or (headings[0][1] if headings else None)
        heading = next((variant for full, bare in headings for variant in (full, bare, *_cores(full))
                        if headline_key(variant) in declared_keys), None)
        if heading:
            break
    heading = heading or first
    if heading:
        candidates.append(Candidate("h1", heading))
    return _reduce_by_agreement(candidates)


def choose_headline(page: PageMeta, tree: HtmlElement, url: str,
                    site_names: Iterable[str | None]) -> tuple[str | None, str | None]:
    """The page's headline and the kind of candidate it was taken from, or (None, None)."""
    chosen = vote(headline_candidates(page, tree, url, site_names))
    return (chosen.text, chosen.source) if chosen else (None, None)


def vote(candidates: list[Candidate], weights: dict[str, float] = WEIGHTS,
         order: list[str] | None = None, visible_decoration: bool = True) -> Candidate | None:
    """The best-supported headline; the visible one where they differ only by decoration."""
    order = order or _REPRESENTATIVE
    votes: dict[str, float] = {}
    for c in candidates:
        key = headline_key(c.text)
        if key:
            votes[key] = votes.get(key, 0.0) + weights[c.source]
    if not votes:
        return None
    heading = next((c for c in candidates if c.source == "h1"), None)
    heading_key = headline_key(heading.text) if heading else ""
    best = max(votes, key=lambda k: (votes[k], k == heading_key))
    if heading and visible_decoration and heading_key != best and _only_decoration(heading.text, best, candidates):
        # The visible heading and the winning metadata differ only by a kicker or affix: print what shows.
        return heading
    group = [c for c in candidates if headline_key(c.text) == best]
    return min(group, key=lambda c: order.index(c.source))


# Which copy of the winning headline to print: the visible one, else the hand-written social title
# (JSON-LD and <title> are more often generated, with a CMS's separators in place of the colon).
_REPRESENTATIVE = ["h1", "og", "json-ld", "twitter", "meta", "title-tag"]


def _only_decoration(heading: str, best: str, candidates: list[Candidate]) -> bool:
    """Whether the visible heading and the best-supported text are one headline up to a kicker or affix."""
    heading_key = headline_key(heading)
    text = next(c.text for c in candidates if headline_key(c.text) == best)
    return any(headline_key(core) == heading_key for core in _cores(text)) or any(
        headline_key(core) == best for core in _cores(heading))


def _reduce_by_agreement(candidates: list[Candidate]) -> list[Candidate]:
    """Each candidate cut to its longest prefix or suffix that another kind of candidate states whole."""
    whole: dict[str, set[str]] = {}
    for c in candidates:
        whole.setdefault(headline_key(c.text), set()).add(_FAMILY[c.source])
    out = []
    for c in candidates:
        family = _FAMILY[c.source]
        for core in _cores(c.text):
            # A core another kind of candidate states whole: the rest of this one was decoration.
            if len(core) >= 8 and whole.get(headline_key(core), set()) - {family}:
                out.append(Candidate(c.source, core))
                break
        else:
            out.append(c)
    return out


def describe_candidates(page: PageMeta, tree: HtmlElement, url: str) -> list[tuple[str, str, str]]:
    """(source, text as the page gives it, text after stripping decoration) for every headline candidate."""
    names = declared_site_names(page)
    raw = {c.source: c.text for c in declared_candidates(page)}
    reduced = headline_candidates(page, tree, url, names)
    out = []
    for c in reduced:
        out.append((c.source, raw.get(c.source, c.text), c.text))
    return out


def page_headline_candidates(html: str | bytes, url: str, content_type: str | None = None) -> list[tuple[str, str, str]]:
    """describe_candidates for a page as fetched (bytes decoded as extract() decodes them), for --explain."""
    markup = decode_html(html, url, content_type) if isinstance(html, bytes) else html
    tree = load_html(markup)
    if tree is None:
        return []
    return describe_candidates(read_page_meta(tree), tree, url)
