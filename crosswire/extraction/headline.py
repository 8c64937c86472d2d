"""Headline selection: the headline the page's metadata and its printed heading agree on.

A page names its headline several times: JSON-LD `headline`, `og:title`, `twitter:title`, `<title>` and the
printed heading (the article's `<h1>`, or its `<h2>` where the `<h1>` is a breadcrumb). Each copy may carry
decoration: the outlet's name or a section after a separator, a date, a kicker before a colon, other quote
marks. The candidates are stripped of what is recognisably the site (its declared name or its host), then
of whatever one candidate has and another lacks -- except a kicker the page prints with its heading, which
is part of the headline as shown -- and grouped by their words alone (case, quotes and punctuation aside).
The group with the most support wins: the heading, JSON-LD and the search/social titles are three voices
(og, twitter, other meta and <title> are filled from one field, so they count once). Its text is the
declared copy's (og:title, then JSON-LD), which is how the headline is usually recorded, quote marks and
all; the heading's own text where nothing declared has it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from crosswire.extraction.charset import decode_html
from crosswire.extraction.cleaning import clean_text, ld_names
from crosswire.extraction.htmlmeta import PageMeta, read_page_meta
from crosswire.extraction.parse import parse_html

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
_NEGATED_CLASS = re.compile(r"(without|no|has|with)-", re.I)
_MAX_HEADLINE_CHARS = 400
_MAX_DEPTH = 30   # a heading nested deeper than this is hostile markup, read as plain text
_BREAK = "\u2063"   # where a block or kicker ends inside a heading: a space unless punctuation follows
_SEAM = "\u2064"   # where one element of a heading ends and another begins
_BREAK_BEFORE_PUNCT = re.compile(_BREAK + "[" + _BREAK + _SEAM + "]*(?=[\\s" + _SEAM + "]*[:,.;!?)])")
# Words from two elements with nothing but a line break or space between: a kicker and its headline whose
# punctuation the page leaves to the layout.
_BARE_JOIN = re.compile(r"[\w\"'»“”’)][\s" + _SEAM + r"]*[" + _BREAK + _SEAM + r"][\s" + _BREAK + _SEAM
                        + r"]*[\"'«„“‘(]*\w")
# Tags that style words inside a line rather than set a part of the heading apart.
_INLINE = {"a", "b", "strong", "i", "em", "q", "u", "s", "sup", "sub", "small", "mark", "abbr", "cite"}
# Words of a site name too common to identify it ("The Times", "Die Zeitung").
_SITE_STOPWORDS = {"the", "die", "der", "das", "le", "la", "les", "el", "los", "il", "de", "news", "online",
                   "daily", "times", "post", "www", "com", "net", "org"}
# How much each kind of candidate counts when they disagree: the visible heading most (it is what the
# reader sees), then JSON-LD (written for the article page), then <title> and og:title; twitter:title and
# other meta tags mostly copy og:title, so they add little.
WEIGHTS = {"h1": 2.0, "json-ld": 1.5, "title-tag": 1.0, "og": 1.0, "twitter": 0.25, "meta": 0.25}
# In the vote, the titles written for search and sharing (og, twitter, other meta, <title>) are one voice
# (the best-weighted of them counts): a CMS fills them from one field, so three copies are no more
# evidence than one.
_VOICE = {"h1": "h1", "json-ld": "json-ld", "og": "social", "twitter": "social", "meta": "social",
          "title-tag": "social"}
# Cutting decoration: a core counts as stated whole only by another kind of candidate. Social and other
# meta titles are written together, so one of them does not vouch for another's core.
_FAMILY = {"h1": "h1", "json-ld": "json-ld", "title-tag": "title-tag", "og": "meta", "twitter": "meta",
           "meta": "meta"}


@dataclass
class Candidate:
    """One declared or visible copy of the headline, with what it was reduced to."""

    source: str
    text: str
    assembled: bool = False   # a visible heading joined from several elements: punctuation is a guess


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


def strip_site(text: str, keys: set[str], words: set[str], sections: set[str] = frozenset()) -> str:
    """The title without leading/trailing pieces that name the outlet, a date or a byline, and without a
    trailing piece that is the section the page declares ("…-Politics", "… | Sport")."""
    parts = _split(text, _SEPARATOR)
    while len(parts) >= 3 and (_is_site_piece(parts[-1], keys, words) or squash(parts[-1]) in sections) \
            and "".join(parts[:-2]).strip():
        parts = parts[:-2]
    while len(parts) >= 3 and _is_site_piece(parts[0], keys, words) and "".join(parts[2:]).strip():
        parts = parts[2:]
    text = "".join(parts).strip()
    # The section glued on by a bare hyphen: only the declared section name itself is taken for one.
    head, hyphen, tail = text.rpartition("-")
    return head.strip() if hyphen and head.strip() and squash(tail) in sections else text


def declared_sections(page: PageMeta) -> set[str]:
    """The squashed names of the section (category) the page says the article belongs to."""
    section = page.ld("articleSection")
    names = section if isinstance(section, list) else [section]
    names += page.all("article:section", "section", "parsely-section", "category", "content_category")
    return {squash(n) for n in names if isinstance(n, str) and squash(n)}


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


def _text_of(el: HtmlElement, *, skip_kickers: bool) -> tuple[str, bool]:
    """The element's visible text, optionally without kicker children, as one line; and whether it was
    joined from separate blocks or kicker lines (so the punctuation between them is ours)."""
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
            joint = "" if child.tag in _INLINE else _SEAM   # separately styled parts ("kicker" spans)
            parts.append(joint + (child.text or ""))
            walk(child, depth + 1)
            if _KICKER_CLASS.search(child.get("class") or ""):
                parts.append(_BREAK)
            parts.append(joint + (child.tail or ""))

    parts.append(el.text or "")
    walk(el, 0)
    # A line break we assumed is no space where punctuation follows ("Kicker: Headline").
    joined = _BREAK_BEFORE_PUNCT.sub("", "".join(parts))
    text = (clean_text(joined.replace(_BREAK, " ").replace(_SEAM, "")) or "").strip(" :–—-|")
    return text, bool(_BARE_JOIN.search(joined))


def _place_classes(node: HtmlElement) -> str:
    """The element's class tokens that describe it ("without-sidebar" or "no-menu" describe what it lacks)."""
    return " ".join(t for t in (node.get("class") or "").split() if not _NEGATED_CLASS.match(t))


