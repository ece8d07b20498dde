"""a paper slip keeps the number printed on it

Revision ID: 0014
Revises: 0015
Create Date: 2026-11-27 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('satisfaction_slip', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_number', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('satisfaction_slip', schema=None) as batch_op:
        batch_op.drop_column('paper_number')
