"""audit: keyed event hashes (existing chains re-hashed with HMAC under AUDIT_KEY) and signed
checkpoints of every appeal's head, apart from the events

Revision ID: d7e1c0de0004
Revises: c7e1c0de0003
Create Date: 2026-12-07 09:30:00.000000

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'd7e1c0de0004'
down_revision = 'c7e1c0de0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_checkpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('previous_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('signature', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
        sa.UniqueConstraint('previous_id', name=op.f('uq_audit_checkpoints_previous_id')),
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoints_created_at'), ['created_at'], unique=False)
    op.create_table(
        'audit_checkpoint_heads',
        sa.Column('checkpoint_id', sa.Integer(), nullable=False),
        sa.Column('appeal_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_audit_checkpoint_heads_appeal_id_appeals')),
        sa.ForeignKeyConstraint(['checkpoint_id'], ['audit_checkpoints.id'],
                                name=op.f('fk_audit_checkpoint_heads_checkpoint_id_audit_checkpoints')),
        sa.PrimaryKeyConstraint('checkpoint_id', 'appeal_id', name=op.f('pk_audit_checkpoint_heads')),
    )
    with op.batch_alter_table('audit_checkpoint_heads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoint_heads_appeal_id'), ['appeal_id'], unique=False)
    with op.batch_alter_table('appeal_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_events_created_at'), ['created_at'], unique=False)
    _key_existing_chains()


def _key_existing_chains():
    """Every entry hashed before this revision (plain SHA-256) is re-hashed under AUDIT_KEY, past the
    append-only trigger; an entry altered before is left as it is, to be reported as before."""
    from audit.rekey import legacy_digest, rekey

    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE appeal_events DISABLE TRIGGER appeal_events_append_only")
    done, left = rekey(op.get_bind(), legacy_digest, current_app.config["AUDIT_KEY"].encode())
    if postgres:
        op.execute("ALTER TABLE appeal_events ENABLE TRIGGER appeal_events_append_only")
    if done or left:
        print(f"audit: {done} event(s) re-hashed under AUDIT_KEY, {left} left as they were (altered before)")


def downgrade():
    with op.batch_alter_table('appeal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_events_created_at'))
    with op.batch_alter_table('audit_checkpoint_heads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoint_heads_appeal_id'))
    op.drop_table('audit_checkpoint_heads')
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoints_created_at'))
    op.drop_table('audit_checkpoints')
