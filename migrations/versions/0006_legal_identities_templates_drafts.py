"""Legal identities: the sponsors' legal name, form, VAT number and representative's title, their
contacts, the sites' representative title and default signatory (identity fields may now stay empty
while a new centre is set up); retired template versions, the default template per site role and
language, and the draft flag of generated documents.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 15:24:36.158364

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('template_defaults',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_defaults')),
    sa.UniqueConstraint('role', 'language', name=op.f('uq_template_defaults_role'))
    )
    op.create_table('sponsor_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sponsor_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('role', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['sponsor_id'], ['sponsors.id'], name=op.f('fk_sponsor_contacts_sponsor_id_sponsors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsor_contacts'))
    )
    with op.batch_alter_table('sponsor_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sponsor_contacts_sponsor_id'), ['sponsor_id'], unique=False)

    with op.batch_alter_table('contract_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('representative_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('signatory_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('signatory_email', sa.String(length=254), nullable=True))
        batch_op.alter_column('legal_name',
               existing_type=sa.VARCHAR(length=300),
               nullable=True)
        batch_op.alter_column('address',
               existing_type=sa.VARCHAR(length=500),
               nullable=True)
        batch_op.alter_column('finess',
               existing_type=sa.VARCHAR(length=9),
               nullable=True)
        batch_op.alter_column('siret',
               existing_type=sa.VARCHAR(length=14),
               nullable=True)
        batch_op.alter_column('representative',
               existing_type=sa.VARCHAR(length=200),
               nullable=True)

    with op.batch_alter_table('sponsors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_name', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('legal_form', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('vat_number', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('representative_title', sa.String(length=200), nullable=True))



def downgrade():
    with op.batch_alter_table('sponsors', schema=None) as batch_op:
        batch_op.drop_column('representative_title')
        batch_op.drop_column('vat_number')
        batch_op.drop_column('legal_form')
        batch_op.drop_column('legal_name')

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.alter_column('representative',
               existing_type=sa.VARCHAR(length=200),
               nullable=False)
        batch_op.alter_column('siret',
               existing_type=sa.VARCHAR(length=14),
               nullable=False)
        batch_op.alter_column('finess',
               existing_type=sa.VARCHAR(length=9),
               nullable=False)
        batch_op.alter_column('address',
               existing_type=sa.VARCHAR(length=500),
               nullable=False)
        batch_op.alter_column('legal_name',
               existing_type=sa.VARCHAR(length=300),
               nullable=False)
        batch_op.drop_column('signatory_email')
        batch_op.drop_column('signatory_name')
        batch_op.drop_column('representative_title')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('draft')

    with op.batch_alter_table('contract_templates', schema=None) as batch_op:
        batch_op.drop_column('retired_at')

    with op.batch_alter_table('sponsor_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sponsor_contacts_sponsor_id'))

    op.drop_table('sponsor_contacts')
    op.drop_table('template_defaults')
