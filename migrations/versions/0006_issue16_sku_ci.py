"""items: SKUs unique regardless of letter case among active items

Revision ID: 0006_issue16_sku_ci
Revises: 0009_issue15_barcodes

Replaces the case-sensitive unique index on items.sku with a unique index on
lower(sku) (active items only), on PostgreSQL and SQLite alike. A database that
already holds SKUs differing only in case cannot take that index: the migration then
lists every clash (SKU and item ids) in its output, keeps the old case-sensitive
index and finishes, so a deploy does not stop. The services already refuse new
clashes; rename the listed items, then run `flask db downgrade
0009_issue15_barcodes && flask db upgrade` to add the index.
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0006_issue16_sku_ci"
down_revision = "0009_issue15_barcodes"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

_NEW = "uq_items_sku_ci_active"
_OLD = "uq_items_sku_active"


def _active() -> str:
    return "is_deleted = 0" if op.get_bind().dialect.name == "sqlite" else "NOT is_deleted"


def clashes(bind) -> list[tuple[str, list[int]]]:
    """Active SKUs that differ only in letter case: (lower-cased SKU, item ids)."""
    active = "is_deleted = 0" if bind.dialect.name == "sqlite" else "NOT is_deleted"
    rows = bind.execute(
        sa.text(f"SELECT lower(sku) AS key, id, sku FROM items WHERE {active} ORDER BY lower(sku), id")
    ).all()
    grouped: dict[str, list[tuple[int, str]]] = {}
    for key, item_id, sku in rows:
        grouped.setdefault(key, []).append((item_id, sku))
    return [(key, [item_id for item_id, _sku in found]) for key, found in grouped.items() if len(found) > 1]


def upgrade():
    bind = op.get_bind()
    found = clashes(bind)
    if found:
        lines = [f"  {key!r}: items {', '.join(str(i) for i in ids)}" for key, ids in found]
        message = (
            f"SKUs that differ only in letter case: {len(found)} clash(es); the case-insensitive unique "
            "index was NOT created (the old case-sensitive one stays). Rename these items, then run "
            "`flask db downgrade 0009_issue15_barcodes && flask db upgrade`:\n" + "\n".join(lines)
        )
        log.warning(message)
        print(message)  # noqa: T201 - an operator reads this in the deploy output
        return
    op.execute(f"DROP INDEX IF EXISTS {_OLD}")
    op.execute(f"CREATE UNIQUE INDEX {_NEW} ON items (lower(sku)) WHERE {_active()}")


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {_NEW}")
    op.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {_OLD} ON items (sku) WHERE {_active()}")
