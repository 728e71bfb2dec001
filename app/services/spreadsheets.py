"""Writing CSV that a spreadsheet opens safely: a cell that would start a formula becomes text.

Excel, LibreOffice and Google Sheets evaluate a cell starting with = + - @ (and a leading tab or
carriage return hides one), so an item named `=HYPERLINK(...)` would land as a live formula in a
manager's spreadsheet. Such a cell gets a leading apostrophe, which the spreadsheets show as text.
Every CSV the app produces goes through `csv_writer` (or `neutralise_csv` for stored text).

Names and notes may hold control characters (they are data, and the ledger is append-only), but
XML 1.0 cannot hold C0 characters other than tab, newline and carriage return, nor U+FFFE/U+FFFF,
so one such character made every XLSX export refuse to be written. Each is written as U+FFFD
(the replacement character) in every export, CSV included, so both formats show the same text
and the reader sees where a character could not be shown.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any, TextIO

REPLACEMENT = "\ufffd"
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")  # a signed number is data, never a formula


def safe_cell(value: Any) -> Any:
    """`value` with unwritable characters replaced, and as the text `'value` when a spreadsheet
    would read it as a formula."""
    if not isinstance(value, str):
        return value
    value = _UNWRITABLE.sub(REPLACEMENT, value)
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose rows pass through safe_cell."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: TextIO, **options: Any) -> SafeWriter:
    return SafeWriter(out, **options)


def neutralise_csv(text: str) -> str:
    """CSV text re-written through safe_cell (for files stored before cells were neutralised)."""
    out = io.StringIO()
    csv_writer(out).writerows(csv.reader(io.StringIO(text, newline="")))
    return out.getvalue()
