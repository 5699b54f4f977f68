"""Scale: the alert sweep's next look per track, and the indexes the busy pages' queries need.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_alert_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tracks_next_alert_on'), ['next_alert_on'], unique=False)
        # The portal orders a sponsor's contracts by how long the sponsor has held them: only the
        # tracks the sponsor holds have this date, so the index reads those instead of every track.
        batch_op.create_index(batch_op.f('ix_tracks_holder_since_on'), ['holder_since_on'], unique=False)
    # Every open track is looked at by the first sweep after the upgrade, which then spaces them out.
    op.execute("UPDATE tracks SET next_alert_on = '2000-01-01' WHERE stage NOT IN ('executed', 'cancelled')")


def downgrade():
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracks_holder_since_on'))
        batch_op.drop_index(batch_op.f('ix_tracks_next_alert_on'))
        batch_op.drop_column('next_alert_on')
