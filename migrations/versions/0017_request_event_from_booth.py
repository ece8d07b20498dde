"""the trail's from_booth indexed: the old booth's 已转出 tab reads its transfers by it

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('request_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_event_from_booth_id'), ['from_booth_id'], unique=False)


def downgrade():
    with op.batch_alter_table('request_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_event_from_booth_id'))
