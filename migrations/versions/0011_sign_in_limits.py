"""Failed sign-ins per account, shared by every worker when no Redis is configured.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 18:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failures_account_key'), ['account_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_failures_failed_at'), ['failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failures_failed_at'))
        batch_op.drop_index(batch_op.f('ix_sign_in_failures_account_key'))
    op.drop_table('sign_in_failures')
