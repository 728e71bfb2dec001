"""Printable labels: a QR code of an item's or a location's link with its name, as a PDF.

Lots get a GS1 DataMatrix instead (lot_label): their item's GTIN, expiry and lot code.
Sheet layouts follow the common die-cut sheets (Avery L7160/L7159 on A4, 5160/5167 on US
Letter); thermal layouts put one label on each page at the label's own size. The QR
matrix comes from segno; reportlab lays out the page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm

from app.errors import ValidationFailed
from app.extensions import db
from app.limits import MAX_COPIES, MAX_LABELS
from app.models import Item, Location
from app.models.location import subtree_upper
from app.money import format_money
from app.services.item_list import item_filters
from app.services.scanning import gs1
from app.services.scanning.codes import item_link, location_link

if TYPE_CHECKING:
    import segno
    from reportlab.pdfgen.canvas import Canvas


# reportlab's fonts and canvas and segno (~5 MB) are imported on the first label, not when a
# web worker starts (bench/profiles/findings.md).
def stringWidth(text: str, font: str, size: float) -> float:  # noqa: N802 - reportlab's name
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.stringWidth(text, font, size)


def simpleSplit(text: str, font: str, size: float, width: float) -> list[str]:  # noqa: N802 - reportlab's name
    from reportlab.lib import utils

    return utils.simpleSplit(text, font, size, width)


MASK = 2  # vertical stripes of modules: see make_qr
SEPARATOR = " / "  # between the levels of a location path
SMALLEST_FONT = 4.5  # points: the smallest text a label prints
PATH_LINES = 3  # at most, on a label: a longer path is shortened from the left (a layout rule, not an input limit)
LEADING = 1.15  # line height, as a multiple of the font size
QUIET_ZONE = 2  # modules of white around a QR code (the spec's 4 is mostly given by the label's margin)


@dataclass(frozen=True)
class Layout:
    """Where labels sit on a page: `cols` x `rows` of `width` x `height`, in points."""

    page: tuple[float, float]
    cols: int
    rows: int
    width: float
    height: float
    left: float  # page edge to the first column
    top: float  # page edge to the first row
    pitch_x: float  # one label's left edge to the next one's
    pitch_y: float

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def origin(self, position: int) -> tuple[float, float]:
        """The bottom-left corner of the label at `position` (0 = top left, across then down)."""
        row, col = divmod(position, self.cols)
        return self.left + col * self.pitch_x, self.page[1] - self.top - row * self.pitch_y - self.height


LAYOUTS: dict[str, Layout] = {
    "a4-3x7": Layout(A4, 3, 7, 63.5 * mm, 38.1 * mm, 7.2 * mm, 15.15 * mm, 66.0 * mm, 38.1 * mm),
    "a4-3x8": Layout(A4, 3, 8, 63.5 * mm, 33.9 * mm, 7.2 * mm, 12.9 * mm, 66.0 * mm, 33.9 * mm),
    "letter-3x10": Layout(LETTER, 3, 10, 2.625 * inch, 1 * inch, 0.1875 * inch, 0.5 * inch, 2.75 * inch, 1 * inch),
    "letter-4x20": Layout(LETTER, 4, 20, 1.75 * inch, 0.5 * inch, 0.3 * inch, 0.5 * inch, 2.05 * inch, 0.5 * inch),
    "thermal-62x29": Layout((62 * mm, 29 * mm), 1, 1, 62 * mm, 29 * mm, 0, 0, 0, 0),
    "thermal-4x6": Layout((4 * inch, 6 * inch), 1, 1, 4 * inch, 6 * inch, 0, 0, 0, 0),
}
DEFAULT_LAYOUT = "a4-3x8"


@dataclass(frozen=True)
class Label:
    code: str  # the QR code's text
    title: str
    detail: str  # an item's SKU, a location's path
    price: str | None = None
    # "qr", or "gs1-datamatrix": `code` is then a GS1 element string (see lot_label)
    symbol: str = "qr"


def item_labels(
    ids: list[int] | None = None, *, with_price: bool = False, sort_by: str = "name", **filters
) -> list[Label]:
    """Labels for the given active items (in the order given), or for every item the filters match.

    Raises ValidationFailed naming `ids` (unknown ids, too many labels).
    """
    query = sa.select(Item.id, Item.sku, Item.name, Item.price)
    if ids:
        rows = {row.id: row for row in db.session.execute(query.where(Item.id.in_(ids), sa.not_(Item.is_deleted)))}
        _check_found("Item", ids, rows)
        found = [rows[i] for i in dict.fromkeys(ids)]
    else:
        found = db.session.execute(
            query.where(*item_filters(**filters)).order_by(Item.name, Item.id).limit(MAX_LABELS + 1)
        ).all()
    _check_count(len(found), "ids")
    return [
        Label(item_link(row.id), row.name, row.sku, format_money(row.price) if with_price else None) for row in found
    ]


def location_labels(ids: list[int], *, subtree: bool = False) -> list[Label]:
    """Labels for live locations, each followed by everything inside it when `subtree`. Raises ValidationFailed."""
    rows = {loc.id: loc for loc in db.session.execute(sa.select(Location).where(Location.id.in_(ids))).scalars()}
    rows = {i: loc for i, loc in rows.items() if loc.deleted_at is None}
    _check_found("Location", ids, rows)
    chosen: dict[int, Location] = {}
    for location_id in dict.fromkeys(ids):
        root = rows[location_id]
        if not subtree:
            chosen.setdefault(root.id, root)
            continue
        inside = db.session.execute(
            sa.select(Location)
            .where(Location.path_key >= root.path_key, Location.path_key < subtree_upper(root.path_key))
            .where(Location.deleted_at.is_(None))
            .order_by(Location.path_key)
            .limit(MAX_LABELS + 1)
        ).scalars()
        for location in inside:
            chosen.setdefault(location.id, location)
        _check_count(len(chosen), "ids")
    _check_count(len(chosen), "ids")
    return [Label(location_link(loc.id), loc.name, loc.path) for loc in chosen.values()]


def lot_label(gtin: str, lot: str, expires_on: date | None, *, title: str, detail: str) -> Label:
    """A lot's label: a GS1 DataMatrix of the item's GTIN (01), the expiry (17) and the lot (10),
    which our scanner (and any GS1 reader) reads back to that lot. Raises InvalidGtin, ValidationFailed."""
    return Label(gs1.element_string(gtin, lot, expires_on), title, detail, symbol="gs1-datamatrix")


def render(labels: Iterable[Label], *, layout: str = DEFAULT_LAYOUT, skip: int = 0, copies: int = 1) -> bytes:
    """A PDF of the labels; the first `skip` places of the first sheet are left blank. Raises ValidationFailed."""
    sheet = LAYOUTS[layout]
    if not 0 <= skip < sheet.per_page:
        raise ValidationFailed(
            f"Skip between 0 and {sheet.per_page - 1} labels on this layout.",
            fields={"skip": [f"At most {sheet.per_page - 1}."]},
        )
    if not 1 <= copies <= MAX_COPIES:
        raise ValidationFailed(f"Print 1 to {MAX_COPIES} copies.", fields={"copies": [f"1 to {MAX_COPIES}."]})
    labels = list(labels)
    _check_count(len(labels) * copies, "copies")
    out = io.BytesIO()
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(out, pagesize=sheet.page, pageCompression=1)
    canvas.setTitle("Labels")
    modules_cache: dict[tuple[str, str], list[list[int]]] = {}
    position = skip
    for label in _repeat(labels, copies):
        if position == sheet.per_page:
            canvas.showPage()
            position = 0
        x, y = sheet.origin(position)
        key = (label.symbol, label.code)
        modules = modules_cache.get(key) or modules_cache.setdefault(key, _modules(label))
        _draw_label(canvas, label, modules, x, y, sheet.width, sheet.height)
        position += 1
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def make_qr(text: str) -> segno.QRCode:
    """A QR code (error correction M) with a fixed mask pattern.

    Any of the eight masks is valid for every reader; letting segno score all eight for
    the best one is 60% of a label's render time, and a fixed one reads just as well
    from print (the label tests decode every code).
    """
    import segno

    return segno.make_qr(text, error="m", mask=MASK, boost_error=False)


def _modules(label: Label) -> list[list[int]]:
    """The symbol's rows of dark (1) and light (0) modules, quiet zone included."""
    if label.symbol == "gs1-datamatrix":
        return gs1.datamatrix_modules(label.code)
    return [list(row) for row in make_qr(label.code).matrix_iter(scale=1, border=QUIET_ZONE)]


