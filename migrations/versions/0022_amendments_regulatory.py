"""Amendments (a contract that amends an executed one, REF-A1...) and the trial's regulatory status:
CTIS submission and authorisation on the contract, activation and first patient on each site's track.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 03:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amends_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('amendment_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ctis_submitted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('authorised_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key('fk_contracts_amends_id_contracts', 'contracts', ['amends_id'], ['id'])
        batch_op.create_index('ix_contracts_amends_id', ['amends_id'], unique=False)
        batch_op.create_unique_constraint('uq_contracts_amendment_number', ['amends_id', 'amendment_number'])
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activated_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('first_patient_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_column('first_patient_on')
        batch_op.drop_column('activated_on')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_contracts_amendment_number', type_='unique')
        batch_op.drop_index('ix_contracts_amends_id')
        batch_op.drop_constraint('fk_contracts_amends_id_contracts', type_='foreignkey')
        batch_op.drop_column('authorised_on')
        batch_op.drop_column('ctis_submitted_on')
        batch_op.drop_column('amendment_number')
        batch_op.drop_column('amends_id')
