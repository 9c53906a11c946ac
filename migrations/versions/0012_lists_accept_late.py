"""sla_appeal_clocks.accept_late: the acceptance (签收) deadline passed before the unit accepted

Set once per unit clock by the periodic scan, which records the event; the flag keeps the
scan from recording it twice.

Revision ID: 47e1c0de0010
Revises: 17e1c0de0007
Create Date: 2026-12-07 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '47e1c0de0010'
down_revision = '17e1c0de0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sla_appeal_clocks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accept_late', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('sla_appeal_clocks', schema=None) as batch_op:
        batch_op.drop_column('accept_late')
