"""the notifications' outbox (issue 25)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 13:10:00
"""
from alembic import op  # noqa: F401 (a placeholder until its part fills it in)
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
