"""Article markup that a page streams as data for its scripts instead of printing it (Next.js app pages).

Such a page's HTML can hold little more than its metadata: the article's own markup travels inside
`self.__next_f.push([1, "…"])` script calls, as React Server Component rows. A row `<id>:T<hex length>,`
is followed by that many bytes of text, and the article body is the longest such text that is HTML with
paragraphs. It is read only when the page's markup yields no text, so other pages pay nothing for it.
"""

from __future__ import annotations

import json
import re

_PUSH = re.compile(r'self\.__next_f\.push\(\[\s*1\s*,\s*("(?:[^"\\]|\\.)*")\s*\]\)', re.S)
_TEXT_ROW = re.compile(rb"(?:^|\n)[0-9a-f]+:T([0-9a-f]+),")
_PARAGRAPH = re.compile(r"<p[\s>]")
_MIN_PARAGRAPHS = 2


def streamed_html(markup: str) -> str:
    """The longest HTML text with paragraphs among the page's streamed rows, or ""."""
    if "__next_f" not in markup:
        return ""
    chunks = []
    for match in _PUSH.finditer(markup):
        try:
            chunks.append(json.loads(match.group(1)))
        except ValueError:
            continue
    data = "".join(c for c in chunks if isinstance(c, str)).encode("utf-8", "replace")
    best = ""
    for row in _TEXT_ROW.finditer(data):
        size = int(row.group(1), 16)
        text = data[row.end(): row.end() + size].decode("utf-8", "replace")
        if len(_PARAGRAPH.findall(text)) >= _MIN_PARAGRAPHS and len(text) > len(best):
            best = text
    return best
