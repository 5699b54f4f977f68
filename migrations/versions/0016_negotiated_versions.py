"""Negotiated versions (SPEC 5d): a contract's language, a document's language and origin, regulated models.

Existing contracts take the language their agreements were written in until now (the sponsor's
setting, else French for a French sponsor); existing documents take the language of their template,
else their contract's.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=False, server_default='fr'))
    with op.batch_alter_table('contract_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regulated', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('based_on_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_documents_based_on_id', 'documents', ['based_on_id'], ['id'])

    # The rule the agreements followed so far: the sponsor's language, else French for a French sponsor.
    op.execute("UPDATE contracts SET language = COALESCE("
               "(SELECT CASE WHEN s.language IN ('fr', 'en') THEN s.language "
               "WHEN COALESCE(s.country, 'FR') = 'FR' THEN 'fr' ELSE 'en' END "
               "FROM sponsors s WHERE s.id = contracts.sponsor_id), 'fr')")
    # A generated version is in its template's language (the name's suffix); any other in its contract's.
    op.execute("UPDATE documents SET language = (SELECT CASE WHEN t.name LIKE '%\\_en' ESCAPE '\\' THEN 'en' "
               "WHEN t.name LIKE '%\\_fr' ESCAPE '\\' THEN 'fr' END FROM contract_templates t "
               "WHERE t.id = documents.template_id) WHERE template_id IS NOT NULL")
    op.execute("UPDATE documents SET language = (SELECT c.language FROM contracts c "
               "WHERE c.id = documents.contract_id) WHERE language IS NULL")


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint('fk_documents_based_on_id', type_='foreignkey')
        batch_op.drop_column('based_on_id')
        batch_op.drop_column('language')
    with op.batch_alter_table('contract_templates', schema=None) as batch_op:
        batch_op.drop_column('regulated')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('language')
