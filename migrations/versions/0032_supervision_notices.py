"""supervision notices (督办单) and their replies

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 10:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
