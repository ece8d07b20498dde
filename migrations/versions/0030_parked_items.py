"""parked items (挂账) with a cause

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 10:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
