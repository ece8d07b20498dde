"""a company's consent to be texted, and what was sent to whom (issue 25)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 13:10:00
"""
from alembic import op  # noqa: F401 (a placeholder until its part fills it in)
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
