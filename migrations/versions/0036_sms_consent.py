"""a company's consent to be texted its request's progress (issue 25): when it agreed on the form,
and to which wording; cleared when it withdraws it from its tracking page (the trail keeps that)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 13:10:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_consent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sms_consent_wording', sa.SmallInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_column('sms_consent_wording')
        batch_op.drop_column('sms_consent_at')
