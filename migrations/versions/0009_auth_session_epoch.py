"""users: session_epoch, so signing out (or a new password) ends every saved session cookie

The session cookie carries the epoch it was issued under; raising it makes every older cookie
worthless on the next request (docs/operations.md, sessions).

Revision ID: a7e1c0de0001
Revises: d7e1c0de0004
Create Date: 2026-12-07 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7e1c0de0001'
down_revision = 'd7e1c0de0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
