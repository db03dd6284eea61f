"""exams state how far a paper's total difficulty may differ from the target

Adds exams.difficulty_tolerance (total-difficulty points, integer). Every existing exam gets 0:
its papers stay equally difficult, as before; what changes for them (the code, not this migration)
is that new papers now vary among the equally difficult question sets to spread exposure.

Revision ID: d4e5f6a7b8c9
Revises: a1b2c3d4e5f6
Create Date: 2026-12-02 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'a1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('difficulty_tolerance', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('difficulty_tolerance')
