"""evidence files on a finished item (issue 25)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 13:10:00
"""
from alembic import op  # noqa: F401 (a placeholder until its part fills it in)
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
