"""handover lists and receipts (交办, 签收)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 10:30:00

A department now acknowledges (签收) each item handed to it after its fair's close, and an item
not acknowledged within a few working days turns yellow (kiosk.supervision). The items of fairs
closed before this release were handed over long ago, with no receipt to give: each of them
(planned, done or closed out) is set acknowledged at the moment of the upgrade, so that none turns
yellow everywhere at once. This is a copy for SQL only: no trail event is written, so an item's
trail still says truthfully that nobody acknowledged it on the kiosk. Items of fairs not yet closed
wait for their close and their department's receipt like any new one.

The handover lists (交办清单) printed from now on are kept, numbered when first printed, with the
items each handed over (handover_entry).
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_service_request_awaiting_receipt', ['booth_id'], unique=False,
                              postgresql_where=sa.text("acknowledged_at IS NULL AND status = 'planned'"),
                              sqlite_where=sa.text("acknowledged_at IS NULL AND status = 'planned'"))

    op.create_table('handover_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('first_printed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_printed_by_id', sa.Integer(), nullable=True),
    sa.Column('last_printed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prints', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_handover_list_department_id_department')),
    sa.ForeignKeyConstraint(['fair_id'], ['fair.id'], name=op.f('fk_handover_list_fair_id_fair'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['first_printed_by_id'], ['user.id'], name=op.f('fk_handover_list_first_printed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_list')),
    sa.UniqueConstraint('fair_id', 'department_id', name=op.f('uq_handover_list_fair_id_department_id')),
    sa.UniqueConstraint('year', 'seq', name=op.f('uq_handover_list_year_seq'))
    )
    with op.batch_alter_table('handover_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_list_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_list_fair_id'), ['fair_id'], unique=False)

    op.create_table('handover_entry',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['handover_list.id'], name=op.f('fk_handover_entry_list_id_handover_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_handover_entry_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('list_id', 'request_id', name=op.f('pk_handover_entry'))
    )
    with op.batch_alter_table('handover_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_entry_request_id'), ['request_id'], unique=False)

    # The items of fairs closed before this release: acknowledged at the upgrade, with no trail
    # event (see above). SQLite keeps UTC wall time without a zone, as AwareDateTime writes it.
    now = datetime.now(UTC)
    if op.get_bind().dialect.name != 'postgresql':
        now = now.replace(tzinfo=None)
    op.execute(sa.text(
        "UPDATE service_request SET acknowledged_at = :now"
        " WHERE acknowledged_at IS NULL AND status IN ('planned', 'done', 'closed_out')"
        " AND fair_id IN (SELECT id FROM fair WHERE status = 'closed')"
    ).bindparams(sa.bindparam('now', now, type_=sa.DateTime(timezone=True))))


def downgrade():
    with op.batch_alter_table('handover_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_entry_request_id'))

    op.drop_table('handover_entry')
    with op.batch_alter_table('handover_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_list_fair_id'))
        batch_op.drop_index(batch_op.f('ix_handover_list_department_id'))

    op.drop_table('handover_list')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_awaiting_receipt')
        batch_op.drop_column('acknowledged_at')
