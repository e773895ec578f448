"""closing surveys early: survey_close_change (each move of an open survey's close)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'survey_close_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('move', sa.String(length=10), nullable=False),
        sa.Column('old_closes_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('new_closes_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('reason', sa.String(length=1000), nullable=False),
        sa.Column('announce', sa.Boolean(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("move IN ('now', 'later', 'earlier')",
                           name=op.f('ck_survey_close_change_move_known')),
        sa.CheckConstraint('new_closes_at <> old_closes_at',
                           name=op.f('ck_survey_close_change_moved')),
        sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'],
                                name=op.f('fk_survey_close_change_changed_by_id_user_account')),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'],
                                name=op.f('fk_survey_close_change_survey_id_survey')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_close_change')),
    )
    with op.batch_alter_table('survey_close_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_close_change_survey_id'), ['survey_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('survey_close_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_close_change_survey_id'))
    op.drop_table('survey_close_change')
