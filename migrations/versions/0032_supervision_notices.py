"""supervision notices (督办单) and their replies; each request's day of its latest progress note

last_progress_on is filled for the items that have progress notes already, from the latest
one's time on the trail, as the day where the fair is (the app's BABEL_DEFAULT_TIMEZONE): the
colours' "no progress for N days" (kiosk.supervision.colours) would otherwise count from the day an
item reached the ledger, and call an item with a note last week quiet.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 10:30:00
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_progress_on', sa.Date(), nullable=True))
    _fill_last_progress_on()

    op.create_table('supervision_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('reply_by', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_supervision_notice_department_id_department')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_supervision_notice_issued_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notice')),
    sa.UniqueConstraint('year', 'seq', name=op.f('uq_supervision_notice_year_seq'))
    )
    with op.batch_alter_table('supervision_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_notice_department_id'), ['department_id'], unique=False)

    op.create_table('supervision_notice_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('colour', sa.Enum('red', 'yellow', 'blue', 'normal', 'parked', name='colour', native_enum=False, length=20), nullable=False),
    sa.Column('behind', sa.String(length=100), nullable=False),
    sa.Column('due_then', sa.Date(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['supervision_notice.id'], name=op.f('fk_supervision_notice_item_notice_id_supervision_notice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replied_by_id'], ['user.id'], name=op.f('fk_supervision_notice_item_replied_by_id_user')),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_supervision_notice_item_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notice_item')),
    sa.UniqueConstraint('notice_id', 'request_id', name=op.f('uq_supervision_notice_item_notice_id_request_id'))
    )
    with op.batch_alter_table('supervision_notice_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_notice_item_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_notice_item_request_id'), ['request_id'], unique=False)


def _fill_last_progress_on():
    connection = op.get_bind()
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    latest = connection.execute(sa.text(
        "SELECT request_id, MAX(created_at) FROM request_event WHERE kind = 'progress' GROUP BY request_id")).all()
    days = []
    for request_id, at in latest:
        if isinstance(at, str):  # (SQLite hands back the text it keeps)
            at = datetime.fromisoformat(at)
        days.append({"id": request_id, "day": at.replace(tzinfo=UTC).astimezone(zone).date()})
    if days:
        connection.execute(sa.text("UPDATE service_request SET last_progress_on = :day WHERE id = :id"), days)


def downgrade():
    with op.batch_alter_table('supervision_notice_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_notice_item_request_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_notice_item_notice_id'))

    op.drop_table('supervision_notice_item')
    with op.batch_alter_table('supervision_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_notice_department_id'))

    op.drop_table('supervision_notice')
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_column('last_progress_on')