def _plausible_heading(el: HtmlElement) -> bool:
    """Whether a heading may be the article's headline (not a logo, breadcrumb, nav or teaser heading)."""
    for node in [el, *el.iterancestors()][:6]:
        if node.tag in ("body", "html"):
            break   # <body> classes name the template and the slug, not a place on the page
        if node.tag in ("nav", "footer", "aside", "a") or _NOT_HEADLINE_PLACE.search(_place_classes(node)):
            return False
    return not (len(el) == 1 and el[0].tag == "a" and not (el.text or "").strip())


_HEADLINE_PROP = etree.XPath("//*[@itemprop='headline'][not(self::meta)]")
# Where the printed headline is looked for, in turn: <h1>; an <h2> where the <h1> is a breadcrumb or
# missing (only when it repeats a declared headline: other <h2>s are subheadings); an itemprop=headline.
_HEADING_PLACES = ("h1", "h2", "marked")
_MAX_KICKER_WORDS = 8


@dataclass
class Heading:
    """The headline as the page prints it, with the kicker lines printed beside it."""

    text: str
    kickers: set[str]          # headline_key of each kicker line inside or just above the heading
    assembled: bool = False    # joined from several elements: the punctuation between them is a guess


def _printed_kickers(el: HtmlElement) -> set[str]:
    """Kicker lines the page prints with a heading: kicker-classed parts of it, or a short line just above."""
    found = {headline_key(" ".join(k.itertext())) for k in el.iterdescendants()
             if isinstance(k.tag, str) and _KICKER_CLASS.search(k.get("class") or "")}
    # The element right before the heading (or before its wrapper, when the heading opens the wrapper).
    node = el
    for _ in range(2):
        before = node.getprevious()
        while before is not None and (not isinstance(before.tag, str) or before.tag in ("script", "style")
                                      or not "".join(before.itertext()).strip()):
            before = before.getprevious()
        if before is not None:
            line = headline_key(" ".join(before.itertext()))
            if line and len(line.split()) <= _MAX_KICKER_WORDS:
                found.add(line)
            break
        node = node.getparent()
        if node is None:
            break
    return {k for k in found if k}


def _agreeing(el: HtmlElement, full: str, declared_keys: set[str]) -> str | None:
    """The heading's text as a declared headline states it: whole, without its kicker, or a part of it."""
    if headline_key(full) in declared_keys:
        return full
    bare = _text_of(el, skip_kickers=True)[0]
    if bare and headline_key(bare) in declared_keys:
        return bare
    return next((core for core in _cores(full) if headline_key(core) in declared_keys), None)


def _may_state(flat_text: str, declared_flat: set[str]) -> bool:
    """Whether a heading's letters hold those of some declared headline (so it may state it, or a part)."""
    return any(flat in flat_text for flat in declared_flat)


