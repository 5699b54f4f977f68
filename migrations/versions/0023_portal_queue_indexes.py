"""Indexes for the busy pages at scale: a sponsor's contracts by id, the tracks the sponsor holds
(partial, replacing the index of every track's "holder since" date), and a site's open tracks in
due-date order (partial).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

HELD = "holder_since_on IS NOT NULL"
# The open stages as they stand at this revision (tracker.stages.rules.OPEN_STAGES).
OPEN = ("stage IN ('completeness', 'awaiting_documents', 'review', 'with_sponsor', 'waiting_coordinator', "
        "'conformity', 'signature')")


def upgrade():
    op.drop_index('ix_contracts_sponsor_id', table_name='contracts')
    op.create_index('ix_contracts_sponsor_id_id', 'contracts', ['sponsor_id', 'id'], unique=False)
    op.drop_index('ix_tracks_holder_since_on', table_name='tracks')
    op.create_index('ix_tracks_held', 'tracks', ['contract_id', 'holder_since_on', 'stage'], unique=False,
                    postgresql_where=sa.text(HELD), sqlite_where=sa.text(HELD))
    op.create_index('ix_tracks_open_due', 'tracks', ['site_id', 'due_on', 'contract_id', 'id'], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    op.drop_index('ix_tracks_open_due', table_name='tracks')
    op.drop_index('ix_tracks_held', table_name='tracks')
    op.create_index('ix_tracks_holder_since_on', 'tracks', ['holder_since_on'], unique=False)
    op.drop_index('ix_contracts_sponsor_id_id', table_name='contracts')
    op.create_index('ix_contracts_sponsor_id', 'contracts', ['sponsor_id'], unique=False)
