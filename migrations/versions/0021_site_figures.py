"""Per-site figures (SPEC 5b ``sites``): each closed track's own clock, ceiling and target, and the
contract's days counted from its receipt; init-db derives them for the rows written before.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 23:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

TRACK_COLUMNS = (
    ('role', sa.String(length=16)), ('started_on', sa.Date()), ('ceiling_on', sa.Date()),
    ('days_to_signature', sa.Integer()), ('days_from_receipt', sa.Integer()),
    ('within_ceiling', sa.Boolean()), ('within_target', sa.Boolean()),
)
CONTRACT_COLUMNS = (
    ('days_from_receipt_to_agreement', sa.Integer()), ('days_from_receipt_to_execution', sa.Integer()),
    ('revision', sa.Integer()),
)


def upgrade():
    with op.batch_alter_table('track_figures', schema=None) as batch_op:
        for name, type_ in TRACK_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_index('ix_track_figures_site_id_outcome', ['site_id', 'outcome'], unique=False)
    with op.batch_alter_table('contract_figures', schema=None) as batch_op:
        for name, type_ in CONTRACT_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    # The rows already there have no revision: ``flask init-db`` (record.backfill) derives them again.


def downgrade():
    with op.batch_alter_table('contract_figures', schema=None) as batch_op:
        for name, _type in reversed(CONTRACT_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('track_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_track_figures_site_id_outcome')
        for name, _type in reversed(TRACK_COLUMNS):
            batch_op.drop_column(name)
