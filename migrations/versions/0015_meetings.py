"""meetings: meeting, agenda_item (+1s in agenda_endorsement), meeting_attendance, meeting_decision
(+ meeting_position), action_item, action_reminder

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-06 07:17:56.149102

"""
from alembic import op
import sqlalchemy as sa

import core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0009'  # newest revision when written; the lead re-chains if needed
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('call_link', sa.String(length=500), nullable=False),
    sa.Column('members_notes', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('published_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state = 'published') = (published_at IS NOT NULL)", name=op.f('ck_meeting_published_when_published')),
    sa.CheckConstraint("state IN ('scheduled', 'published', 'cancelled')", name=op.f('ck_meeting_state_known')),
    sa.CheckConstraint('duration_minutes BETWEEN 1 AND 1440', name=op.f('ck_meeting_duration_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_meeting_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_series'), ['series'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_starts_at'), ['starts_at'], unique=False)

    op.create_table('action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('owner_company_id', sa.Integer(), nullable=True),
    sa.Column('owner_name', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'open') = (closed_at IS NULL)", name=op.f('ck_action_item_closed_when_closed')),
    sa.CheckConstraint("owner_user_id IS NOT NULL OR owner_name <> ''", name=op.f('ck_action_item_owner_known')),
    sa.CheckConstraint("status IN ('open', 'done', 'dropped')", name=op.f('ck_action_item_status_known')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_action_item_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['owner_company_id'], ['company.id'], name=op.f('fk_action_item_owner_company_id_company')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['user_account.id'], name=op.f('fk_action_item_owner_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item'))
    )
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_status'), ['status'], unique=False)

    op.create_table('meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('guest_name', sa.String(length=120), nullable=False),
    sa.Column('organisation', sa.String(length=120), nullable=False),
    sa.CheckConstraint("(user_id IS NOT NULL AND company_id IS NOT NULL) OR (user_id IS NULL AND guest_name <> '')", name=op.f('ck_meeting_attendance_person_known')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_meeting_attendance_company_id_company')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_attendance_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meeting_attendance_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendance')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_meeting_attendance_meeting_id_user_id'))
    )
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendance_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('action_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['action_item_id'], ['action_item.id'], name=op.f('fk_action_reminder_action_item_id_action_item')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_action_reminder_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_reminder')),
    sa.UniqueConstraint('action_item_id', name=op.f('uq_action_reminder_action_item_id'))
    )
    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('link_kind', sa.String(length=20), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('carried_action_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(link_kind = '') = (link_id IS NULL)", name=op.f('ck_agenda_item_link_complete')),
    sa.CheckConstraint("link_kind IN ('', 'proposal', 'ballot', 'survey', 'roadmap_item')", name=op.f('ck_agenda_item_link_kind_known')),
    sa.ForeignKeyConstraint(['carried_action_id'], ['action_item.id'], name=op.f('fk_agenda_item_carried_action_id_action_item')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_agenda_item_company_id_company')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_agenda_item_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_agenda_item_proposed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('uq_agenda_item_carried', ['meeting_id', 'carried_action_id'], unique=True, sqlite_where=sa.text('carried_action_id IS NOT NULL'), postgresql_where=sa.text('carried_action_id IS NOT NULL'))

    op.create_table('agenda_endorsement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_agenda_endorsement_agenda_item_id_agenda_item')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_agenda_endorsement_company_id_company')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_agenda_endorsement_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_endorsement')),
    sa.UniqueConstraint('agenda_item_id', 'company_id', name=op.f('uq_agenda_endorsement_agenda_item_id_company_id'))
    )
    with op.batch_alter_table('agenda_endorsement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_endorsement_agenda_item_id'), ['agenda_item_id'], unique=False)

    op.create_table('meeting_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('ballot_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method <> 'sense' OR outcome IS NOT NULL", name=op.f('ck_meeting_decision_outcome_when_sense')),
    sa.CheckConstraint("method = 'sense' OR ballot_id IS NOT NULL", name=op.f('ck_meeting_decision_ballot_when_ballot')),
    sa.CheckConstraint("method IN ('sense', 'consensus_round', 'vote')", name=op.f('ck_meeting_decision_method_known')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_meeting_decision_agenda_item_id_agenda_item')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_meeting_decision_ballot_id_ballot')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_meeting_decision_decided_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_decision')),
    sa.UniqueConstraint('agenda_item_id', name=op.f('uq_meeting_decision_agenda_item_id')),
    sa.UniqueConstraint('ballot_id', name=op.f('uq_meeting_decision_ballot_id'))
    )
    op.create_table('meeting_position',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("response IN ('support', 'stand_aside', 'object')", name=op.f('ck_meeting_position_response_known')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_meeting_position_company_id_company')),
    sa.ForeignKeyConstraint(['decision_id'], ['meeting_decision.id'], name=op.f('fk_meeting_position_decision_id_meeting_decision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_position')),
    sa.UniqueConstraint('decision_id', 'company_id', name=op.f('uq_meeting_position_decision_id_company_id'))
    )
    with op.batch_alter_table('meeting_position', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_position_decision_id'), ['decision_id'], unique=False)



def downgrade():
    with op.batch_alter_table('meeting_position', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_position_decision_id'))

    op.drop_table('meeting_position')
    op.drop_table('meeting_decision')
    with op.batch_alter_table('agenda_endorsement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_endorsement_agenda_item_id'))

    op.drop_table('agenda_endorsement')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index('uq_agenda_item_carried', sqlite_where=sa.text('carried_action_id IS NOT NULL'), postgresql_where=sa.text('carried_action_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_agenda_item_meeting_id'))

    op.drop_table('agenda_item')
    op.drop_table('action_reminder')
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendance_meeting_id'))

    op.drop_table('meeting_attendance')
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_item_status'))
        batch_op.drop_index(batch_op.f('ix_action_item_meeting_id'))

    op.drop_table('action_item')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_starts_at'))
        batch_op.drop_index(batch_op.f('ix_meeting_series'))

    op.drop_table('meeting')
