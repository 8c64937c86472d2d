"""Word-level diffs between two versions of a headline or body. Pure functions.

    word_diff(old, new)    [(op, old words, new words)] with op in equal | delete | insert | replace
    render_plain(ops)      git-style word diff text: [-removed-]{+added+}, long unchanged runs elided
"""

from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\S+")


def word_diff(old: str, new: str) -> list[tuple[str, str, str]]:
    """The edit from `old` to `new` as (op, old text, new text) runs over whitespace-separated words."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [(op, " ".join(a[i1:i2]), " ".join(b[j1:j2])) for op, i1, i2, j1, j2 in matcher.get_opcodes()]


def changed(ops: list[tuple[str, str, str]]) -> bool:
    """Whether a diff has any change."""
    return any(op != "equal" for op, _, _ in ops)


def stats(ops: list[tuple[str, str, str]]) -> dict[str, int]:
    """Words removed and added."""
    removed = sum(len(o.split()) for op, o, _ in ops if op in ("delete", "replace"))
    added = sum(len(n.split()) for op, _, n in ops if op in ("insert", "replace"))
    return {"removed": removed, "added": added}


def render_plain(ops: list[tuple[str, str, str]], context: int = 8) -> str:
    """The diff as text: [-removed-]{+added+}; unchanged runs longer than 2*context words are elided."""
    parts = []
    for index, (op, old, new) in enumerate(ops):
        if op == "equal":
            words = old.split()
            if len(words) > 2 * context:
                head = words[:context] if index > 0 else []
                tail = words[-context:] if index < len(ops) - 1 else []
                old = " ".join(head + ["…"] + tail)
            parts.append(old)
        elif op == "delete":
            parts.append(f"[-{old}-]")
        elif op == "insert":
            parts.append(f"{{+{new}+}}")
        else:
            parts.append(f"[-{old}-]{{+{new}+}}")
    return " ".join(p for p in parts if p)
