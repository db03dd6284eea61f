"""Attempts remember when their paper was first served (the clock starts then), and a queue of starts

Revision ID: b8c9d0e1f2a3
Revises: e5f6a7b8c9d0
Create Date: 2026-12-02 10:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "b8c9d0e1f2a3"
down_revision = "e5f6a7b8c9d0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("paper_served_at", sa.DateTime(), nullable=True))
    # Attempts that exist already were timed from their start: they count as served then.
    op.execute("UPDATE attempts SET paper_served_at = started_at")
    op.create_table(
        "start_queue",
        sa.Column("exam_id", sa.Integer(), sa.ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("polled_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_start_queue_order", "start_queue", ["exam_id", "queued_at"])


def downgrade():
    op.drop_index("ix_start_queue_order", table_name="start_queue")
    op.drop_table("start_queue")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("paper_served_at")
