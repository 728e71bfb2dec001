"""spreadsheet imports

Revision ID: 0008_issue14_imports
Revises: 0005_issue13_tree

- imports: an uploaded CSV/XLSX of items, its mapping, the dry run's counts and errors,
  and the run's progress (`applied_through`: the last row whose batch committed).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_issue14_imports"
down_revision = "0005_issue13_tree"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("sheet", sa.String(255), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("sheets", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("on_error", sa.String(8), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("applied_through", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("applied", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('uploaded', 'validating', 'validated', 'running', 'done', 'failed', 'cancelled')",
            name=op.f("ck_imports_state_valid"),
        ),
        sa.CheckConstraint("on_error IN ('stop', 'skip')", name=op.f("ck_imports_on_error_valid")),
    )
    op.create_index("ix_imports_state", "imports", ["state"])
    op.create_index("ix_imports_user_id", "imports", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_imports_user_id", table_name="imports")
    op.drop_index("ix_imports_state", table_name="imports")
    op.drop_table("imports")
