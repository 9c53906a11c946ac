"""webhook_attempts: drop the receiver's answer that older releases kept after the status code

Before, a failed attempt logged "接收方返回 HTTP 500：<first 200 characters of the answer>",
shown to admins: what an internal service answered could be read through a subscription (SSRF).
The status code stays.

Revision ID: c7e1c0de0003
Revises: 0a6e1c5d2f31
Create Date: 2026-12-07 09:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7e1c0de0003'
down_revision = '0a6e1c5d2f31'
branch_labels = None
depends_on = None

# "接收方返回 HTTP 500" is 14 characters; the answer followed a full-width colon.
KEPT = "接收方返回 HTTP ___"


def upgrade():
    op.execute(f"UPDATE webhook_attempts SET error = substr(error, 1, {len(KEPT)}) WHERE error LIKE '{KEPT}：%'")


def downgrade():
    pass  # the answers are gone
