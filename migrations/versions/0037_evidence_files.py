"""evidence files on a finished item (issue 25): PDF, JPEG and PNG files a department attaches when
it finishes an item or writes a progress note, kept in the database with their bytes

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 13:10:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.Enum('application/pdf', 'image/jpeg', 'image/png', name='filetype', native_enum=False, length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['request_event.id'], name=op.f('fk_evidence_file_event_id_request_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_evidence_file_request_id_service_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_evidence_file_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_file')),
    sa.UniqueConstraint('token', name=op.f('uq_evidence_file_token'))
    )
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_file_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_file_request_id'), ['request_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_file_request_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_file_event_id'))
    op.drop_table('evidence_file')
