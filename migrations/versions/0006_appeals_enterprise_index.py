"""appeals: index on (city_id, enterprise_name) for the router's duplicate check

Without it the check filtered every appeal of the city on each dispatch (found by the intake
benchmark's PostgreSQL CPU per appeal).

Revision ID: 0a6e1c5d2f31
Revises: 72af74b850d2
Create Date: 2026-11-22 14:45:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0a6e1c5d2f31'
down_revision = '72af74b850d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index('ix_appeals_city_enterprise', ['city_id', 'enterprise_name'], unique=False)


def downgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_appeals_city_enterprise')
