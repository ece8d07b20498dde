"""parked items (挂账) with a cause

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 10:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parked_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('park_cause', sa.Enum('department', 'policy', 'higher_level', 'legacy', 'company', 'other', name='parkcause', native_enum=False, length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_column('park_cause')
        batch_op.drop_column('parked_until')
