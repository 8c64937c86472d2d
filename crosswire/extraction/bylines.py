"""Authors: bylines split into people, news agencies and the outlet itself, from JSON-LD, meta or the page.

A byline string can hold several people ("A and B", "A, B & C", "A und B", "А и Б"), a lead word ("By",
"Von", "Par"), roles ("Staff Writer", "Korrespondentin", "기자"), agencies ("dpa", "AFP/Reuters") and
datelines ("AFP, MANILA"). People are what `authors` keeps; agencies get their own field and stand as the
author only when no person signed; the outlet's own name (or its newsroom) is the weakest byline of all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from lxml import etree
from lxml.html import HtmlElement

from crosswire.extraction.cleaning import clean_text
from crosswire.extraction.htmlmeta import PageMeta

# Words that open a byline, in the languages crosswire's sources write in ("Written by", "Von", "Текст:").
_LEAD = re.compile(
    r"^(?:(?:written|reported|reporting|words|text|story|analysis|photos?)(?:\s+and\s+\w+)?\s+by|by|von|text(?:e)?"
    r"|par|por|di|door|af|av|przez|autor(?:in|es|a)?|auteur|authors?|oleh|bởi|от|автор(?:ы)?|текст|yazan"
    r"|redacción|redaktion|texto)\s*[:：]?\s+", re.I)
# Joiners that always separate two people, and short ones ("y", "e", "i", "и", "و") that only do so between
# two full names (so "José Ortega y Gasset" stays one person).
_AND = re.compile(r"\s+(?:and|und|et|og|och|és|ve|dan|та|ja)\s+|\s*&\s*", re.I)
_SHORT_AND = re.compile(r"\s+(?:y|e|i|a|и|і|و)\s+")
_SEPARATORS = re.compile(r"\s*[,;|/、，·]\s*|\s+[–—-]\s+|\s*\n\s*")
_PARENS = re.compile(r"\s*[(\[]([^)\]]*)[)\]]\s*")
_ROLE_WORDS = (
    r"reporter|staff\s+writer|senior\s+writer|writer|editor(?:-at-large)?|senior\s+editor|correspondent"
    r"|columnist|contributor|contributing\s+writer|producer|journalist|photographer|staff|analyst"
    r"|redakteur(?:in)?|korrespondent(?:in)?|autor(?:in)?|journaliste|rédact(?:eur|rice)|envoyée?\s+spéciale?"
    r"|corresponsal|periodista|redactora?|giornalista|inviat[oa]|корреспондент|журналист(?:ка)?|редактор"
    r"|кореспондент|مراسل|محرر"
)
# In Korean, Chinese and Japanese bylines the role follows (or precedes) the name: "김민수 기자", "记者 王明".
_CJK_ROLES = r"기자|특파원|记者|特约记者|記者|編集委員|通讯员"
# "Reporter", "Senior Staff Writer", "AP Auto Writer": a job title standing where a name would.
_ROLE_ONLY = re.compile(rf"^(?:[\w-]+\s+){{0,3}}(?:{_ROLE_WORDS})s?$|^(?:{_CJK_ROLES})$", re.I)
_ROLE_TAIL = re.compile(rf"\s+(?:{_ROLE_WORDS}|{_CJK_ROLES})$", re.I)
_ROLE_HEAD = re.compile(rf"^(?:{_ROLE_WORDS}|{_CJK_ROLES})\s+", re.I)
# "with AFP", "mit dpa", "avec Reuters": an agency credited beside the writer.
_WITH = re.compile(r"^(?:with|mit|avec|con|com|и|з|مع)\s+(.+)$", re.I)
# A newsroom rather than a person: "BR24 Redaktion", "Staff", "Newsroom", "Agencies".
_NEWSROOM = re.compile(r"^red\.?$|\b(?:redaktion|redacción|rédaction|redazione|newsroom|editorial|desk|team|staff"
                       r"|agencies|agenturen|agences|agencias|wires)\b", re.I)
_DIGIT = re.compile(r"\d")
_LINK = re.compile(r"^(?:https?://|www\.)\S*$|^\S+@\S+$", re.I)
_NOT_A_NAME = re.compile(r"^(?:https?://|www\.)|@|^\W*$|^image:|^photo:|^foto:|^bild:|getty|shutterstock", re.I)
_DOMAIN = re.compile(r"\w\.(?:com|net|org|de|at|ch|fr|es|it|ru|ua|uk|co|in|jp|kr|cn|vn|pl|nl|be|br|au|ca|za|li)\b",
                     re.I)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
_WORD = re.compile(r"\w+")
_MAX_PAGE_BYLINES = 6
_MAX_NAME_WORDS = 5

# News agencies by their squashed name. Naming agencies is a kind of byline, not a publisher rule.
AGENCIES = {
    "afp": "AFP", "agencefrancepresse": "AFP", "ap": "AP", "associatedpress": "AP", "theassociatedpress": "AP",
    "reuters": "Reuters", "thomsonreuters": "Reuters", "dpa": "dpa", "deutschepresseagentur": "dpa",
    "dpaafx": "dpa-AFX", "apa": "APA", "sid": "SID", "kna": "KNA", "epd": "epd", "efe": "EFE", "ansa": "ANSA",
    "europapress": "Europa Press", "lusa": "Lusa", "xinhua": "Xinhua", "tass": "TASS", "ria": "RIA Novosti",
    "rianovosti": "RIA Novosti", "interfax": "Interfax", "ukrinform": "Ukrinform", "unian": "UNIAN",
    "anadoluagency": "Anadolu", "anadoluajansı": "Anadolu", "kyodo": "Kyodo", "kyodonews": "Kyodo",
    "yonhap": "Yonhap", "pti": "PTI", "ians": "IANS", "ani": "ANI", "bernama": "Bernama", "antara": "Antara",
    "wafa": "WAFA", "irna": "IRNA", "isna": "ISNA", "ntb": "NTB", "tt": "TT", "ritzau": "Ritzau", "stt": "STT",
    "čtk": "ČTK", "ctk": "ČTK", "pap": "PAP", "mti": "MTI", "bta": "BTA", "agerpres": "Agerpres",
    "tanjug": "Tanjug", "hina": "HINA", "anp": "ANP", "belga": "Belga", "sda": "SDA", "ats": "ATS",
    "keystonesda": "Keystone-SDA", "aap": "AAP", "thecanadianpress": "The Canadian Press", "pamedia": "PA Media",
    "upi": "UPI", "dts": "dts", "ddp": "ddp", "bloomberg": "Bloomberg", "ееа": "EFE", "тасс": "ТАСС",
    "риановости": "РИА Новости", "интерфакс": "Интерфакс", "укрінформ": "Укрінформ", "уніан": "УНІАН",
    "新华社": "新华社", "共同通信": "共同通信", "연합뉴스": "연합뉴스",
}


@dataclass
class Byline:
    """A byline sorted into people, agencies and the outlet's own name."""

    people: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)