def qr_box(layout: Layout) -> tuple[float, float, float]:
    """Where a label's QR code sits inside the label: (x offset, y offset, side), in points."""
    pad = min(layout.width, layout.height) * 0.06
    if layout.height > layout.width:  # portrait: code on top, text below
        side = layout.width - 2 * pad
        return pad, layout.height - pad - side, side
    side = layout.height - 2 * pad
    return pad, pad, side


def _draw_label(canvas: Canvas, label: Label, modules: list[list[int]], x: float, y: float, w: float, h: float) -> None:
    qx, qy, side = qr_box(Layout((w, h), 1, 1, w, h, 0, 0, 0, 0))
    _draw_modules(canvas, modules, x + qx, y + qy, side)
    pad = min(w, h) * 0.06
    if h > w:
        text_x, text_w, top = x + pad, w - 2 * pad, y + qy - pad
        size = min(24.0, h / 14)
    else:
        text_x, text_w, top = x + qx + side + pad, w - side - 3 * pad, y + h - pad
        size = max(4.5, min(11.0, h / 4.2))
    room = top - (y + pad * 0.5)
    # A smaller font before a lost line: the path's last levels are what tells two bins apart.
    while True:
        lines = _text_lines(label, size, text_w, room)
        if lines is not None or size <= SMALLEST_FONT:
            break
        size = max(SMALLEST_FONT, size * 0.9)
    baseline = top
    for font, font_size, text in lines or _text_lines(label, size, text_w, None):
        baseline -= font_size * LEADING
        if baseline < y + pad * 0.5:
            break
        canvas.setFont(font, font_size)
        canvas.drawString(text_x, baseline, _fit(text, font, font_size, text_w))


