"""territory (属地): division codes on units; an appeal's address and territorial unit

Revision ID: 67e1c0de0012
Revises: 47e1c0de0010
Create Date: 2026-12-07 10:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '67e1c0de0012'
down_revision = '47e1c0de0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('division_code', sa.String(length=12), nullable=True))
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('territory_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('territory_source', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_appeals_territory_unit_id'), ['territory_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_appeals_territory_unit_id_units'), 'units',
                                    ['territory_unit_id'], ['id'])


def downgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appeals_territory_unit_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_appeals_territory_unit_id'))
        batch_op.drop_column('territory_source')
        batch_op.drop_column('territory_unit_id')
        batch_op.drop_column('address')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('division_code')
