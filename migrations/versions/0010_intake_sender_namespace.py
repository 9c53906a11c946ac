"""appeals: external ids unique per city and sender namespace, not per channel across all cities

Before, (channel, external_id) was unique system-wide: a repeated id answered with the stored
appeal whoever had sent it (a partner read another partner's or the hotline's appeals) and an
id used in one city could not be used in another. Existing rows get the namespace of their
creator (a partner account, the city's staff, or the public pages); the channel stays in the
key, so every existing row stays unique.

Revision ID: b7e1c0de0002
Revises: a7e1c0de0001
Create Date: 2026-12-07 09:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e1c0de0002'
down_revision = 'a7e1c0de0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender', sa.String(length=32), nullable=True))
    op.execute("UPDATE appeals SET sender = 'public' WHERE created_by_id IS NULL")
    op.execute("UPDATE appeals SET sender = 'partner:' || CAST(created_by_id AS VARCHAR) WHERE created_by_id IN "
               "(SELECT id FROM users WHERE role = 'partner')")
    op.execute("UPDATE appeals SET sender = 'staff' WHERE sender IS NULL")
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.alter_column('sender', existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_constraint('uq_appeals_channel_external_id', type_='unique')
        batch_op.create_unique_constraint('uq_appeals_city_id_sender_channel_external_id',
                                          ['city_id', 'sender', 'channel', 'external_id'])


def downgrade():
    # Fails, as it should, when two cities or two senders have since used the same channel id.
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_constraint('uq_appeals_city_id_sender_channel_external_id', type_='unique')
        batch_op.create_unique_constraint('uq_appeals_channel_external_id', ['channel', 'external_id'])
        batch_op.drop_column('sender')
