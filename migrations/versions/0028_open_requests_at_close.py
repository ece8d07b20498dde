"""requests open at the close: handed over (会后办理) or ended with a reason

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 10:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
