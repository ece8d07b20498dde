"""the notifications' outbox (issue 25): one row per message to send, written with the change
that causes it and sent by the worker

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 13:10:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.Enum('wecom', 'sms', 'email', name='channel', native_enum=False, length=20), nullable=False),
    sa.Column('audience', sa.Enum('department', 'organisers', 'company', name='audience', native_enum=False, length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('state', sa.Enum('pending', 'sent', 'failed', 'dropped', name='messagestate', native_enum=False, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_outbox_message_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_outbox_message_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_message_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_request_id'), ['request_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_request_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_department_id'))
        batch_op.drop_index('ix_outbox_message_due')

    op.drop_table('outbox_message')
