"""outbox: failed attempts, last error, backoff and dead letters

A message whose job fails is tried again only after a growing delay, and after
OUTBOX_MAX_ATTEMPTS failures it is dead-lettered (kept, run no more until `flask jobs retry`).

Revision ID: 97e1c0de0015
Revises: 87e1c0de0014
Create Date: 2026-12-07 15:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

import models.base

# revision identifiers, used by Alembic.
revision = '97e1c0de0015'
down_revision = '87e1c0de0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dead_at', models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('dead_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
