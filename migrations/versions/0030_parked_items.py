"""parked items (挂账) with a cause

The request keeps copies of its latest approved parking (parked_until, park_cause) for SQL; the
parking table is the record: each ask, its cause, explanation and review day, the organiser's
decision, and an early end. The overdue count's partial index carries parked_until, so that it
still counts without the table's rows now that a parked item is not overdue; the bottleneck
analysis (共性堵点) reads two indexes of its own (see upgrade()).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 10:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parked_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('park_cause', sa.Enum('department', 'policy', 'higher_level', 'legacy', 'company', 'other', name='parkcause', native_enum=False, length=20), nullable=True))
        # a parked item is not overdue: the indexes the overdue count and the ledger's list read
        # carry parked_until, so that they still count and sort on the index alone
        batch_op.drop_index('ix_service_request_status_current_due')
        batch_op.create_index('ix_service_request_status_current_due', ['status', 'current_due', 'parked_until'],
                              unique=False)
        batch_op.drop_index('ix_service_request_booth_status_due')
        batch_op.create_index('ix_service_request_booth_status_due',
                              ['booth_id', 'status', 'current_due', 'parked_until'], unique=False)
        batch_op.drop_index('ix_service_request_awaiting_due')
        batch_op.create_index('ix_service_request_awaiting_due', ['current_due', 'parked_until'], unique=False,
                              postgresql_where=sa.text("status IN ('planned', 'done')"),
                              sqlite_where=sa.text("status IN ('planned', 'done')"))
        batch_op.create_index('ix_service_request_parked', ['parked_until'], unique=False,
                              postgresql_where=sa.text("parked_until IS NOT NULL"),
                              sqlite_where=sa.text("parked_until IS NOT NULL"))
        # The bottleneck analysis (共性堵点): a company's requests with their category, fair and state
        # (replacing the index on company_id alone, so that a filing writes no more indexes than
        # before), and the ledger's items with every column the analysis reads
        batch_op.drop_index('ix_service_request_company_id')
        batch_op.create_index('ix_service_request_company_id', ['company_id', 'category', 'fair_id', 'status'],
                              unique=False)
        batch_op.create_index('ix_service_request_ledger_analysis',
                              ['category', 'booth_id', 'park_cause', 'company_id', 'status', 'plan_due',
                               'current_due', 'parked_until', 'fair_id'], unique=False, postgresql_include=['id'],
                              postgresql_where=sa.text("status IN ('planned', 'done', 'closed_out')"),
                              sqlite_where=sa.text("status IN ('planned', 'done', 'closed_out')"))

    op.create_table('parking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('asked', 'approved', 'refused', name='parkingstatus', native_enum=False, length=20), nullable=False),
    sa.Column('cause', sa.Enum('department', 'policy', 'higher_level', 'legacy', 'company', 'other', name='parkcause', native_enum=False, length=20), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('end_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['asked_by_id'], ['user.id'], name=op.f('fk_parking_asked_by_id_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_parking_decided_by_id_user')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['user.id'], name=op.f('fk_parking_ended_by_id_user')),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_parking_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parking'))
    )
    with op.batch_alter_table('parking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parking_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_parking_one_pending', ['request_id'], unique=True,
                              postgresql_where=sa.text("status = 'asked'"),
                              sqlite_where=sa.text("status = 'asked'"))


def downgrade():
    with op.batch_alter_table('parking', schema=None) as batch_op:
        batch_op.drop_index('ix_parking_one_pending')
        batch_op.drop_index(batch_op.f('ix_parking_request_id'))

    op.drop_table('parking')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_ledger_analysis')
        batch_op.drop_index('ix_service_request_company_id')
        batch_op.create_index('ix_service_request_company_id', ['company_id'], unique=False)
        batch_op.drop_index('ix_service_request_parked')
        batch_op.drop_index('ix_service_request_booth_status_due')
        batch_op.create_index('ix_service_request_booth_status_due', ['booth_id', 'status', 'current_due'], unique=False)
        batch_op.drop_index('ix_service_request_status_current_due')
        batch_op.create_index('ix_service_request_status_current_due', ['status', 'current_due'], unique=False)
        batch_op.drop_index('ix_service_request_awaiting_due')
        batch_op.create_index('ix_service_request_awaiting_due', ['current_due'], unique=False,
                              postgresql_where=sa.text("status IN ('planned', 'done')"),
                              sqlite_where=sa.text("status IN ('planned', 'done')"))
        batch_op.drop_column('park_cause')
        batch_op.drop_column('parked_until')