def _text_lines(label: Label, size: float, width: float, room: float | None) -> list[tuple[str, float, str]] | None:
    """(font, size, text) of each line, or None when they need more than `room` points of height."""
    small = size * 0.85
    below = small * LEADING if label.price else 0.0
    title_lines = 2
    detail_lines = 2
    if room is not None:
        detail_lines = max(1, min(PATH_LINES, int((room - size * LEADING - below) // (small * LEADING))))
    detail = path_lines(label.detail, "Helvetica", small, width, detail_lines)
    if room is not None:
        left = room - len(detail) * small * LEADING - below
        title_lines = min(2, int(left // (size * LEADING)))
        if title_lines < 1 or len(detail) > detail_lines:
            return None
    title = simpleSplit(label.title, "Helvetica-Bold", size, width) or [""]
    if len(title) > title_lines:  # the rest of the name is cut with an ellipsis on its last line
        title = [*title[: title_lines - 1], " ".join(title[title_lines - 1 :])]
    lines = [("Helvetica-Bold", size, line) for line in title]
    lines += [("Helvetica", small, line) for line in detail]
    if label.price:
        lines.append(("Helvetica-Bold", small, label.price))
    return lines


def path_lines(path: str, font: str, size: float, width: float, max_lines: int = 2) -> list[str]:
    """A location path on at most `max_lines` lines, broken after a " / ".

    When the whole path does not fit it is shortened from the left a level at a time
    ("… / Shelf 04 / Bin B2"); the last two levels are always printed whole, on more lines
    than asked if they must be (the caller then tries a smaller font).
    """
    levels = path.split(SEPARATOR)
    lines: list[str] = []
    for start in range(max(1, len(levels) - 1)):
        shown = levels[start:] if start == 0 else ["…", *levels[start:]]
        lines = _wrap_levels(shown, font, size, width)
        if len(lines) <= max_lines:
            break
    return lines


def _wrap_levels(levels: list[str], font: str, size: float, width: float) -> list[str]:
    # Each level but the last carries its " /", so a line that ends in a slash says the path goes on.
    tokens = [level + SEPARATOR.rstrip() for level in levels[:-1]] + levels[-1:]
    lines: list[str] = []
    current = ""
    for token in tokens:
        joined = f"{current} {token}" if current else token
        if stringWidth(joined, font, size) <= width:
            current = joined
            continue
        if current:
            lines.append(current)
        pieces = [piece for word in token.split(" ") for piece in _split_word(word, font, size, width)]
        pieces = simpleSplit(" ".join(pieces), font, size, width) or [token]  # a level wider than a line
        lines += pieces[:-1]
        current = pieces[-1]
    return [*lines, current] if current else lines


def _split_word(word: str, font: str, size: float, width: float) -> list[str]:
    """A word wider than a line in pieces that fit (whole characters: nothing drawn past the edge)."""
    pieces = [""]
    for char in word:
        if pieces[-1] and stringWidth(pieces[-1] + char, font, size) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces


def _draw_modules(canvas: Canvas, modules: list[list[int]], x: float, y: float, side: float) -> None:
    """A square symbol's dark modules as one path of horizontal runs (fast to draw and to print)."""
    size = len(modules)
    canvas.saveState()
    # Drawn in module units (whole numbers), scaled once: exact edges, short numbers, and the
    # rectangles written straight into the content stream (formatting each through a path
    # object's float handling was most of a label's render time).
    canvas.translate(x, y)
    canvas.scale(side / size, side / size)
    ops = []
    for row_index, row in enumerate(modules):
        top = size - row_index - 1
        start = None
        for col, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                ops.append(f"{start} {top} {col - start} 1 re")
                start = None
    canvas.setFillColorRGB(0, 0, 0)
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _repeat(labels: list[Label], copies: int) -> Iterator[Label]:
    for label in labels:
        for _ in range(copies):
            yield label


def _check_found(kind: str, ids: list[int], rows: dict) -> None:
    missing = [i for i in ids if i not in rows]
    if missing:
        shown = ", ".join(str(i) for i in missing[:20])
        raise ValidationFailed(f"{kind} ids not found: {shown}.", fields={"ids": [f"Not found: {shown}."]})


def _check_count(count: int, field: str) -> None:
    if count > MAX_LABELS:
        raise ValidationFailed(
            f"At most {MAX_LABELS:,} labels in one PDF; narrow the selection.",
            fields={field: [f"More than {MAX_LABELS:,} labels."]},
        )
