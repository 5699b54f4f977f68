"""Signing: capacity and consent text with the evidence, the PDF's fingerprint, declines, reminders and mail
attachments by reference.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 23:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signatories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity', sa.String(length=200), nullable=True))
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('consent_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('pdf_sha256', sa.String(length=64), nullable=True))
    with op.batch_alter_table('signing_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_text', sa.Text(), nullable=True))
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decline_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_document_id', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('attachment_document_id')
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('decline_reason')
        batch_op.drop_column('declined_at')
    with op.batch_alter_table('signing_codes', schema=None) as batch_op:
        batch_op.drop_column('consent_text')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('pdf_sha256')
        batch_op.drop_column('consent_text')
        batch_op.drop_column('capacity')
    with op.batch_alter_table('signatories', schema=None) as batch_op:
        batch_op.drop_column('capacity')
