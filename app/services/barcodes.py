"""Manufacturers' barcodes on items: the rules a code must follow, and keeping an item's list."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.errors import DuplicateValue, ValidationFailed
from app.extensions import db
from app.limits import BARCODE_LENGTH, BARCODE_PATTERN, MAX_BARCODES
from app.models import Item, ItemBarcode
from app.services.uow import is_sqlite

_BARCODE = re.compile(BARCODE_PATTERN)
FIELD = "barcodes"
# Several codes in one spreadsheet cell: spaces, commas or semicolons between them (exports use a space).
CELL_SEPARATORS = re.compile(r"[\s,;]+")


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (UPC-A: 11, EAN-13: 12)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalise_codes(codes: Iterable[str]) -> list[str]:
    """Trimmed, checked codes in the order given. Raises ValidationFailed naming `barcodes`."""
    result: list[str] = []
    problems: list[str] = []
    for raw in codes:
        code = raw.strip() if isinstance(raw, str) else ""
        if not code or len(code) > BARCODE_LENGTH or not _BARCODE.match(code):
            problems.append(f"{raw!r}: use 1 to {BARCODE_LENGTH} printable characters, no spaces.")
        elif code.isdigit() and len(code) in (12, 13) and int(code[-1]) != gtin_check_digit(code[:-1]):
            kind = "UPC-A" if len(code) == 12 else "EAN-13"
            problems.append(f"{code}: not a valid {kind} (the check digit should be {gtin_check_digit(code[:-1])}).")
        elif code in result:
            problems.append(f"{code}: listed twice.")
        else:
            result.append(code)
    if len(result) > MAX_BARCODES:
        problems.append(f"At most {MAX_BARCODES} barcodes per item.")
    if problems:
        raise ValidationFailed("Some barcodes are not valid.", fields={FIELD: problems})
    return result


def split_cell(text: str) -> list[str]:
    """The codes written in one spreadsheet cell, in order (not yet checked)."""
    return [code for code in CELL_SEPARATORS.split(text) if code]


def cell_text(codes: list[str]) -> str:
    """Codes as one spreadsheet cell, the form split_cell reads back."""
    return " ".join(codes)


def holders(codes: Iterable[str], item_ids: Iterable[int] = ()) -> list[tuple[str, int, str]]:
    """(code, item id, SKU) for active items carrying any of `codes`, and every code of `item_ids`.

    One statement for a whole import chunk: on PostgreSQL the lists travel as two arrays
    (a chunk can hold more codes than a statement takes parameters).
    """
    codes, item_ids = sorted(set(codes)), sorted(set(item_ids))
    if not codes and not item_ids:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        wanted = sa.or_(
            ItemBarcode.code == sa.any_(sa.bindparam("codes", codes, type_=postgresql.ARRAY(sa.String))),
            ItemBarcode.item_id == sa.any_(sa.bindparam("item_ids", item_ids, type_=postgresql.ARRAY(sa.Integer))),
        )
    else:
        wanted = sa.or_(ItemBarcode.code.in_(codes), ItemBarcode.item_id.in_(item_ids))
    query = (
        sa.select(ItemBarcode.code, ItemBarcode.item_id, Item.sku)
        .join(Item, Item.id == ItemBarcode.item_id)
        .where(wanted, sa.not_(Item.is_deleted))
        .order_by(ItemBarcode.id)
    )
    return [(code, item_id, sku) for code, item_id, sku in db.session.execute(query).all()]


def place_new(coded: list[tuple[Item, list[str]]]) -> None:
    """Give just-created items their (normalised) codes in the caller's transaction, in one INSERT.

    Raises DuplicateValue naming `barcodes` when another active item carries one, or two of them share one.
    """
    coded = [(item, codes) for item, codes in coded if codes]
    if not coded:
        return
    wanted = [code for _, codes in coded for code in codes]
    _lock_codes(wanted)
    ours = {item.id for item, _ in coded}
    problems = [f"{code} is already on {sku}." for code, item_id, sku in holders(wanted) if item_id not in ours]
    problems += [f"{code} is given to two new items." for code, n in sorted(Counter(wanted).items()) if n > 1]
    if problems:
        raise DuplicateValue("A barcode is already on another item.", fields={FIELD: problems})
    db.session.add_all(ItemBarcode(item_id=item.id, code=code) for item, codes in coded for code in codes)
    db.session.flush()


def codes_of(item_id: int) -> list[str]:
    """An item's barcodes, in the order they were added."""
    query = sa.select(ItemBarcode.code).where(ItemBarcode.item_id == item_id).order_by(ItemBarcode.id)
    return list(db.session.execute(query).scalars())


def replace_codes(item: Item, codes: list[str]) -> bool:
    """Set an item's barcodes (already normalised) in the caller's transaction; True when they changed.

    Raises DuplicateValue naming `barcodes` when another active item carries one of them.
    """
    current = codes_of(item.id)
    if current == codes:
        return False
    _lock_codes(codes)
    taken = db.session.execute(
        sa.select(ItemBarcode.code, Item.sku)
        .join(Item, Item.id == ItemBarcode.item_id)
        .where(ItemBarcode.code.in_(codes), ItemBarcode.item_id != item.id, sa.not_(Item.is_deleted))
    ).all()
    if taken:
        raise DuplicateValue(
            "A barcode is already on another item.",
            fields={FIELD: [f"{code} is already on {sku}." for code, sku in taken]},
        )
    db.session.execute(sa.delete(ItemBarcode).where(ItemBarcode.item_id == item.id, ItemBarcode.code.not_in(codes)))
    for code in codes:
        if code not in current:
            db.session.add(ItemBarcode(item_id=item.id, code=code))
    db.session.flush()
    return True


def _lock_codes(codes: list[str]) -> None:
    """Serialise writers of the same code until commit (PostgreSQL; SQLite has one writer anyway)."""
    if is_sqlite() or not codes:
        return
    # One statement, taken in ascending key order (unnest reads the sorted array in order).
    keys = sorted({zlib.crc32(code.encode()) - 2**31 for code in codes})
    db.session.execute(
        sa.text("SELECT pg_advisory_xact_lock(15, key) FROM unnest(:keys) AS key").bindparams(
            sa.bindparam("keys", type_=postgresql.ARRAY(sa.Integer))
        ),
        {"keys": keys},
    )
