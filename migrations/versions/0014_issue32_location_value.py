"""location_stats.value and .low: each subtree's stock value and low-stock items, maintained

Revision ID: 0014_issue32_location_value
Revises: 0014_issue32_location_recounts

The site-narrowed dashboard summed every stock level of the site (half a million at a million
items) for its value and low-stock count; now it reads the site's 16 stripes, kept with the other
subtree figures (app/services/location_counters.py). Filled here from the current stock.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_issue32_location_value"
down_revision = "0014_issue32_location_recounts"
branch_labels = None
depends_on = None

# A frozen copy of the service's from-scratch statement (a migration must not change with the app).
FILL = """
INSERT INTO location_stats (location_id, stripe, items, placed, units, value, low)
SELECT a.id, p.item_id % 16,
       count(DISTINCT CASE WHEN p.quantity > 0 THEN p.item_id END), count(DISTINCT p.item_id),
       COALESCE(sum(p.quantity), 0), COALESCE(sum(p.quantity * p.price), 0),
       count(DISTINCT CASE WHEN p.quantity > 0 AND p.low THEN p.item_id END)
FROM (
    SELECT sl.item_id, sl.location_id, sl.quantity, i.price, i.quantity < i.low_stock_threshold AS low
    FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE NOT i.is_deleted AND sl.quantity > 0
    UNION ALL
    SELECT i.id, i.location_id, 0, i.price, false FROM items i WHERE NOT i.is_deleted AND i.location_id IS NOT NULL
) p
JOIN locations l ON l.id = p.location_id
JOIN locations a ON l.path_key >= a.path_key AND l.path_key < substr(a.path_key, 1, length(a.path_key) - 1) || '0'
GROUP BY a.id, p.item_id % 16
"""


def upgrade():
    op.add_column("location_stats", sa.Column("value", sa.Numeric(38, 5), nullable=False, server_default="0"))
    op.add_column("location_stats", sa.Column("low", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("DELETE FROM location_stats")
    op.execute(FILL)


def downgrade():
    op.drop_column("location_stats", "low")
    op.drop_column("location_stats", "value")
