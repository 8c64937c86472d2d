"""Turning fetched bytes into HTML text: refuse non-HTML, then find an encoding that yields readable text.

Declared charsets are often wrong on the outlets crosswire follows (cp1251 Russian served as "utf-8",
windows-1256 Arabic with no declaration at all), so every candidate decode is checked for plausibility
and detection (charset_normalizer) is the last resort rather than the first.
"""

from __future__ import annotations

import gzip
import re
import zlib

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from crosswire.core.errors import NotHtmlError

# Leading bytes of formats that are never HTML, with a name for the error message.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"RIFF", "a RIFF (WebP/AVI/WAV) file"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg file"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
)
_MP4 = re.compile(rb"^....ftyp")
_TAG = re.compile(rb"<[^>]*>")
_TEXT_TAG = re.compile(r"<\s*(html|head|body|p|div|title|meta|article|!doctype)\b", re.I)
# Letters of Latin-1's upper half: a text where these dominate is Cyrillic/Greek/Arabic decoded as cp1252.
_LATIN1_LETTERS = re.compile(r"[\u00c0-\u00ff]")
_LETTERS = re.compile(r"[^\W\d_]")
_C1_CONTROLS = re.compile(r"[\u0080-\u009f]")
_UTF8_NAMES = {"utf-8", "utf8", "utf_8"}


def refuse_binary(data: bytes, url: str) -> None:
    """Raise ExtractionError when `data` is plainly not text (PDF, image, archive, NUL bytes)."""
    head = data[:16]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise NotHtmlError(f"not an HTML page: {url} is {what}")
    if _MP4.match(head):
        raise NotHtmlError(f"not an HTML page: {url} is a video file")
    # UTF-16/32 text has NULs too; a BOM says so and read_bom lets it through.
    if b"\x00" in data[:2048] and read_bom(data) == (None, None):
        raise NotHtmlError(f"not an HTML page: {url} is binary data")


# Media types a server may honestly label an HTML page with (octet-stream: misconfigured servers).
_HTML_TYPES = {"text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml",
               "application/octet-stream", "binary/octet-stream", ""}


def refuse_content_type(content_type: str | None, url: str) -> None:
    """Raise ExtractionError when the server says the body is something other than a page."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime not in _HTML_TYPES:
        raise NotHtmlError(f"not an HTML page: {url} is {mime}")


def maybe_gunzip(data: bytes) -> bytes:
    """Decompress gzip/zlib payloads that arrive undecoded; other bytes come back unchanged."""
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return data
    return data


def plausible(text: str) -> bool:
    """Does decoded text look like real writing rather than mojibake?"""
    sample = text[:20000]
    # Undecodable bytes turned into U+FFFD, or C1 controls (latin-1 decode of cp125x bytes).
    if "\ufffd" in sample or len(_C1_CONTROLS.findall(sample)) > 2:
        return False
    letters = _LETTERS.findall(_strip_tags_text(sample))
    non_ascii = [c for c in letters if ord(c) > 127]
    if len(non_ascii) < 20:
        return True
    accented = sum(1 for c in non_ascii if _LATIN1_LETTERS.match(c))
    # French or Turkish prose has a few accented letters among many ASCII ones; Russian read as
    # cp1252 is nearly all "Ð…ñ" with hardly any ASCII letters between them.
    return accented < 0.3 * len(letters)


def _strip_tags_text(text: str) -> str:
    return re.sub(r"<[^>]*>", " ", text)


def _try(data: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None
    return text if plausible(text) else None


def _detect(data: bytes) -> str | None:
    # Markup is ASCII and drowns the signal: detect on the text between tags.
    body = _TAG.sub(b" ", data)
    sample = body if len(body) < 60000 else body[:30000] + body[-30000:]
    best = from_bytes(sample).best()
    return best.encoding if best else None


def decode_html(data: bytes, url: str, content_type: str | None = None) -> str:
    """Decode page bytes: BOM, HTTP charset, <meta charset>, valid UTF-8, then detection; each checked."""
    data = maybe_gunzip(data)
    refuse_binary(data, url)
    bom_encoding, bom = read_bom(data)
    if bom_encoding:
        text = _try(data[len(bom):], bom_encoding)
        if text is not None:
            return text
    declared = [
        http_content_type_encoding(content_type) if content_type else None,
        html_body_declared_encoding(data[:4096]),
    ]
    # Valid UTF-8 with multibyte sequences is almost never an accident, whatever the page claims.
    if not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for name in declared:
        if name and name.lower() not in _UTF8_NAMES:
            text = _try(data, resolve_encoding(name) or name)
            if text is not None:
                return text
    if data.isascii():
        return data.decode("ascii")
    detected = _detect(data)
    text = _try(data, detected)
    if text is not None:
        return text
    # Nothing convincing: keep what we can read rather than lose the page.
    return data.decode(resolve_encoding(declared[0] or declared[1] or "utf-8") or "utf-8", errors="replace")


def looks_like_html(text: str) -> bool:
    """Cheap check that a string is markup at all (a tag we expect on a page)."""
    return bool(_TEXT_TAG.search(text[:65536]))
