"""leave-page evidence settings: a notice with a live count, a leave limit, full screen on start

Three exam settings. Existing exams keep today's behaviour: leave_notice off, leave_limit NULL (no limit,
an attempt is never submitted for leaving), fullscreen_on_start off. The attempt_events table is
unchanged: the new kinds ("unload", "open", "reload") and the page id (detail {"page": ...}) fit its
columns; events recorded before this revision have no page id and are read as one page.

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-12 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leave_notice', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('leave_limit', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fullscreen_on_start', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('fullscreen_on_start')
        batch_op.drop_column('leave_limit')
        batch_op.drop_column('leave_notice')
