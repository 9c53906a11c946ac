"""Partner platforms and outbound events: signed inbound webhooks, outbound deliveries, Open311.

- ``signing``: HMAC-SHA256 over ``timestamp.body``, several signatures per header for rotation.
- ``mapping``: per-partner payload mapping (configuration validated by marshmallow).
- ``inbound``: ``POST /webhooks/<partner>/appeals``.
- ``events``: new appeal events → deliveries for matching subscriptions, in the same transaction.
- ``delivery``: one RQ job per attempt on its own queue, back-off with jitter, dead letter.
- ``open311``: GeoReport v2 under ``/open311/v2/``.
- ``admin``: partners, secrets, subscriptions and delivery logs under ``/api/v1/admin``.

See docs/webhooks.md and docs/open311.md.
"""
