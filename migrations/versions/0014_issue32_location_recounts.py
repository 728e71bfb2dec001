"""location_recounts: the locations whose subtree figures a move left to count again

Revision ID: 0014_issue32_location_recounts
Revises: 0013_issue27_lots_serials

A move of a subtree changes the figures of the locations above its old and its new place.
They are counted again in the background, one short transaction per location and stripe
(app/services/location_recount.py), instead of inside the move while every movement waits;
this table holds what is still to count, so a lost job or a crashed worker loses nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_issue32_location_recounts"
down_revision = "0013_issue27_lots_serials"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "location_recounts",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_location_recounts_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_location_recounts")),
    )


def downgrade():
    op.drop_table("location_recounts")
