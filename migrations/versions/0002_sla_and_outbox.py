"""SLA policy versions, site closure days, the alert outbox, and stored clock fields on tracks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 05:12:09.731145

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('site_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_closures_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_closures')),
    sa.UniqueConstraint('site_id', 'day', name=op.f('uq_site_closures_site_id'))
    )
    with op.batch_alter_table('site_closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_closures_site_id'), ['site_id'], unique=False)

    op.create_table('policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_policies_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_outbox_contract_id_contracts')),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_outbox_recipient_id_users')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_outbox_site_id_sites')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_outbox_track_id_tracks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_not_before'), ['not_before'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_status'), ['status'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('policy_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_events_policy_id_policies'), 'policies', ['policy_id'], ['id'])

    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('policy_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reminder_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tracks_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracks_reminder_on'), ['reminder_on'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tracks_policy_id_policies'), 'policies', ['policy_id'], ['id'])




def downgrade():

    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tracks_policy_id_policies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tracks_reminder_on'))
        batch_op.drop_index(batch_op.f('ix_tracks_due_on'))
        batch_op.drop_column('reminder_on')
        batch_op.drop_column('due_on')
        batch_op.drop_column('policy_id')
        batch_op.drop_column('visit')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_policy_id_policies'), type_='foreignkey')
        batch_op.drop_column('policy_id')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_not_before'))
        batch_op.drop_index(batch_op.f('ix_outbox_kind'))
        batch_op.drop_index(batch_op.f('ix_outbox_contract_id'))

    op.drop_table('outbox')
    op.drop_table('policies')
    with op.batch_alter_table('site_closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_closures_site_id'))

    op.drop_table('site_closures')