def squash(text: str) -> str:
    """Letters and digits only, casefolded."""
    return "".join(_WORD.findall(text.casefold())).replace("_", "")


def name_key(name: str) -> str:
    """A name's identity for de-duplication: words casefolded, accents and slug hyphens ignored."""
    plain = unicodedata.normalize("NFKD", name.replace("-", " "))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain.casefold()))


def split_byline(text: str) -> list[str]:
    """The pieces of one byline string: lead words dropped, split on separators and "and" in many languages."""
    pieces: list[str] = []
    for part in _SEPARATORS.split(text):
        for person in _AND.split(part):
            pieces.extend(_split_short_and(person))
    return [p for p in (_LEAD.sub("", p.strip(" .:-–—")).strip(" .:-–—") for p in pieces) if p]


def _split_short_and(text: str) -> list[str]:
    """Split on one-letter joiners only when both sides look like full names (two words or more)."""
    halves = _SHORT_AND.split(text)
    if len(halves) > 1 and all(len(h.split()) >= 2 for h in halves):
        return halves
    return [text]


def sort_byline(values: Iterable[str], outlet_keys: set[str] = frozenset()) -> Byline:
    """People, agencies and outlet names from byline strings, each de-duplicated in order."""
    found = Byline()
    seen: set[str] = set()
    for value in values:
        text = clean_text(value)
        if not text or _LINK.match(text):
            continue   # an author page's URL or an e-mail address names no one by itself
        text = _LEAD.sub("", text)
        # "(AFP)" names an agency; "(Image: Getty)" and other asides are not names.
        asides = _PARENS.findall(text)
        text = _PARENS.sub(" ", text).strip()
        pieces = split_byline(text) + [a for a in asides if squash(a) in AGENCIES]
        # "AFP, MANILA" or "outlet.de, Frankfurt, Germany": beside an agency or the outlet, a lone
        # word is the place the story was filed from.
        dateline = len(pieces) > 1 and any(squash(p) in AGENCIES or _DOMAIN.search(p) or _is_outlet(squash(p), outlet_keys)
                                           for p in pieces)
        for piece in pieces:
            _place(piece, found, seen, outlet_keys, dateline=dateline)
    slugs = {name_key(p) for p in found.people if _SLUG.match(p)}
    if slugs and len(found.people) > len(slugs):
        # "sophie-foster" is a URL slug of a name already given in full.
        found.people = [p for p in found.people if not _SLUG.match(p)]
    return found


