"""Everything the CLI prints goes through here, so text a stranger wrote (titles, authors, outlet names, URLs,
error reasons) can never drive the terminal: escape sequences that retitle the window, move the cursor, rewrite
the screen or hide what follows are removed in one place, `terminal_safe`.

    echo(*parts)        print text (and Styled parts) with every control sequence removed
    bold(text)          a part printed bold, its text cleaned first
    echo_json(value)    JSON with C1 controls escaped (json.dumps already escapes the C0 ones)
    terminal_safe(s)    the one cleaning function; rich tables and the error edge call it too

Data written to a file or a pipe (`export`) is not changed; on a terminal it is cleaned too.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import Any

import click

# ESC sequences: CSI (ESC [ … final), OSC / DCS / SOS / PM / APC strings (ended by BEL or ST, or cut off at the
# end of the text), and two-character escapes; then single control characters: C0 except tab and newline, DEL,
# and C1 (U+0080–U+009F, of which U+009B is a CSI and U+009D an OSC on terminals that read 8-bit controls).
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1 = re.compile("[\x80-\x9f]")


def terminal_safe(text: str) -> str:
    """`text` without terminal escape sequences or control characters (tab and newline kept)."""
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))


@dataclass(frozen=True)
class Styled:
    """A part of a line printed with click's styles (bold, fg, dim …), its text cleaned before styling."""

    text: str
    styles: tuple[tuple[str, Any], ...]

    def render(self) -> str:
        """The styled text, safe for a terminal."""
        return click.style(terminal_safe(self.text), **dict(self.styles))


def bold(text: str) -> Styled:
    """`text`, printed bold."""
    return Styled(text, (("bold", True),))


def echo(*parts: str | Styled, err: bool = False, nl: bool = True) -> None:
    """Print the parts as one message (stdout, or stderr with `err`), every control sequence removed."""
    text = "".join(part.render() if isinstance(part, Styled) else terminal_safe(str(part)) for part in parts)
    click.echo(text, err=err, nl=nl)


def echo_data(data: str | bytes, *, nl: bool = False) -> None:
    """Print exported data as it is to a file or pipe; cleaned like any text when stdout is a terminal."""
    if sys.stdout.isatty():
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        click.echo(terminal_safe(text), nl=nl)
    else:
        click.echo(data, nl=nl)


def json_text(value: Any) -> str:
    """`value` as indented JSON, non-ASCII kept, C1 controls escaped as \\u0080 … \\u009f."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo_json(value: Any) -> None:
    """Print `value` as JSON (control characters escaped, never raw)."""
    click.echo(json_text(value))