def printed_heading(tree: HtmlElement, declared_keys: set[str], keys: set[str]) -> Heading | None:
    """The first plausible heading that agrees with a declared headline, else the first plausible <h1>."""
    headings = list(tree.iter("h1", "h2"))   # one walk of the tree for both
    declared_flat = {k.replace(" ", "").replace("_", "") for k in declared_keys}
    first = None
    for place in _HEADING_PLACES:
        elements = _HEADLINE_PROP(tree) if place == "marked" else [el for el in headings if el.tag == place]
        for el in elements:
            # Every <h1> is checked for its place; an <h2> or itemprop only once it may agree with the
            # metadata (some declared headline's letters within its own: a cheap test before the close read).
            if place == "h1" and not _plausible_heading(el):
                continue
            if place != "h1" and not _may_state(squash(el.text_content()), declared_flat):
                continue
            full, assembled = _text_of(el, skip_kickers=False)
            if not full or len(full) > _MAX_HEADLINE_CHARS or squash(full) in keys:
                continue
            variant = _agreeing(el, full, declared_keys)
            if variant and (place == "h1" or _plausible_heading(el)):
                return Heading(variant, _printed_kickers(el), assembled and variant == full)
            if first is None and place == "h1":
                first = Heading(_text_of(el, skip_kickers=True)[0] or full, _printed_kickers(el))
    return first


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
    sections = declared_sections(page)
    candidates = [Candidate(c.source, strip_site(c.text, keys, words, sections)) for c in declared_candidates(page)
                  if squash(c.text) not in keys]   # a <title> that is only the outlet's name is no headline
    heading = printed_heading(tree, {headline_key(c.text) for c in candidates}, keys)
    if heading:
        candidates.append(_with_printed_kicker(heading, candidates))
    return _reduce_by_agreement(candidates)


def _with_printed_kicker(heading: Heading, declared: list[Candidate]) -> Candidate:
    """The heading as a candidate; a declared "Kicker: Headline" instead when the page prints that kicker
    with the heading, since the page then shows both (a kicker the page does not print is decoration)."""
    key = headline_key(heading.text)
    for c in declared:
        parts = _split(c.text, _KICKER_SEPARATOR)
        if (len(parts) >= 3 and headline_key(parts[0]) in heading.kickers
                and headline_key("".join(parts[2:])) == key):
            return Candidate("h1", c.text, assembled=True)
    return Candidate("h1", heading.text, assembled=heading.assembled)


def choose_headline(page: PageMeta, tree: HtmlElement, url: str,
                    site_names: Iterable[str | None]) -> tuple[str | None, str | None]:
    """The page's headline and the kind of candidate it was taken from, or (None, None)."""
    chosen = vote(headline_candidates(page, tree, url, site_names))
    return (chosen.text, chosen.source) if chosen else (None, None)


def vote(candidates: list[Candidate], weights: dict[str, float] = WEIGHTS,
         order: list[str] | None = None, visible_decoration: bool = True) -> Candidate | None:
    """The best-supported headline; the visible one where they differ only by decoration."""
    order = order or _REPRESENTATIVE
    voices: dict[str, dict[str, float]] = {}
    for c in candidates:
        key = headline_key(c.text)
        if key:
            family = voices.setdefault(key, {})
            family[_VOICE[c.source]] = max(family.get(_VOICE[c.source], 0.0), weights[c.source])
    if not voices:
        return None
    votes = {key: sum(family.values()) for key, family in voices.items()}
    heading = next((c for c in candidates if c.source == "h1"), None)
    heading_key = headline_key(heading.text) if heading else ""
    best = max(votes, key=lambda k: (votes[k], k == heading_key))
    if heading and visible_decoration and heading_key != best and _only_decoration(heading.text, best, candidates):
        # The visible heading and the winning metadata differ only by a kicker or affix: print what shows.
        return heading
    group = [c for c in candidates if headline_key(c.text) == best]
    # A heading joined from several elements takes its punctuation from a declared copy of the same words.
    chosen = min(group, key=lambda c: (c.assembled, order.index(c.source)))
    # Its source: the visible heading when that shows the very same text, since that is what a reader saw.
    return min((c for c in group if c.text == chosen.text), key=lambda c: _SHOWN.index(c.source))


# Which copy of the winning headline to print when copies differ only in punctuation or quote marks: the
# social title, then JSON-LD (on the dev pages the labelled headline followed og:title twice and JSON-LD
# once; never the heading's own spelling); <title> last, as it is the most often rebuilt with separators.
_REPRESENTATIVE = ["og", "json-ld", "h1", "twitter", "meta", "title-tag"]
_SHOWN = ["h1", "og", "json-ld", "twitter", "meta", "title-tag"]


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
                out.append(Candidate(c.source, core, c.assembled))
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
    tree = parse_html(markup)
    if tree is None:
        return []
    return describe_candidates(read_page_meta(tree), tree, url)
