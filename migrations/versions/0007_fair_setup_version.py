"""the fair's set-up version, moved by kiosk.changes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fair', schema=None) as batch_op:
        batch_op.add_column(sa.Column('setup_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('fair', schema=None) as batch_op:
        batch_op.drop_column('setup_version')
