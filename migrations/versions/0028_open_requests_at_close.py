"""requests open at the close: handed over (会后办理) or ended with a reason

A request still waiting or in progress when its fair closes is handed to its booth's department
(handed_over_on: the close day; it is then planned, on the ledger) or ended with the organiser's
reason (end_reason; it is then withdrawn). The scoreboard's index gains handed_over_on, so that its
one pass, which takes handed-over requests off what was replied on the fair day and the plans given
there, still reads only the index (a query of its own, even on a partial index, was reached by
SQLite's planner through the booths, reading every request's row).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 10:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

SCOREBOARD = ['fair_id', 'booth_id', 'status', 'plan_due', 'current_due', 'closed_out_on', 'rating',
              'rated_on_closeout']


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_over_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.Enum('no_return', 'duplicate', 'company_withdrew', name='endreason', native_enum=False, length=20), nullable=True))
        batch_op.drop_index('ix_service_request_scoreboard')
        batch_op.create_index('ix_service_request_scoreboard', [*SCOREBOARD, 'handed_over_on'], unique=False)


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_scoreboard')
        batch_op.create_index('ix_service_request_scoreboard', SCOREBOARD, unique=False)
        batch_op.drop_column('end_reason')
        batch_op.drop_column('handed_over_on')
