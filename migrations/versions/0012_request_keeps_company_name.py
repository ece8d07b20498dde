"""a request keeps the company name it was filed with

Revision ID: 0012
Revises: 0014
Create Date: 2026-11-27 14:30:00

Until now a request showed its company record's name, which every filing under the same credit
code overwrote. Nothing kept the names as typed (the trail records no company name, the form's
digest is one-way), so the history holds nothing better than the record's current name: that is
what existing requests get. From here on each request keeps its own, and the record keeps the
name an organiser chose (name_chosen_at).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_name', sa.String(length=200), server_default='', nullable=False))
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_chosen_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE service_request SET company_name = "
               "(SELECT company.name FROM company WHERE company.id = service_request.company_id)")


def downgrade():
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('name_chosen_at')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_column('company_name')
