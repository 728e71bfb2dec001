"""Reading real-world spreadsheets: CSV in the encodings and delimiters people have, XLSX streamed.

CSV: UTF-8 with or without a BOM, UTF-16 (BOM, or the zero bytes of an ASCII-heavy file),
else Windows-1252 (a file neither decodes mixes encodings: refused naming the rows); comma, semicolon or tab, detected from the header line.
XLSX: openpyxl in read-only mode (rows streamed in constant memory; defusedxml guards the
XML), after the archive's declared sizes are checked: a zip bomb is refused before any
byte of it is inflated.
Width: `check_width` reads every row once before anything else does (the XLSX sheet's XML
streamed, each element dropped once seen), and refuses a cell beyond `max_columns`, naming its
column and row: a wide row is read whole by openpyxl and csv alike, and openpyxl raises on a
column past ZZZ.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.errors import ValidationFailed
from app.limits import MAX_XLSX_RATIO, MAX_XLSX_UNCOMPRESSED, XLSX_RATIO_FROM
from app.services import barcodes

DELIMITERS = (",", ";", "\t")
_FAR = 10**6  # a column reference counted this far is beyond any limit


@dataclass
class Sheet:
    """A file opened for reading: its format, sheet names, header row, and a way to read its data rows."""

    file_format: str
    sheets: list[str]
    sheet: str | None
    headers: list[str]


def file_format(filename: str, content: bytes) -> str:
    """csv or xlsx, from the bytes (an XLSX is a zip archive). Raises ValidationFailed."""
    if not content.strip():
        raise ValidationFailed("The file is empty.", fields={"file": ["The file is empty."]})
    if content[:4] == b"PK\x03\x04":
        return "xlsx"
    if b"\x00" in content[:4096] and _utf16(content) is None:
        raise _not_a_spreadsheet(filename)
    return "csv"


def open_sheet(content: bytes, fmt: str, sheet: str | None = None, *, max_columns: int | None = None) -> Sheet:
    """The header row and sheet names. Raises ValidationFailed (unreadable, empty, unknown sheet, too wide)."""
    if max_columns is not None:
        check_width(content, fmt, sheet, max_columns)
    rows = iter_rows(content, fmt, sheet)
    headers = next(rows, None)
    names = _sheet_names(content) if fmt == "xlsx" else []
    if not headers or not any(h.strip() for h in headers):
        raise ValidationFailed("The file has no header row.", fields={"file": ["The first row must name the columns."]})
    return Sheet(fmt, names, sheet or (names[0] if names else None), [h.strip() for h in headers])


def check_width(content: bytes, fmt: str, sheet: str | None, max_columns: int) -> None:
    """Raises ValidationFailed naming the first cell beyond `max_columns` (and an unknown sheet)."""
    found = (
        _xlsx_widths(content, sheet) if fmt == "xlsx" else ((n, len(r)) for n, r in enumerate(_csv_rows(content), 1))
    )
    for row, width in found:
        if width > max_columns:
            first = column_letters(max_columns + 1)
            raise ValidationFailed(
                f"A file may have at most {max_columns} columns: row {row} reaches column {column_letters(width)} "
                f"(column {first} and later are refused).",
                fields={"file": [f"At most {max_columns} columns (up to {column_letters(max_columns)})."]},
            )


def column_letters(index: int) -> str:
    """1 -> A, 27 -> AA, 201 -> GS."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column_index(reference: str) -> int:
    """The column of a cell reference ("GS12" -> 201), any number of letters (openpyxl stops at ZZZ)."""
    index = 0
    for char in reference:
        if not char.isalpha():
            break
        index = index * 26 + (ord(char.upper()) - ord("A") + 1)
        if index > _FAR:  # far past any limit: stop counting
            break
    return index


