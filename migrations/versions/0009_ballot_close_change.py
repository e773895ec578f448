"""closing early: ballot_close_change (each move of an open ballot's close), the close_moved notice

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'  # after session revocation (0008_session_revocation)
branch_labels = None
depends_on = None

OLD_KINDS = ('ballot_opened', 'ballot_reminder', 'outcome_published', 'invited',
             'survey_opened', 'survey_reminder')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # PostgreSQL 12+ accepts ADD VALUE in a transaction; nothing here uses the new value.
        op.execute("ALTER TYPE notification_kind ADD VALUE IF NOT EXISTS 'close_moved'")
    op.create_table(
        'ballot_close_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ballot_id', sa.Integer(), nullable=False),
        sa.Column('move', sa.String(length=10), nullable=False),
        sa.Column('old_closes_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('new_closes_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('reason', sa.String(length=1000), nullable=False),
        sa.Column('announce', sa.Boolean(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("move IN ('now', 'later', 'earlier')",
                           name=op.f('ck_ballot_close_change_move_known')),
        sa.CheckConstraint('new_closes_at <> old_closes_at',
                           name=op.f('ck_ballot_close_change_moved')),
        sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'],
                                name=op.f('fk_ballot_close_change_ballot_id_ballot')),
        sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'],
                                name=op.f('fk_ballot_close_change_changed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_close_change')),
    )
    with op.batch_alter_table('ballot_close_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_close_change_ballot_id'), ['ballot_id'],
                              unique=False)


def downgrade():
    op.execute("DELETE FROM notification_log WHERE kind = 'close_moved'")
    with op.batch_alter_table('ballot_close_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_close_change_ballot_id'))
    op.drop_table('ballot_close_change')
    if op.get_bind().dialect.name == 'postgresql':
        # PostgreSQL cannot drop a value from an enum type: rebuild the type without it.
        op.execute("ALTER TYPE notification_kind RENAME TO notification_kind_0009")
        sa.Enum(*OLD_KINDS, name='notification_kind').create(op.get_bind())
        op.execute("ALTER TABLE notification_log ALTER COLUMN kind TYPE notification_kind"
                   " USING kind::text::notification_kind")
        op.execute("DROP TYPE notification_kind_0009")
