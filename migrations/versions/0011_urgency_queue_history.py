"""appeals: life danger (三台联动), hand-over to 110/119/120, dispatch-queue entry time;
routing_examples: a city's historical work orders for the router

Revision ID: 17e1c0de0007
Revises: b7e1c0de0002
Create Date: 2026-12-07 09:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import models.base

# revision identifiers, used by Alembic.
revision = '17e1c0de0007'
down_revision = 'b7e1c0de0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('life_danger', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('handover', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('queued_at', models.base.UTCDateTime(timezone=True), nullable=True))
    # Appeals already waiting for a dispatcher: since receipt (manual) or since their last change (returned).
    op.execute("UPDATE appeals SET queued_at = received_at WHERE status = 'manual'")
    op.execute("UPDATE appeals SET queued_at = updated_at WHERE status = 'returned'")

    op.create_table('routing_examples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('imported_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_routing_examples_city_id_cities')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_routing_examples_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_examples'))
    )
    with op.batch_alter_table('routing_examples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_examples_city_id'), ['city_id'], unique=False)


def downgrade():
    with op.batch_alter_table('routing_examples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_examples_city_id'))
    op.drop_table('routing_examples')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_column('queued_at')
        batch_op.drop_column('handover')
        batch_op.drop_column('life_danger')
