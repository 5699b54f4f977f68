"""Deadline fields kept on tracks (holder since, ceiling, target, ceiling policy), track owners,
the document version each send_to_sponsor sent, withdrawn documents, outbox stage visits,
API token names and the sponsors' contract language.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 15:08:35.026383

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=True))

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_events_document_id_documents'), 'documents', ['document_id'], ['id'])

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit', sa.Integer(), nullable=True))

    with op.batch_alter_table('sponsors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))

    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('holder_since_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('regulatory_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('target_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ceiling_policy_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tracks_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracks_regulatory_due_on'), ['regulatory_due_on'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tracks_owner_id_users'), 'users', ['owner_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_tracks_ceiling_policy_id_policies'), 'policies', ['ceiling_policy_id'], ['id'])



def downgrade():
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tracks_ceiling_policy_id_policies'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_tracks_owner_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tracks_regulatory_due_on'))
        batch_op.drop_index(batch_op.f('ix_tracks_owner_id'))
        batch_op.drop_column('ceiling_policy_id')
        batch_op.drop_column('target_due_on')
        batch_op.drop_column('regulatory_due_on')
        batch_op.drop_column('holder_since_on')
        batch_op.drop_column('owner_id')

    with op.batch_alter_table('sponsors', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('visit')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_document_id_documents'), type_='foreignkey')
        batch_op.drop_column('document_id')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('name')

