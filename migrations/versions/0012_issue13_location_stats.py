"""location_stats: each location's subtree figures (items with stock, items placed, units)

Revision ID: 0012_issue13_location_stats
Revises: 0007_issue16_alert_resolution

Maintained by app/services/counters.py (see app/services/location_counters.py), like
category_stats: the tree's totals and the location filter's count read a location's 16
stripes instead of summing its whole subtree. Filled here from the current stock.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_issue13_location_stats"
down_revision = "0007_issue16_alert_resolution"
branch_labels = None
depends_on = None

# A frozen copy of the service's from-scratch statement (a migration must not change with the app).
FILL = """
INSERT INTO location_stats (location_id, stripe, items, placed, units)
SELECT a.id, p.item_id % 16,
       count(DISTINCT CASE WHEN p.quantity > 0 THEN p.item_id END), count(DISTINCT p.item_id),
       COALESCE(sum(p.quantity), 0)
FROM (
    SELECT sl.item_id, sl.location_id, sl.quantity FROM stock_levels sl
    JOIN items i ON i.id = sl.item_id WHERE NOT i.is_deleted AND sl.quantity > 0
    UNION ALL
    SELECT i.id, i.location_id, 0 FROM items i WHERE NOT i.is_deleted AND i.location_id IS NOT NULL
) p
JOIN locations l ON l.id = p.location_id
JOIN locations a ON l.path_key >= a.path_key AND l.path_key < substr(a.path_key, 1, length(a.path_key) - 1) || '0'
GROUP BY a.id, p.item_id % 16
"""


def upgrade():
    op.create_table(
        "location_stats",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("stripe", sa.SmallInteger(), nullable=False),
        sa.Column("items", sa.BigInteger(), nullable=False),
        sa.Column("placed", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.Numeric(24, 3), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_location_stats_location_id_locations")),
        sa.PrimaryKeyConstraint("location_id", "stripe", name=op.f("pk_location_stats")),
    )
    op.execute(FILL)


def downgrade():
    op.drop_table("location_stats")
