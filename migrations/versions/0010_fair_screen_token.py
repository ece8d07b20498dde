"""the hall screen's view-only link: a token per fair

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 14:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fair', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screen_token', sa.String(length=43), nullable=True))
    # Every existing fair gets its own link before the column becomes required.
    fair = sa.table('fair', sa.column('id', sa.Integer), sa.column('screen_token', sa.String))
    connection = op.get_bind()
    for (fair_id,) in connection.execute(sa.select(fair.c.id)).all():
        connection.execute(sa.update(fair).where(fair.c.id == fair_id)
                           .values(screen_token=secrets.token_urlsafe(32)))
    with op.batch_alter_table('fair', schema=None) as batch_op:
        batch_op.alter_column('screen_token', existing_type=sa.String(length=43), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_fair_screen_token'), ['screen_token'])


def downgrade():
    with op.batch_alter_table('fair', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_fair_screen_token'), type_='unique')
        batch_op.drop_column('screen_token')
