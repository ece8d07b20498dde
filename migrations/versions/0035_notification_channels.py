"""the channels organisers configure (issue 25): the organisers' robot and e-mail, the SMTP server
and the SMS provider (one row), and each department's robot and e-mail

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 13:10:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('channel_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisers_robot_url', sa.String(length=500), nullable=True),
    sa.Column('organisers_emails', sa.Text(), nullable=True),
    sa.Column('smtp_host', sa.String(length=200), nullable=True),
    sa.Column('smtp_port', sa.Integer(), nullable=True),
    sa.Column('smtp_tls', sa.Enum('starttls', 'ssl', 'none', name='tlsmode', native_enum=False, length=20), nullable=False),
    sa.Column('smtp_user', sa.String(length=200), nullable=True),
    sa.Column('smtp_password', sa.String(length=200), nullable=True),
    sa.Column('smtp_sender', sa.String(length=200), nullable=True),
    sa.Column('sms_access_key_id', sa.String(length=100), nullable=True),
    sa.Column('sms_access_key_secret', sa.String(length=200), nullable=True),
    sa.Column('sms_endpoint', sa.String(length=300), nullable=True),
    sa.Column('sms_sign_name', sa.String(length=50), nullable=True),
    sa.Column('sms_templates', sa.JSON(), nullable=True),
    sa.Column('sms_test_mobile', sa.String(length=11), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_settings'))
    )
    # the one row of settings, empty: reading them never has to write
    op.execute("INSERT INTO channel_settings (id, smtp_tls) VALUES (1, 'starttls')")
    op.create_table('department_channels',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('robot_url', sa.String(length=500), nullable=True),
    sa.Column('emails', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_department_channels_department_id_department'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('department_id', name=op.f('pk_department_channels'))
    )


def downgrade():
    op.drop_table('department_channels')
    op.drop_table('channel_settings')
