"""calling tickets in the hall (issue 29)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 13:10:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    # The trail's new kinds (called, called_again, skipped, no_show) are strings in its plain column.
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('called_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('call_count', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('in_line_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('skipped_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('no_show_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_column('no_show_at')
        batch_op.drop_column('skipped_at')
        batch_op.drop_column('in_line_since')
        batch_op.drop_column('call_count')
        batch_op.drop_column('called_at')
