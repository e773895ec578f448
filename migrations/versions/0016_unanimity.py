"""survey results: the chair's choice whether a unanimous answer may show as such

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'  # newest revision when written (0015_meetings); re-chain if needed
branch_labels = None
depends_on = None


def upgrade():
    # Existing publications keep the default: a unanimous answer is not shown as such.
    with op.batch_alter_table('survey_publication', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_unanimous', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('survey_publication', schema=None) as batch_op:
        batch_op.drop_column('allow_unanimous')
