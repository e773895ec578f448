"""survey notifications: notification_log.survey_id, its unique key, two notice kinds

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'  # linear history: foundation, decisions, surveys, cycles, results, survey mail
branch_labels = None
depends_on = None

OLD_KINDS = ('ballot_opened', 'ballot_reminder', 'outcome_published', 'invited')
NEW_KINDS = ('survey_opened', 'survey_reminder')
OLD_ONE_SUBJECT = ('(ballot_id IS NOT NULL AND user_id IS NOT NULL AND invitation_id IS NULL)'
                   ' OR (invitation_id IS NOT NULL AND ballot_id IS NULL)')
# A notice is about exactly one thing: a ballot or a survey (for one user), or an invitation.
ONE_SUBJECT = (
    '(ballot_id IS NOT NULL AND survey_id IS NULL AND invitation_id IS NULL AND user_id IS NOT NULL)'
    ' OR (survey_id IS NOT NULL AND ballot_id IS NULL AND invitation_id IS NULL'
    ' AND user_id IS NOT NULL)'
    ' OR (invitation_id IS NOT NULL AND ballot_id IS NULL AND survey_id IS NULL)')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # PostgreSQL 12+ accepts ADD VALUE in a transaction; nothing here uses the new values.
        for kind in NEW_KINDS:
            op.execute(f"ALTER TYPE notification_kind ADD VALUE IF NOT EXISTS '{kind}'")
    with op.batch_alter_table('notification_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_log_survey_id_survey'), 'survey',
                                    ['survey_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_notification_log_survey_id'), ['survey_id'],
                              unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_notification_log_kind_survey_id_user_id'),
                                          ['kind', 'survey_id', 'user_id'])
        batch_op.drop_constraint(batch_op.f('ck_notification_log_one_subject'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notification_log_one_subject'), ONE_SUBJECT)


def downgrade():
    # The survey notices' log cannot outlive its column: without it they would be sent again.
    op.execute("DELETE FROM notification_log WHERE survey_id IS NOT NULL"
               " OR kind IN ('survey_opened', 'survey_reminder')")
    with op.batch_alter_table('notification_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notification_log_one_subject'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notification_log_one_subject'),
                                         OLD_ONE_SUBJECT)
        batch_op.drop_constraint(batch_op.f('uq_notification_log_kind_survey_id_user_id'),
                                 type_='unique')
        batch_op.drop_index(batch_op.f('ix_notification_log_survey_id'))
        batch_op.drop_constraint(batch_op.f('fk_notification_log_survey_id_survey'),
                                 type_='foreignkey')
        batch_op.drop_column('survey_id')
    if op.get_bind().dialect.name == 'postgresql':
        # PostgreSQL cannot drop a value from an enum type: rebuild the type without them.
        op.execute("ALTER TYPE notification_kind RENAME TO notification_kind_0006")
        sa.Enum(*OLD_KINDS, name='notification_kind').create(op.get_bind())
        op.execute("ALTER TABLE notification_log ALTER COLUMN kind TYPE notification_kind"
                   " USING kind::text::notification_kind")
        op.execute("DROP TYPE notification_kind_0006")