def _place(piece: str, found: Byline, seen: set[str], outlet_keys: set[str], *, dateline: bool) -> None:
    """Put one byline piece where it belongs, or drop it (roles, places after an agency, junk)."""
    credited = _WITH.match(piece)
    if credited and squash(credited.group(1)) in AGENCIES:
        piece = credited.group(1)
    flat = squash(piece)
    if not flat or _NOT_A_NAME.search(piece) or len(piece) > 80 or _ROLE_ONLY.match(piece):
        return
    if flat in AGENCIES:
        name = AGENCIES[flat]
        if name not in found.agencies:
            found.agencies.append(name)
        return
    if _DOMAIN.search(piece) or _NEWSROOM.search(piece) or _is_outlet(flat, outlet_keys):
        if piece not in found.outlets:
            found.outlets.append(piece)
        return
    if _DIGIT.search(piece) or (dateline and " " not in piece and piece[:1].isupper() and piece.isascii()):
        return   # a date or time caught in the byline; a place beside an agency
    if len(piece.split()) > _MAX_NAME_WORDS:
        return   # a sentence, not a name
    name = _ROLE_HEAD.sub("", _ROLE_TAIL.sub("", piece)).strip()
    if not name:
        return
    if name.isupper() and " " in name and name.isascii():
        name = name.title()   # "TOM KRISHER" from wire bylines
    key = name_key(name)
    if key and key not in seen:
        seen.add(key)
        found.people.append(name)


def _is_outlet(flat: str, outlet_keys: set[str]) -> bool:
    """Whether a squashed name is the outlet's own (its site name or host, give or take a prefix)."""
    return any(len(k) >= 3 and (flat == k or (len(flat) >= 4 and (flat in k or k in flat))) for k in outlet_keys)


def ld_people(value: Any) -> tuple[list[str], list[str]]:
    """Names of people and of organisations in a JSON-LD author value (strings, objects, nested lists)."""
    people: list[str] = []
    orgs: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, str):
            people.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = next((n for n in name if isinstance(n, str)), None)
            if not isinstance(name, str) or not name.strip():
                given, family = item.get("givenName"), item.get("familyName")
                name = " ".join(p for p in (given, family) if isinstance(p, str) and p.strip()) or None
            if name:
                kind = item.get("@type")
                kinds = {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
                (orgs if kinds & {"organization", "newsmediaorganization", "corporation"} else people).append(name)
    return people, orgs


# Byline elements in the page: a cheap XPath finds the candidates, Python checks their classes and places
# (comments, forms, side columns and teasers are not the article's).
_BYLINE_CANDIDATES = etree.XPath(
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'byline') or contains(@class, 'uthor')"
    " or contains(@class, 'Byline')]")
_BYLINE_CLASS = re.compile(r"byline|(?:^|[\s_-])author(?:$|[\s_-]|name|list)|author-?name|authorlist", re.I)
_NOT_BYLINE_PLACE = re.compile(r"comment|related|teaser|quote|footer|sidebar", re.I)
_NOT_BYLINE_TAGS = {"aside", "footer", "form"}
# Inside a byline: the date and time beside the name are not part of it.
_BYLINE_DATE = re.compile(r"date|time|publish|posted|updated", re.I)
_NOT_BYLINE_TEXT = {"time", "script", "style", "template", "br"}
_BLOCKS = {"div", "p", "li", "ul", "section", "h2", "h3", "h4", "h5", "h6"}
_MAX_DEPTH = 20


def _is_byline(el: HtmlElement) -> bool:
    """Whether an element is the article's byline rather than a comment's, a teaser's or a form's."""
    if el.tag in _NOT_BYLINE_TAGS:
        return False
    if el.get("rel") != "author" and el.get("itemprop") != "author" and not _BYLINE_CLASS.search(el.get("class") or ""):
        return False
    for node in el.iterancestors():
        if node.tag in _NOT_BYLINE_TAGS or _NOT_BYLINE_PLACE.search(node.get("class") or ""):
            return False
    return True


