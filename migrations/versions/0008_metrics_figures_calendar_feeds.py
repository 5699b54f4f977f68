"""The metrics' figures kept as actions happen (per contract, per closed track, per finished stage
visit), personal calendar feeds, and the indexes the work queue, the dashboard and the metrics read
tracks and stage visits by.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:25:56.295800

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feeds_user_id'), ['user_id'], unique=False)

    op.create_table('contract_figures',
    sa.Column('contract_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('executed_on', sa.Date(), nullable=True),
    sa.Column('executed_month', sa.String(length=7), nullable=True),
    sa.Column('days_to_agreement', sa.Integer(), nullable=True),
    sa.Column('days_to_execution', sa.Integer(), nullable=True),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_figures_contract_id_contracts')),
    sa.PrimaryKeyConstraint('contract_id', name=op.f('pk_contract_figures'))
    )
    with op.batch_alter_table('contract_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_figures_executed_month'), ['executed_month'], unique=False)

    op.create_table('stage_visits',
    sa.Column('track_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=24), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=16), nullable=True),
    sa.Column('entered_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('site_done_on', sa.Date(), nullable=True),
    sa.Column('within', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_stage_visits_contract_id_contracts')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_stage_visits_site_id_sites')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_stage_visits_track_id_tracks')),
    sa.PrimaryKeyConstraint('track_id', 'seq', name=op.f('pk_stage_visits'))
    )
    with op.batch_alter_table('stage_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_visits_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index('ix_stage_visits_site_id_stage_within', ['site_id', 'stage', 'within'], unique=False)

    op.create_table('track_figures',
    sa.Column('track_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('site_calendar_days', sa.Integer(), nullable=False),
    sa.Column('site_working_days', sa.Integer(), nullable=False),
    sa.Column('sponsor_calendar_days', sa.Integer(), nullable=False),
    sa.Column('sponsor_working_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_track_figures_contract_id_contracts')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_track_figures_site_id_sites')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_track_figures_track_id_tracks')),
    sa.PrimaryKeyConstraint('track_id', name=op.f('pk_track_figures'))
    )
    with op.batch_alter_table('track_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_track_figures_contract_id'), ['contract_id'], unique=False)

    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.create_index('ix_tracks_site_id_due_on', ['site_id', 'due_on'], unique=False)
        batch_op.create_index('ix_tracks_queue', ['site_id', 'stage', 'due_on', 'owner_id', 'round',
                                                  'institution_signed_at', 'investigator_signed_at'], unique=False)
        batch_op.create_index('ix_tracks_site_id_contract_id', ['site_id', 'contract_id'], unique=False)



def downgrade():
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_index('ix_tracks_site_id_contract_id')
        batch_op.drop_index('ix_tracks_queue')
        batch_op.drop_index('ix_tracks_site_id_due_on')

    with op.batch_alter_table('track_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_track_figures_contract_id'))

    op.drop_table('track_figures')
    with op.batch_alter_table('stage_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_visits_site_id_stage_within')
        batch_op.drop_index(batch_op.f('ix_stage_visits_contract_id'))

    op.drop_table('stage_visits')
    with op.batch_alter_table('contract_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_figures_executed_month'))

    op.drop_table('contract_figures')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_user_id'))

    op.drop_table('calendar_feeds')
