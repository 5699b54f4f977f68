"""Each site's own figures, investigator identity and third-party structure; the contract's CRO; the
sponsor's share capital and RCS city (the parties block of the national model, SPEC 5).

Also replaces the partner sites' seeded SIRET placeholders, whose SIREN failed its checksum,
with placeholders that pass it (only where the old placeholder is still there).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 23:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

PLACEHOLDERS = (("GR", "77573104200013", "77573104500016"), ("IB", "78186055300010", "78186055600013"))


def upgrade():
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('investigator_title', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('investigator_department', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('investigator_rpps', sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column('patients', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('budget', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('third_party', sa.String(length=300), nullable=True))
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cro', sa.String(length=300), nullable=True))
    with op.batch_alter_table('sponsors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_capital', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('rcs_city', sa.String(length=100), nullable=True))
    sites = sa.table('sites', sa.column('code', sa.String), sa.column('siret', sa.String))
    for code, old, new in PLACEHOLDERS:
        op.execute(sites.update().where(sites.c.code == code).where(sites.c.siret == old).values(siret=new))


def downgrade():
    with op.batch_alter_table('sponsors', schema=None) as batch_op:
        batch_op.drop_column('rcs_city')
        batch_op.drop_column('share_capital')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('cro')
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_column('third_party')
        batch_op.drop_column('budget')
        batch_op.drop_column('patients')
        batch_op.drop_column('investigator_rpps')
        batch_op.drop_column('investigator_department')
        batch_op.drop_column('investigator_title')
