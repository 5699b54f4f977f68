"""Contract search: one case-folded search text per contract, indexed (trigrams on PostgreSQL).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 22:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

BATCH = 2000


def _search_key(*parts):
    # The same rule as tracker.models.contracts.search_key, written out so this step never changes.
    return "\n".join((part or "").casefold() for part in parts)


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    contracts = sa.table('contracts', sa.column('id', sa.Integer), sa.column('reference', sa.String),
                         sa.column('protocol_number', sa.String), sa.column('title', sa.String),
                         sa.column('acronym', sa.String), sa.column('search_text', sa.Text))
    update = (sa.update(contracts).where(contracts.c.id == sa.bindparam('key'))
              .values(search_text=sa.bindparam('text')))
    last = 0
    while True:
        rows = bind.execute(sa.select(contracts.c.id, contracts.c.reference, contracts.c.protocol_number,
                                      contracts.c.title, contracts.c.acronym)
                            .where(contracts.c.id > last).order_by(contracts.c.id).limit(BATCH)).all()
        if not rows:
            break
        bind.execute(update, [{'key': r.id, 'text': _search_key(r.reference, r.protocol_number, r.title, r.acronym)}
                              for r in rows])
        last = rows[-1].id
    if bind.dialect.name == 'postgresql':
        # pg_trgm is a trusted extension: the database's owner may create it without being a superuser.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index('ix_contracts_search_text', 'contracts', ['search_text'], unique=False,
                        postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    else:
        op.create_index('ix_contracts_search_text', 'contracts', ['search_text'], unique=False)


def downgrade():
    op.drop_index('ix_contracts_search_text', table_name='contracts')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('search_text')
