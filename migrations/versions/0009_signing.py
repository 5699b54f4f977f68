"""Online signing: fixed versions, signatories, one-time links and codes, signatures with their evidence,
executed agreements and the PDF kept for each converted document version.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 17:14:05.653696

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_pdfs',
    sa.Column('document_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_pdfs_document_id_documents')),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_pdfs'))
    )
    op.create_table('signatories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('named_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('named_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['named_by_id'], ['users.id'], name=op.f('fk_signatories_named_by_id_users')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_signatories_track_id_tracks')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signatories_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatories'))
    )
    with op.batch_alter_table('signatories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatories_track_id'), ['track_id'], unique=False)

    op.create_table('fixed_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('fixed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_fixed_versions_document_id_documents')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_fixed_versions_event_id_events')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_fixed_versions_track_id_tracks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fixed_versions'))
    )
    with op.batch_alter_table('fixed_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fixed_versions_track_id'), ['track_id'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('signatory_id', sa.Integer(), nullable=True),
    sa.Column('typed_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('document_version', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=500), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('evidence_document_id', sa.Integer(), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_signatures_document_id_documents')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_signatures_event_id_events')),
    sa.ForeignKeyConstraint(['evidence_document_id'], ['documents.id'], name=op.f('fk_signatures_evidence_document_id_documents')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_signatures_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['signatory_id'], ['signatories.id'], name=op.f('fk_signatures_signatory_id_signatories')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_signatures_track_id_tracks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures'))
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_track_id'), ['track_id'], unique=False)

    op.create_table('executed_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('fixed_version_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_executed_agreements_document_id_documents')),
    sa.ForeignKeyConstraint(['fixed_version_id'], ['fixed_versions.id'], name=op.f('fk_executed_agreements_fixed_version_id_fixed_versions')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_executed_agreements_track_id_tracks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_executed_agreements')),
    sa.UniqueConstraint('sha256', name=op.f('uq_executed_agreements_sha256'))
    )
    with op.batch_alter_table('executed_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_executed_agreements_track_id'), ['track_id'], unique=False)

    op.create_table('signing_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signatory_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=8), nullable=False),
    sa.Column('fixed_version_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['fixed_version_id'], ['fixed_versions.id'], name=op.f('fk_signing_links_fixed_version_id_fixed_versions')),
    sa.ForeignKeyConstraint(['signatory_id'], ['signatories.id'], name=op.f('fk_signing_links_signatory_id_signatories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_signing_links_token_hash'))
    )
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_links_signatory_id'), ['signatory_id'], unique=False)

    op.create_table('signing_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['signing_links.id'], name=op.f('fk_signing_codes_link_id_signing_links')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_codes'))
    )
    with op.batch_alter_table('signing_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_codes_link_id'), ['link_id'], unique=False)



def downgrade():
    with op.batch_alter_table('signing_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_codes_link_id'))

    op.drop_table('signing_codes')
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_links_signatory_id'))

    op.drop_table('signing_links')
    with op.batch_alter_table('executed_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_executed_agreements_track_id'))

    op.drop_table('executed_agreements')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_track_id'))

    op.drop_table('signatures')
    with op.batch_alter_table('fixed_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fixed_versions_track_id'))

    op.drop_table('fixed_versions')
    with op.batch_alter_table('signatories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatories_track_id'))

    op.drop_table('signatories')
    op.drop_table('document_pdfs')
