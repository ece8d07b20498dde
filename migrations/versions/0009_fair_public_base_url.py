"""the address a fair's posters print

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-27 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fair', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_base_url', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('fair', schema=None) as batch_op:
        batch_op.drop_column('public_base_url')
