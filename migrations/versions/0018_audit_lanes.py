"""audit lanes: the chain is striped into lanes appended in parallel (audit_event.lane; seq counts within a lane)

Existing rows become lane 0 and keep their hashes: a lane-0 row hashes exactly as before.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 09:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# SQLite drops a table's triggers with the table, and batch mode rebuilds it: they come back.
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lane', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_audit_event_seq'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_lane_seq'), ['lane', 'seq'])
        batch_op.create_check_constraint(batch_op.f('ck_audit_event_lane_known'),
                                         'lane >= 0 AND lane < 8')
    if sqlite:
        for ddl in SQLITE_TRIGGERS:
            op.execute(ddl)


def downgrade():
    # Only a chain still in one lane fits the old schema; a striped one would break seq's key.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_audit_event_lane_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_audit_event_lane_seq'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_seq'), ['seq'])
        batch_op.drop_column('lane')
    if sqlite:
        for ddl in SQLITE_TRIGGERS:
            op.execute(ddl)
