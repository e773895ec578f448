"""session revocation: user_account.session_epoch (signing out raises it; older sessions are refused)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'  # after the decisions audit (0007_decisions_audit)
branch_labels = None
depends_on = None


def upgrade():
    # server_default: existing users start at epoch 0, and every existing session cookie (which
    # carries no epoch) is refused once, so everyone signs in again after this upgrade.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
