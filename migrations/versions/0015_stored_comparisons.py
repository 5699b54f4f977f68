"""Redline comparisons computed once at upload: their differences kept as rows.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:59:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('old_at', sa.Integer(), nullable=True),
        sa.Column('new_at', sa.Integer(), nullable=True),
        sa.Column('old_text', sa.Text(), nullable=True),
        sa.Column('new_text', sa.Text(), nullable=True),
        sa.Column('fragments', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_changes_document_id_documents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_changes')),
        sa.UniqueConstraint('document_id', 'position', name=op.f('uq_document_changes_document_id')),
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compared_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('compared_at')
    op.drop_table('document_changes')
