"""handover lists and receipts (交办, 签收)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 10:30:00
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_column('acknowledged_at')
