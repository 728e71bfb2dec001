"""outbox: record each send attempt before the provider call

Revision ID: 0005_issue12_outbox_attempts
Revises: 0004

outbox_emails.state ("sending" while the provider call is in flight, then "sent") and
attempted_at: a redelivered email task waits for another worker's call instead of
sending the same email again. Existing rows were all sent.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_issue12_outbox_attempts"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_emails") as batch:
        batch.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="sent"))
        batch.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint(op.f("ck_outbox_emails_state_valid"), "state IN ('sending', 'sent')")


def downgrade():
    op.execute("DELETE FROM outbox_emails WHERE state <> 'sent'")
    with op.batch_alter_table("outbox_emails") as batch:
        batch.drop_constraint(op.f("ck_outbox_emails_state_valid"), type_="check")
        batch.drop_column("attempted_at")
        batch.drop_column("state")