def _xlsx_widths(content: bytes, sheet: str | None) -> Iterator[tuple[int, int]]:
    """(row number, rightmost column) of each row of the sheet, its XML streamed in constant memory."""
    from openpyxl.xml.functions import iterparse  # defusedxml's when installed, as openpyxl reads

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        path = _sheet_path(archive, sheet)
        row_number, column, parent = 0, 0, None
        for event, element in iterparse(archive.open(path), events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    written = element.get("r") or ""
                    row_number = int(written) if written.isdigit() else row_number + 1
                    column = 0
                elif tag == "sheetData":
                    parent = element
                continue
            if tag == "c":
                reference = element.get("r")
                column = _column_index(reference) if reference else column + 1
                element.clear()
                if column > _FAR:
                    yield row_number, column
                    return
            elif tag == "row":
                yield row_number, column
                if parent is not None:
                    parent.remove(element)  # nothing of a row seen is kept


def _sheet_path(archive: zipfile.ZipFile, sheet: str | None) -> str:
    """The archive member holding `sheet` (the first sheet when None). Raises ValidationFailed."""
    from openpyxl.xml.functions import fromstring

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        sheets = [
            (s.get("name"), s.get(relation)) for s in fromstring(archive.read("xl/workbook.xml")).iter(f"{main}sheet")
        ]
        targets = {
            r.get("Id"): r.get("Target")
            for r in fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            if r.get("Id") and r.get("Target")
        }
    except (KeyError, SyntaxError, ValueError) as exc:
        raise ValidationFailed(
            "The XLSX file cannot be read.", fields={"file": [f"Unreadable XLSX ({exc.__class__.__name__})."]}
        ) from exc
    chosen = next((rid for name, rid in sheets if sheet is None or name == sheet), None)
    if chosen is None or chosen not in targets:
        names = ", ".join(name for name, _ in sheets if name)
        raise ValidationFailed(f"The workbook has no sheet {sheet!r}.", fields={"sheet": [f"Choose one of: {names}."]})
    target = targets[chosen]
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def iter_rows(content: bytes, fmt: str, sheet: str | None = None) -> Iterator[list[str]]:
    """Every row (the header first) as a list of strings; blank rows are kept (row numbers stay true)."""
    return _xlsx_rows(content, sheet) if fmt == "xlsx" else _csv_rows(content)


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding_of(content), newline="")
    first = text.readline()
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter_of(first))
    try:
        yield from reader
    except csv.Error as exc:
        raise ValidationFailed(f"The CSV cannot be read: {exc}.", fields={"file": [str(exc)]}) from exc


