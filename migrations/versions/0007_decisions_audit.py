"""decisions anyone can audit: typed quorum, tie-break fallback and casting voter, subject
company, withdrawal, candidate options, and triggers that freeze opened ballots

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 07:00:00.000000

"""
from fractions import Fraction

from alembic import op
import sqlalchemy as sa

import core.db  # noqa: F401  (custom column types)
from voting import triggers


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TIE_BREAK = sa.Enum('casting_vote', 'status_quo', 'lot', name='ballot_tie_break')
QUORUM = ('quorum_denominator >= 1 AND quorum_numerator >= 0 AND '
          'quorum_numerator <= quorum_denominator AND NOT '
          '(quorum_strict AND quorum_numerator = quorum_denominator)')
WHERE = 'withdrawn_at IS NULL AND parent_id IS NOT NULL'
THRESHOLD = ("threshold IN ('simple_majority', 'absolute_majority', 'two_thirds', "
             "'unanimity')")


def _quorum(words):
    """Read the old free-text quorum ('more than 1/2', 'at least 2/3', 'none')."""
    words = (words or 'more than 1/2').strip().lower()
    if words == 'none':
        return 0, 1, False
    for prefix, strict in (('more than ', True), ('at least ', False)):
        if words.startswith(prefix):
            value = Fraction(words.removeprefix(prefix).strip())
            return value.numerator, value.denominator, strict
    return 1, 2, True


def upgrade():
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum_numerator', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quorum_denominator', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quorum_strict', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('tie_break_fallback', TIE_BREAK, nullable=False,
                                      server_default='lot'))
        batch_op.add_column(sa.Column('casting_voter_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tie_break_note', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('subject_company_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', core.db.UTCDateTime(timezone=True),
                                      nullable=True))
    bind = op.get_bind()
    ballot = sa.table('ballot', sa.column('id', sa.Integer), sa.column('quorum', sa.String),
                      sa.column('quorum_numerator', sa.Integer),
                      sa.column('quorum_denominator', sa.Integer),
                      sa.column('quorum_strict', sa.Boolean),
                      sa.column('opens_at', core.db.UTCDateTime(timezone=True)),
                      sa.column('opened_at', core.db.UTCDateTime(timezone=True)),
                      sa.column('stage', sa.String), sa.column('tie_break', sa.String),
                      sa.column('casting_voter_id', sa.Integer),
                      sa.column('tie_break_note', sa.String))
    chair_term = sa.table('chair_term', sa.column('user_id', sa.Integer),
                          sa.column('starts_on', sa.Date), sa.column('ends_on', sa.Date))
    terms = bind.execute(sa.select(chair_term.c.user_id, chair_term.c.starts_on,
                                   chair_term.c.ends_on)).fetchall()
    for row in bind.execute(sa.select(ballot.c.id, ballot.c.quorum, ballot.c.opens_at,
                                      ballot.c.opened_at, ballot.c.stage,
                                      ballot.c.tie_break)).fetchall():
        numerator, denominator, strict = _quorum(row.quorum)
        values = {'quorum_numerator': numerator, 'quorum_denominator': denominator,
                  'quorum_strict': strict}
        if row.stage != 'draft' and row.tie_break == 'casting_vote' and row.opened_at:
            # A ballot already open keeps its rule: the chair in office when it opened casts.
            day = row.opened_at.date()
            chair = next((t.user_id for t in terms if t.starts_on <= day < t.ends_on), None)
            values['casting_voter_id'] = chair
            if chair is None:
                values['tie_break_note'] = 'no chair was in office when it opened'
        if row.opened_at is not None and row.opens_at < row.opened_at:
            # Voting could only start when the ballot was opened: say so in opens_at.
            values['opens_at'] = row.opened_at
        bind.execute(ballot.update().where(ballot.c.id == row.id).values(**values))
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.alter_column('quorum_numerator', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('quorum_denominator', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('quorum_strict', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column('quorum')
        batch_op.create_foreign_key(batch_op.f('fk_ballot_casting_voter_id_user_account'),
                                    'user_account', ['casting_voter_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ballot_subject_company_id_company'),
                                    'company', ['subject_company_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_ballot_quorum_fraction'), QUORUM)
        batch_op.create_check_constraint(batch_op.f('ck_ballot_fallback_known'),
                                         "tie_break_fallback IN ('lot', 'status_quo')")
        batch_op.create_check_constraint(batch_op.f('ck_ballot_threshold_known'), THRESHOLD)
        batch_op.create_check_constraint(batch_op.f('ck_ballot_opened_when_open'),
                                         "stage = 'draft' OR opened_at IS NOT NULL")
        batch_op.create_check_constraint(batch_op.f('ck_ballot_opens_not_before'),
                                         'opened_at IS NULL OR opens_at >= opened_at')
        batch_op.create_index('uq_ballot_called_vote', ['parent_id'], unique=True,
                              sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))
    with op.batch_alter_table('ballot_option', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ballot_option_user_id_user_account'),
                                    'user_account', ['user_id'], ['id'])
    ddl = triggers.sqlite_ddl() if bind.dialect.name == 'sqlite' else triggers.postgresql_ddl()
    for _, sql in ddl:
        op.execute(sql)


def downgrade():
    for sql in triggers.drop_ddl(op.get_bind().dialect.name):
        op.execute(sql)
    with op.batch_alter_table('ballot_option', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ballot_option_user_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('user_id')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum', sa.String(length=40), nullable=False,
                                      server_default='more than 1/2'))
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index('uq_ballot_called_vote')
        for name in ('quorum_fraction', 'fallback_known', 'threshold_known',
                     'opened_when_open', 'opens_not_before'):
            batch_op.drop_constraint(batch_op.f(f'ck_ballot_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_ballot_subject_company_id_company'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ballot_casting_voter_id_user_account'),
                                 type_='foreignkey')
        for column in ('withdrawn_at', 'subject_company_id', 'tie_break_note',
                       'casting_voter_id', 'tie_break_fallback', 'quorum_strict',
                       'quorum_denominator', 'quorum_numerator'):
            batch_op.drop_column(column)
