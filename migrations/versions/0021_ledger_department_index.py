"""the ledger of one department, sorted by due date, on an index; the overdue count on the open items alone

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27 17:10:00

A department's items are those of its booths at every fair: (booth_id, status, current_due) gives
each booth's open items in due order without reading the rest (bench/ledger.py). The overdue count
reads a partial index of the items still open (planned or done).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.create_index('ix_service_request_booth_status_due', ['booth_id', 'status', 'current_due'], unique=False)
        batch_op.create_index('ix_service_request_awaiting_due', ['current_due'], unique=False,
                              postgresql_where=sa.text("status IN ('planned', 'done')"),
                              sqlite_where=sa.text("status IN ('planned', 'done')"))


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_awaiting_due')
        batch_op.drop_index('ix_service_request_booth_status_due')
