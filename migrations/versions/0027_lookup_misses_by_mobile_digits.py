"""a lookup's misses keep the mobile digits typed, counted per fair across tickets

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-07 10:00:00

Ticket numbers are public (the hall screen calls them), so the secret of a lookup is the mobile's
last 4 digits: kiosk.intake.lookup now counts misses per digits as well as per ticket and per fair.
The misses already kept (an hour's at most) keep counting per ticket and per fair; they get no
digits (''), which no lookup types, so they count against none.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lookup_miss', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last4', sa.String(length=4), server_default='', nullable=False))
    with op.batch_alter_table('lookup_miss', schema=None) as batch_op:
        batch_op.alter_column('last4', server_default=None)
        batch_op.create_index('ix_lookup_miss_fair_last4_at', ['fair_id', 'last4', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('lookup_miss', schema=None) as batch_op:
        batch_op.drop_index('ix_lookup_miss_fair_last4_at')
        batch_op.drop_column('last4')
