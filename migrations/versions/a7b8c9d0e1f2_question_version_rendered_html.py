"""question versions keep their rendered HTML

`question_versions.rendered` holds the sanitized HTML of the version's Markdown (stem, options, case,
reference, explanation) as {"v": render version, "nonce": ..., "html": {source: html}}, produced at
import. Existing rows stay NULL: a migration must not import the application's code, and the pages
fill a missing or stale value on first use (`services.banks.rendered`).

Revision ID: a7b8c9d0e1f2
Revises: b8c9d0e1f2a3
Create Date: 2026-12-02 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7b8c9d0e1f2"
down_revision = "b8c9d0e1f2a3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rendered", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("question_versions", schema=None) as batch_op:
        batch_op.drop_column("rendered")
