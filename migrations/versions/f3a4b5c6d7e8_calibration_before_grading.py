"""calibration before grading: sample answers with reference marks, reviewers' practice marks

Two exam settings (calibration_required, off; calibration_tolerance, 10 percent of the points) and two
tables: calibration_samples (a sample answer to a written question of an exam with the admin's reference
mark; soft-deleted) and calibration_marks (every practice mark a reviewer gave on a sample).

Revision ID: f3a4b5c6d7e8
Revises: f2a3b4c5d6e7
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a4b5c6d7e8'
down_revision = 'f2a3b4c5d6e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calibration_required', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('calibration_tolerance', sa.Numeric(precision=5, scale=2, asdecimal=False),
                                      server_default='10', nullable=False))
    op.create_table(
        'calibration_samples',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('exam_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('attempt_slot_id', sa.Integer(), nullable=True),
        sa.Column('response', sa.Text(), nullable=False),
        sa.Column('points', sa.Numeric(precision=8, scale=2, asdecimal=False), nullable=False),
        sa.Column('reference_score', sa.Numeric(precision=8, scale=2, asdecimal=False), nullable=False),
        sa.Column('reference_items', sa.JSON(), nullable=False),
        sa.Column('reference_adjustment', sa.Numeric(precision=8, scale=2, asdecimal=False), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['attempt_slot_id'], ['attempt_slots.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['version_id'], ['question_versions.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_calibration_samples_exam_version', 'calibration_samples', ['exam_id', 'version_id'],
                    unique=False)
    op.create_table(
        'calibration_marks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sample_id', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('rubric_items', sa.JSON(), nullable=False),
        sa.Column('adjustment', sa.Numeric(precision=8, scale=2, asdecimal=False), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('score', sa.Numeric(precision=8, scale=2, asdecimal=False), nullable=False),
        sa.Column('within_tolerance', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sample_id'], ['calibration_samples.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_calibration_marks_sample_reviewer', 'calibration_marks',
                    ['sample_id', 'reviewer_id', 'id'], unique=False)
    op.create_index('ix_calibration_marks_reviewer_id', 'calibration_marks', ['reviewer_id'], unique=False)


def downgrade():
    op.drop_index('ix_calibration_marks_reviewer_id', table_name='calibration_marks')
    op.drop_index('ix_calibration_marks_sample_reviewer', table_name='calibration_marks')
    op.drop_table('calibration_marks')
    op.drop_index('ix_calibration_samples_exam_version', table_name='calibration_samples')
    op.drop_table('calibration_samples')
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('calibration_tolerance')
        batch_op.drop_column('calibration_required')
