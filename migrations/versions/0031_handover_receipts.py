"""handover lists and receipts (交办, 签收)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 10:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
