"""lookups by ticket number that found nothing, counted to slow guessing down

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lookup_miss',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('ticket_no', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['fair_id'], ['fair.id'], name=op.f('fk_lookup_miss_fair_id_fair'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lookup_miss'))
    )
    with op.batch_alter_table('lookup_miss', schema=None) as batch_op:
        batch_op.create_index('ix_lookup_miss_fair_at', ['fair_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('lookup_miss', schema=None) as batch_op:
        batch_op.drop_index('ix_lookup_miss_fair_at')

    op.drop_table('lookup_miss')
