"""exams balance papers on the author's labels or on measured difficulty

Adds exams.difficulty_source ('author', the default for every existing exam, or 'measured') and
exams.measured_difficulty, the {version id: level} snapshot a 'measured' exam freezes when its first
attempt starts (NULL until then).

Revision ID: f1a2b3c4d5e6
Revises: f5c6d7e8f9a0
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'f5c6d7e8f9a0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('difficulty_source', sa.String(length=20), server_default='author',
                                      nullable=False))
        batch_op.add_column(sa.Column('measured_difficulty', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('measured_difficulty')
        batch_op.drop_column('difficulty_source')
