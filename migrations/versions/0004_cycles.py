"""cycles: nominations, revocations, chair elections, notification log, user preferences

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 16:17:36.381609

"""
from alembic import op
import sqlalchemy as sa

import core.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'  # linear history: foundation, decisions, surveys, cycles
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_preference_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_preference'))
    )
    op.create_table('chair_election',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('tie_break', sa.String(length=20), nullable=False),
    sa.Column('secrecy', sa.String(length=10), nullable=False),
    sa.Column('term_starts_on', sa.Date(), nullable=False),
    sa.Column('closes_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=True),
    sa.Column('chair_term_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Enum('applied', 'rejected', 'not_applied', name='cycle_resolution'), nullable=True),
    sa.Column('resolved_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=False),
    sa.CheckConstraint("method IN ('ranked', 'plurality')", name=op.f('ck_chair_election_method_known')),
    sa.CheckConstraint("secrecy IN ('open', 'secret')", name=op.f('ck_chair_election_secrecy_known')),
    sa.CheckConstraint("tie_break IN ('casting_vote', 'lot')", name=op.f('ck_chair_election_tie_break_known')),
    sa.CheckConstraint('(resolution IS NULL AND resolved_at IS NULL) OR (resolution IS NOT NULL AND resolved_at IS NOT NULL)', name=op.f('ck_chair_election_resolved_together')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_chair_election_ballot_id_ballot')),
    sa.ForeignKeyConstraint(['chair_term_id'], ['chair_term.id'], name=op.f('fk_chair_election_chair_term_id_chair_term')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_chair_election_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chair_election')),
    sa.UniqueConstraint('ballot_id', name=op.f('uq_chair_election_ballot_id')),
    sa.UniqueConstraint('chair_term_id', name=op.f('uq_chair_election_chair_term_id'))
    )
    op.create_table('nomination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('nominated_by_id', sa.Integer(), nullable=False),
    sa.Column('nominating_company_id', sa.Integer(), nullable=False),
    sa.Column('operator_or_nsp', sa.Boolean(), nullable=False),
    sa.Column('participates', sa.Boolean(), nullable=False),
    sa.Column('dedicated_ftes', sa.Integer(), nullable=False),
    sa.Column('upstream_ftes', sa.Integer(), nullable=False),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('member_from', sa.Date(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('objections', sa.JSON(), nullable=False),
    sa.Column('resolution', sa.Enum('applied', 'rejected', 'not_applied', name='cycle_resolution'), nullable=True),
    sa.Column('resolved_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=False),
    sa.CheckConstraint('(resolution IS NULL AND resolved_at IS NULL) OR (resolution IS NOT NULL AND resolved_at IS NOT NULL)', name=op.f('ck_nomination_resolved_together')),
    sa.CheckConstraint('company_id <> nominating_company_id', name=op.f('ck_nomination_not_self')),
    sa.CheckConstraint('dedicated_ftes >= 0', name=op.f('ck_nomination_dedicated_ftes_nonneg')),
    sa.CheckConstraint('upstream_ftes >= 0', name=op.f('ck_nomination_upstream_ftes_nonneg')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_nomination_ballot_id_ballot')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_nomination_company_id_company')),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['user_account.id'], name=op.f('fk_nomination_nominated_by_id_user_account')),
    sa.ForeignKeyConstraint(['nominating_company_id'], ['company.id'], name=op.f('fk_nomination_nominating_company_id_company')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination')),
    sa.UniqueConstraint('ballot_id', name=op.f('uq_nomination_ballot_id'))
    )
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_company_id'), ['company_id'], unique=False)
        batch_op.create_index('uq_nomination_pending_company', ['company_id'], unique=True, sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))

    op.create_table('notification_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('ballot_opened', 'ballot_reminder', 'outcome_published', 'invited', name='notification_kind'), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(ballot_id IS NOT NULL AND user_id IS NOT NULL AND invitation_id IS NULL) OR (invitation_id IS NOT NULL AND ballot_id IS NULL)', name=op.f('ck_notification_log_one_subject')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notification_log_attempts_nonneg')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_notification_log_ballot_id_ballot')),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_notification_log_invitation_id_invitation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_log_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_log')),
    sa.UniqueConstraint('kind', 'ballot_id', 'user_id', name=op.f('uq_notification_log_kind_ballot_id_user_id')),
    sa.UniqueConstraint('kind', 'invitation_id', name=op.f('uq_notification_log_kind_invitation_id'))
    )
    with op.batch_alter_table('notification_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_log_ballot_id'), ['ballot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_log_sent_at'), ['sent_at'], unique=False)

    op.create_table('revocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposer_company_id', sa.Integer(), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolution', sa.Enum('applied', 'rejected', 'not_applied', name='cycle_resolution'), nullable=True),
    sa.Column('resolved_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=False),
    sa.CheckConstraint('(resolution IS NULL AND resolved_at IS NULL) OR (resolution IS NOT NULL AND resolved_at IS NOT NULL)', name=op.f('ck_revocation_resolved_together')),
    sa.CheckConstraint('company_id <> proposer_company_id', name=op.f('ck_revocation_not_self')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_revocation_ballot_id_ballot')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_revocation_company_id_company')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_revocation_proposed_by_id_user_account')),
    sa.ForeignKeyConstraint(['proposer_company_id'], ['company.id'], name=op.f('fk_revocation_proposer_company_id_company')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revocation')),
    sa.UniqueConstraint('ballot_id', name=op.f('uq_revocation_ballot_id'))
    )
    with op.batch_alter_table('revocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revocation_company_id'), ['company_id'], unique=False)
        batch_op.create_index('uq_revocation_pending_company', ['company_id'], unique=True, sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))

    op.create_table('chair_candidacy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('nominated_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('declined_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('accepted_at IS NULL OR declined_at IS NULL', name=op.f('ck_chair_candidacy_one_answer')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_chair_candidacy_company_id_company')),
    sa.ForeignKeyConstraint(['election_id'], ['chair_election.id'], name=op.f('fk_chair_candidacy_election_id_chair_election')),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['user_account.id'], name=op.f('fk_chair_candidacy_nominated_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_chair_candidacy_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chair_candidacy')),
    sa.UniqueConstraint('election_id', 'label', name=op.f('uq_chair_candidacy_election_id_label')),
    sa.UniqueConstraint('election_id', 'user_id', name=op.f('uq_chair_candidacy_election_id_user_id'))
    )
    with op.batch_alter_table('chair_candidacy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chair_candidacy_election_id'), ['election_id'], unique=False)


def downgrade():
    with op.batch_alter_table('chair_candidacy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chair_candidacy_election_id'))

    op.drop_table('chair_candidacy')
    with op.batch_alter_table('revocation', schema=None) as batch_op:
        batch_op.drop_index('uq_revocation_pending_company', sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_revocation_company_id'))

    op.drop_table('revocation')
    with op.batch_alter_table('notification_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_log_sent_at'))
        batch_op.drop_index(batch_op.f('ix_notification_log_ballot_id'))

    op.drop_table('notification_log')
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_index('uq_nomination_pending_company', sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_nomination_company_id'))

    op.drop_table('nomination')
    op.drop_table('chair_election')
    op.drop_table('user_preference')
    if op.get_bind().dialect.name == "postgresql":
        for name in ("notification_kind", "cycle_resolution"):
            sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
