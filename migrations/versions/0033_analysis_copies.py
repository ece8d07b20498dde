"""stored copies the bottleneck analysis reads (issue 24)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 13:10:00
"""
from alembic import op  # noqa: F401 (a placeholder until its part fills it in)
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
