"""SQLite: rebuild the indexes on lower(...) with the Unicode lower() the app now defines

Revision ID: 0016_sqlite_unicode_lower
Revises: 0015_issue27_lotcounts

app/__init__.py gives every SQLite connection a lower() that folds every script (SQLite's own
folds ASCII only). An index on lower(name) or lower(sku) built before holds the old keys for
non-ASCII text, so it is rebuilt once here. PostgreSQL: nothing to do.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_sqlite_unicode_lower"
down_revision = "0015_issue27_lotcounts"
branch_labels = None
depends_on = None

INDEXES = ("uq_locations_sibling_name", "uq_items_sku_ci_active", "ix_items_sku_lower")


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    present = {row[0] for row in op.get_bind().execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'index'"))}
    for name in (n for n in INDEXES if n in present):  # 0006 may have kept the old SKU index
        try:
            op.execute(f"REINDEX {name}")
        except sa.exc.IntegrityError as error:
            raise RuntimeError(
                f"{name}: two names (or SKUs) differ only in the case of non-ASCII letters, which the "
                "app now treats as the same; rename one of them, then upgrade again"
            ) from error


def downgrade():
    pass  # the old keys come back with SQLite's own lower(), once the app no longer defines it
