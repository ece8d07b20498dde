"""stored copies the bottleneck analysis reads (issue 24)

Each request's `disputed` (its close-out verdict was a dispute), filled from the verdicts and held in
the analysis's index in place of the id it found them by; and company_category, a row per company
× category ever filed, with whether it was brought to two fairs or more (withdrawn requests left
out), filled from the requests. The app keeps both from here (kiosk.service_requests.analysis_copies).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 13:10:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

LEDGER = "status IN ('planned', 'done', 'closed_out')"
ANALYSED = ['category', 'booth_id', 'park_cause', 'company_id', 'status', 'plan_due', 'current_due', 'parked_until',
            'fair_id']


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disputed', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE service_request SET disputed = true WHERE id IN"
               " (SELECT request_id FROM close_out_verdict WHERE NOT accepted)")
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_ledger_analysis')
        batch_op.create_index('ix_service_request_ledger_analysis', [*ANALYSED, 'disputed'], unique=False,
                              postgresql_where=sa.text(LEDGER), sqlite_where=sa.text(LEDGER))

    op.create_table('company_category',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('land', 'funding', 'staffing', 'energy', 'approvals', 'utilities', 'environment', 'policy', 'other', name='category', native_enum=False, length=20), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=True),
    sa.Column('recurs', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_company_category_company_id_company')),
    sa.ForeignKeyConstraint(['fair_id'], ['fair.id'], name=op.f('fk_company_category_fair_id_fair')),
    sa.PrimaryKeyConstraint('company_id', 'category', name=op.f('pk_company_category'))
    )
    with op.batch_alter_table('company_category', schema=None) as batch_op:
        batch_op.create_index('ix_company_category_recurs', ['category', 'company_id'], unique=False,
                              postgresql_where=sa.text('recurs'), sqlite_where=sa.text('recurs = 1'))
    op.execute("INSERT INTO company_category (company_id, category, fair_id, recurs)"
               " SELECT company_id, category, min(fair_id), min(fair_id) < max(fair_id) FROM service_request"
               " WHERE status != 'withdrawn' GROUP BY company_id, category")


def downgrade():
    with op.batch_alter_table('company_category', schema=None) as batch_op:
        batch_op.drop_index('ix_company_category_recurs', postgresql_where=sa.text('recurs'),
                            sqlite_where=sa.text('recurs = 1'))
    op.drop_table('company_category')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_ledger_analysis')
        batch_op.create_index('ix_service_request_ledger_analysis', ANALYSED, unique=False,
                              postgresql_include=['id'], postgresql_where=sa.text(LEDGER),
                              sqlite_where=sa.text(LEDGER))
        batch_op.drop_column('disputed')