def page_bylines(tree: HtmlElement) -> list[str]:
    """Byline texts marked up in the page itself, in document order (the first few only: later ones are
    more often related articles' than this one's)."""
    texts: list[str] = []
    for el in _BYLINE_CANDIDATES(tree):
        if len(texts) >= _MAX_PAGE_BYLINES:
            break
        if not _is_byline(el):
            continue
        name_el = el.xpath(".//*[@itemprop='name']")
        text = (name_el[0].get("content") or _byline_text(name_el[0])) if name_el else (
            el.get("content") or _byline_text(el))
        if text and len(text) <= 120:
            texts.append(text)
    return texts


def _byline_text(el: HtmlElement) -> str:
    """A byline element's text without its date or time parts, a line per block ("by Jeff Foust<br>Monday…")."""
    parts: list[str] = []

    def walk(node: HtmlElement, depth: int) -> None:
        """Collect the text under `node`, leaving out dates and hostile depths."""
        parts.append(node.text or "")
        for child in node:
            if isinstance(child.tag, str) and depth < _MAX_DEPTH and child.tag not in _NOT_BYLINE_TEXT \
                    and not _BYLINE_DATE.search(child.get("class") or ""):
                parts.append("\n" if child.tag in _BLOCKS else "")
                walk(child, depth + 1)
                parts.append("\n" if child.tag in _BLOCKS else "")
            elif child.tag == "br":
                parts.append("\n")
            parts.append(child.tail or "")

    walk(el, 0)
    lines = (clean_text(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def find_authors(page: PageMeta, tree: HtmlElement, outlet_keys: set[str]) -> tuple[Byline, str | None]:
    """The article's byline and where its people came from (json-ld, meta, byline), or outlet/agency only."""
    ld_value = page.ld("author") or page.ld("creator")
    people, orgs = ld_people(ld_value) if ld_value else ([], [])
    parsely = page.parsely().get("authors")
    sources = [
        ("json-ld", people, orgs),
        ("meta", [v for v in page.all("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                                       "dcterms.creator", "byl", "cxenseparse:author") if not v.startswith("http")]
         + [a for a in (parsely if isinstance(parsely, list) else []) if isinstance(a, str)], []),
    ]
    result, first = Byline(), None
    for source, values, organisations in sources:
        found = sort_byline(values, outlet_keys)
        found.outlets += [o for o in organisations if o not in found.outlets]
        _merge(result, found)
        first = first or (source if found.agencies or found.outlets else None)
        if found.people:
            return _with(result, found.people), source
    # An organisation declared as the author in JSON-LD is a statement; the page's other bylines
    # (programme credits, photo captions) would only contradict it.
    for text in [] if orgs else page_bylines(tree):
        found = sort_byline([text], outlet_keys)
        _merge(result, found)
        first = first or ("byline" if found.agencies or found.outlets else None)
        if found.people:
            return _with(result, found.people), "byline"
    return result, first


# A name signing the article at its end: two to four capitalised words, printed as a paragraph of its own in
# bold or set to the right ("<p style='text-align:right'><strong>Lê Phương</strong></p>").
_SIGNED = etree.XPath("//p[strong or b or contains(translate(@style, 'RIGHT', 'right'), 'right')]")
_NAME_LINE = re.compile(r"^[^\W\d_][\w.'’-]*(?:\s[^\W\d_][\w.'’-]*){1,3}$")
_MAX_SIGNATURE_CHARS = 40


def signature_lines(tree: HtmlElement) -> set[str]:
    """Short name-like paragraphs printed alone in bold or right-aligned: where an article may be signed."""
    found = set()
    for p in _SIGNED(tree):
        text = clean_text(p.text_content())
        if not text or len(text) > _MAX_SIGNATURE_CHARS or not _NAME_LINE.match(text):
            continue
        bold = len(p) == 1 and p[0].tag in ("strong", "b") and not (p.text or "").strip()
        right = "right" in (p.get("style") or "").lower()
        if (bold or right) and all(word[:1].isupper() for word in text.split()):
            found.add(text)
    return found


def end_signature(text: str, signatures: set[str]) -> list[str]:
    """The person signing the article when its last paragraph is one of the page's signature lines."""
    last = clean_text(text.rstrip().rsplit("\n", 1)[-1]) or ""
    return [last] if last in signatures and not _ROLE_ONLY.match(last) and squash(last) not in AGENCIES else []


def _merge(into: Byline, found: Byline) -> None:
    """Add another source's agencies and outlet names to what was found so far."""
    into.agencies += [a for a in found.agencies if a not in into.agencies]
    into.outlets += [o for o in found.outlets if o not in into.outlets]


def _with(result: Byline, people: list[str]) -> Byline:
    """The result with its people set."""
    result.people = people
    return result
