"""calling tickets in the hall (issue 29)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 13:10:00
"""
from alembic import op  # noqa: F401 (a placeholder until its part fills it in)
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
