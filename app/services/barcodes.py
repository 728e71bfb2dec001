"""Manufacturers' barcodes on items: the rules a code must follow, and keeping an item's list."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

import sqlalchemy as sa

from app.errors import DuplicateValue, ValidationFailed
from app.extensions import db
from app.models import Item, ItemBarcode
from app.services.uow import is_sqlite

BARCODE_LENGTH = 64
MAX_BARCODES = 50  # per item
# Code 128 carries printable ASCII; spaces are left out so a code reads the same wherever it is shown.
BARCODE_PATTERN = re.compile(r"^[\x21-\x7e]+$")
FIELD = "barcodes"


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
        if not code or len(code) > BARCODE_LENGTH or not BARCODE_PATTERN.match(code):
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
    if is_sqlite():
        return
    for key in sorted({zlib.crc32(code.encode()) for code in codes}):
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(15, :key)"), {"key": key - 2**31})