def encoding_of(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    utf16 = _utf16(content)
    if utf16:
        return utf16
    not_utf8 = _first_undecodable(content, "utf-8")
    if not_utf8 is None:
        return "utf-8"
    not_cp1252 = _first_undecodable(content, "cp1252")
    if not_cp1252 is None:
        return "cp1252"
    # Rows pasted together from files saved differently: neither reading gives every row.
    utf8_row, cp1252_row = (content.count(b"\n", 0, at) + 1 for at in (not_utf8, not_cp1252))
    raise ValidationFailed(
        f"The file mixes text encodings: row {utf8_row} (byte {not_utf8 + 1}) is not UTF-8, and row "
        f"{cp1252_row} (byte {not_cp1252 + 1}) is not Windows-1252 either. Save it again as a UTF-8 CSV.",
        fields={"file": [f"Mixed text encodings (row {utf8_row} is not UTF-8); save the file as a UTF-8 CSV."]},
    )


def _first_undecodable(content: bytes, encoding: str) -> int | None:
    """The offset of the first byte `encoding` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    step = 1 << 20
    for start in range(0, len(content), step):  # checked in slices: nothing decoded is kept
        try:
            decoder.decode(content[start : start + step])
        except UnicodeDecodeError as exc:
            return start + exc.start
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return len(content) - 1
    return None


def _utf16(content: bytes) -> str | None:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = content[:2048]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
        return "utf-16-be"
    return None


def delimiter_of(header_line: str) -> str:
    """The delimiter the header row uses most: comma, semicolon or tab."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def check_archive(content: bytes, filename: str = "file") -> None:
    """Refuse an XLSX whose members would inflate too far, before reading any. Raises ValidationFailed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise _not_a_spreadsheet(filename) from exc
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        packed_badly = any(
            m.file_size > XLSX_RATIO_FROM and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1) for m in members
        )
        if total > MAX_XLSX_UNCOMPRESSED or packed_badly:
            raise ValidationFailed(
                "This XLSX would unpack to far more than its size; it was refused unread.",
                fields={"file": ["The archive inflates too far (a zip bomb?)."]},
            )
        if "xl/workbook.xml" not in {m.filename for m in members}:
            raise _not_a_spreadsheet(filename)


def unpacked_size(content: bytes, fmt: str) -> int:
    """The bytes a reader goes through: a CSV's own, an XLSX's once inflated (XML compresses
    tenfold and more, so 2 MB of XLSX can be 40 MB of cells to read)."""
    if fmt != "xlsx":
        return len(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(m.file_size for m in archive.infolist())
    except zipfile.BadZipFile:
        return len(content)


def _open_workbook(content: bytes):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationFailed(
            "The XLSX file cannot be read.", fields={"file": [f"Unreadable XLSX ({exc.__class__.__name__})."]}
        ) from exc


def _sheet_names(content: bytes) -> list[str]:
    workbook = _open_workbook(content)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _xlsx_rows(content: bytes, sheet: str | None) -> Iterator[list[str]]:
    workbook = _open_workbook(content)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ValidationFailed(
                f"The workbook has no sheet {sheet!r}.",
                fields={"sheet": [f"Choose one of: {', '.join(workbook.sheetnames)}."]},
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        for row in worksheet.iter_rows(values_only=True):
            yield [_text(value) for value in row]
    finally:
        workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        number = Decimal(repr(value))
        return format(number.normalize(), "f") if number == number.to_integral_value() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _not_a_spreadsheet(filename: str) -> ValidationFailed:
    return ValidationFailed(
        f"{filename} is not a CSV or XLSX file.", fields={"file": ["Upload a CSV or an XLSX file."]}
    )


def numbered(content: bytes, fmt: str, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of every non-blank data row; the header is row 1."""
    rows = iter_rows(content, fmt, sheet)
    next(rows, None)
    for number, cells in enumerate(rows, start=2):
        if any(cell.strip() for cell in cells):
            yield number, cells


def duplicates(data_rows: Iterable[tuple[int, list[str]]], columns: dict[str, int]) -> dict[int, list[tuple[str, str]]]:
    """{row number: errors} for SKUs (in any letter case, as the database sees them) and barcodes
    that appear on more than one row of the file: one pass before the chunks, each row named."""
    sku_at, code_at = columns.get("sku"), columns.get("barcode")
    skus: dict[str, list[tuple[int, str]]] = {}
    codes: dict[str, list[int]] = {}
    for number, cells in data_rows:
        sku = cells[sku_at].strip() if sku_at is not None and sku_at < len(cells) else ""
        if sku:
            skus.setdefault(sku.lower(), []).append((number, sku))
        if code_at is not None and code_at < len(cells):
            for code in dict.fromkeys(barcodes.split_cell(cells[code_at])):  # twice in one cell: the cell's error
                codes.setdefault(code, []).append(number)
    found: dict[int, list[tuple[str, str]]] = {}
    for seen in skus.values():
        if len(seen) > 1:
            rows = ", ".join(str(n) for n, _ in seen)
            written = list(dict.fromkeys(sku for _, sku in seen))
            message = f"SKU {seen[0][1]} appears more than once in the file (rows {rows})"
            if len(written) > 1:
                message += f": written {', '.join(written[:-1])} and {written[-1]}, one SKU in any letter case"
            for n, _ in seen:
                found.setdefault(n, []).append(("sku", message + "."))
    for code, rows in codes.items():
        if len(rows) > 1:
            for n in rows:
                found.setdefault(n, []).append(
                    ("barcode", f"Barcode {code} appears on more than one row (rows {', '.join(map(str, rows))}).")
                )
    return found


def chunks(rows, size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
