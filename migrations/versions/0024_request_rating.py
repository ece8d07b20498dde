"""each request keeps its one rating; an index holding every column the scoreboard reads

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-27 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('rated_on_closeout', sa.Boolean(), server_default=sa.false(), nullable=False))
    # The matter's one rating, as kiosk.scoreboard.ratings keeps it from now on: the close-out
    # verdict's where there is one, else the fair-day slip's overall rating.
    op.execute("UPDATE service_request SET rating = (SELECT overall FROM satisfaction_slip"
               " WHERE satisfaction_slip.request_id = service_request.id)")
    op.execute("UPDATE service_request SET rating = (SELECT rating FROM close_out_verdict"
               " WHERE close_out_verdict.request_id = service_request.id), rated_on_closeout = true"
               " WHERE id IN (SELECT request_id FROM close_out_verdict)")
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.create_index('ix_service_request_scoreboard', ['fair_id', 'booth_id', 'status', 'plan_due',
                                                                'current_due', 'closed_out_on', 'rating',
                                                                'rated_on_closeout'], unique=False)


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_scoreboard')
        batch_op.drop_column('rated_on_closeout')
        batch_op.drop_column('rating')
