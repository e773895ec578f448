"""audit lane head: audit_lane_head(lane), a lane's last seq and hash read with a fresh snapshot (PostgreSQL)

A vote takes its audit lane in the same statement as its ballot and elector rows; the
function lets that statement read the lane's head as of the moment it holds the lane.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 12:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

LANE_HEAD = (
    "CREATE OR REPLACE FUNCTION audit_lane_head(lane_number integer) "
    "RETURNS TABLE (seq integer, hash varchar) LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
    "RETURN QUERY SELECT e.seq, e.hash FROM audit_event AS e WHERE e.lane = lane_number "
    "ORDER BY e.seq DESC LIMIT 1; END $$"
)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LANE_HEAD)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_lane_head(integer)")
