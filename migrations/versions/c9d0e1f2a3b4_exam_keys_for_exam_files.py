"""exams get an optional stable key, the name of an exam kept as a file

Adds exams.key (unique, nullable): `flask exams apply FILE.yaml` creates the exam with the file's key
and finds it again by that key; `flask exams export KEY` writes it back. Existing exams, and exams
made on the web, have none.

Revision ID: c9d0e1f2a3b4
Revises: a7b8c9d0e1f2
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c9d0e1f2a3b4"
down_revision = "a7b8c9d0e1f2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_exams_key"), ["key"])


def downgrade():
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_exams_key"), type_="unique")
        batch_op.drop_column("key")
