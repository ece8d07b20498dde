"""extensions are requested and approved

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 10:30:00

A department asks for an extension and an organiser decides it: each extension has a status
(pending / approved / refused), who decided it and when, and a refused one its reason; one request
at a time waits per item (a partial unique index, which the organisers' count reads too). The
request waiting is copied on the item (extension_asked_on) for supervision's yellow. Extensions
made before are approved ones, decided by whoever made them, when they made them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_asked_on', sa.Date(), nullable=True))

    with op.batch_alter_table('extension', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('pending', 'approved', 'refused', name='extensionstatus',
                                                        native_enum=False, length=20),
                                      server_default='approved', nullable=False))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('refusal_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_extension_decided_by_id_user'), 'user', ['decided_by_id'], ['id'])
        batch_op.create_index('uq_extension_pending', ['request_id'], unique=True,
                              postgresql_where=sa.text("status = 'pending'"),
                              sqlite_where=sa.text("status = 'pending'"))
    # Every extension so far was made without approval: it stands, as approved by whoever made it.
    op.execute("UPDATE extension SET decided_by_id = by_user_id, decided_at = at")


def downgrade():
    # Back to extensions that are all made: a request still waiting, or refused, never moved the due
    # date, so it goes (the trail keeps that it was asked for and what became of it).
    op.execute("DELETE FROM extension WHERE status <> 'approved'")
    with op.batch_alter_table('extension', schema=None) as batch_op:
        batch_op.drop_index('uq_extension_pending')
        batch_op.drop_constraint(batch_op.f('fk_extension_decided_by_id_user'), type_='foreignkey')
        batch_op.drop_column('refusal_reason')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('status')

    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_column('extension_asked_on')
