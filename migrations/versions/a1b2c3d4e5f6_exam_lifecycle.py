"""exams have a lifecycle: draft, published, archived

Adds exams.status ('draft' for new exams) and who/when of publishing, closing early and archiving.
Every existing exam becomes 'published' with published_at = its creation time, because it is live
today: an examinee who can sit it now can still sit it after the upgrade. Downgrading drops the
columns (drafts and archived exams then show to their examinees again, as before).

Revision ID: a1b2c3d4e5f6
Revises: b2c3d4e5f6a7
Create Date: 2026-12-20 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f6'
down_revision = 'b2c3d4e5f6a7'
branch_labels = None
depends_on = None

WHO = ('published_by_id', 'closed_early_by_id', 'archived_by_id')


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='draft', nullable=False))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_early_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_early_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('archived_by_id', sa.Integer(), nullable=True))
        for column in WHO:
            batch_op.create_foreign_key(batch_op.f(f'fk_exams_{column}_users'), 'users', [column], ['id'])
    exams = sa.table('exams', sa.column('status', sa.String), sa.column('published_at', sa.DateTime),
                     sa.column('created_at', sa.DateTime))
    op.execute(exams.update().values(status='published', published_at=exams.c.created_at))


def downgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        for column in WHO:
            batch_op.drop_constraint(batch_op.f(f'fk_exams_{column}_users'), type_='foreignkey')
        for column in ('archived_by_id', 'archived_at', 'closed_early_by_id', 'closed_early_at',
                       'published_by_id', 'published_at', 'status'):
            batch_op.drop_column(column)
