"""outbox: queued jobs under their registered names (jobs.registry) instead of import paths

Revision ID: 87e1c0de0014
Revises: 67e1c0de0012
Create Date: 2026-12-07 12:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '87e1c0de0014'
down_revision = '67e1c0de0012'
branch_labels = None
depends_on = None

# Import path a queued row stored → the name its job is registered under. Rows already done keep
# what they stored: nothing runs them again.
NAMES = {
    'routing.dispatch.dispatch_appeal': 'dispatch_appeal',
    'routing.jobs.retrain_city': 'retrain_city',
    'routing.jobs.retrain_all': 'retrain_all',
    'webhooks.delivery.enqueue_first': 'webhook_first_attempt',
    'webhooks.delivery.sweep': 'webhook_sweep',
    'jobs.outbox.sweep': 'outbox_sweep',
    'supervision.scan.scan': 'sla_scan',
    'audit.checkpoints.checkpoint': 'audit_checkpoint',
}

outbox = sa.table('outbox', sa.column('job', sa.String), sa.column('done_at', sa.DateTime))


def _rename(pairs):
    for old, new in pairs:
        op.execute(outbox.update().where(outbox.c.job == old, outbox.c.done_at.is_(None)).values(job=new))


def upgrade():
    _rename(NAMES.items())


def downgrade():
    _rename((new, old) for old, new in NAMES.items())
