"""Initial schema: sites, people, contracts, tracks, events and the audit trail.

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 05:05:51.182766

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=True),
    sa.Column('actor_site', sa.String(length=16), nullable=True),
    sa.Column('actor_sponsor', sa.String(length=200), nullable=True),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=40), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_entity'), ['entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_entity_id'), ['entity_id'], unique=False)

    op.create_table('reference_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_reference_counters'))
    )
    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('legal_name', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('finess', sa.String(length=9), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=False),
    sa.Column('representative', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('subdivision', sa.String(length=16), nullable=True),
    sa.Column('works_whit_monday', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
    sa.UniqueConstraint('code', name=op.f('uq_sites_code'))
    )
    op.create_table('sponsors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('registration_number', sa.String(length=64), nullable=True),
    sa.Column('representative', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsors')),
    sa.UniqueConstraint('name', name=op.f('uq_sponsors_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('sponsor_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_users_site_id_sites')),
    sa.ForeignKeyConstraint(['sponsor_id'], ['sponsors.id'], name=op.f('fk_users_sponsor_id_sponsors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('sponsor_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('acronym', sa.String(length=50), nullable=True),
    sa.Column('protocol_number', sa.String(length=100), nullable=False),
    sa.Column('eu_ct_number', sa.String(length=30), nullable=True),
    sa.Column('phase', sa.String(length=8), nullable=False),
    sa.Column('indication', sa.String(length=300), nullable=True),
    sa.Column('patients', sa.Integer(), nullable=True),
    sa.Column('budget', sa.JSON(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contracts_created_by_id_users')),
    sa.ForeignKeyConstraint(['sponsor_id'], ['sponsors.id'], name=op.f('fk_contracts_sponsor_id_sponsors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('reference', name=op.f('uq_contracts_reference'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_protocol_number'), ['protocol_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_sponsor_id'), ['sponsor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_status'), ['status'], unique=False)

    op.create_table('tracks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=24), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('investigator_name', sa.String(length=200), nullable=True),
    sa.Column('stage_entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('institution_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('investigator_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sponsor_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_tracks_contract_id_contracts')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_tracks_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracks')),
    sa.UniqueConstraint('contract_id', 'site_id', name=op.f('uq_tracks_contract_id'))
    )
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracks_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracks_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracks_stage'), ['stage'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_stage', sa.String(length=24), nullable=True),
    sa.Column('to_stage', sa.String(length=24), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('effective_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('comment_for_sponsor', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_events_actor_id_users')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_events_contract_id_contracts')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_events_track_id_tracks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('track_id', 'seq', name=op.f('uq_events_track_id'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_track_id'), ['track_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_track_id'))
        batch_op.drop_index(batch_op.f('ix_events_contract_id'))

    op.drop_table('events')
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracks_stage'))
        batch_op.drop_index(batch_op.f('ix_tracks_site_id'))
        batch_op.drop_index(batch_op.f('ix_tracks_contract_id'))

    op.drop_table('tracks')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_status'))
        batch_op.drop_index(batch_op.f('ix_contracts_sponsor_id'))
        batch_op.drop_index(batch_op.f('ix_contracts_protocol_number'))

    op.drop_table('contracts')
    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('sponsors')
    op.drop_table('sites')
    op.drop_table('reference_counters')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_entity_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_entity'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_contract_id'))

    op.drop_table('audit_entries')

