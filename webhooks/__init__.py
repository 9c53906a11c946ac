"""Partner platforms and outbound events: signed inbound webhooks, outbound deliveries, Open311.

- ``config``: settings (app config, then environment, then defaults) and the webhook queue name.
- ``signing``: HMAC-SHA256 over ``timestamp.body``, several signatures per header for rotation.
- ``mapping``: per-partner payload mapping (configuration validated by marshmallow).
- ``inbound``: ``POST /webhooks/<partner>/appeals``.
- ``events``: new appeal events → deliveries for matching subscriptions, in the same transaction.
- ``delivery``: one RQ job per attempt on its own queue, back-off with jitter, dead letter, sweep.
- ``open311`` / ``open311_schemas``: GeoReport v2 under ``/open311/v2/``.
- ``admin`` / ``schemas``: partners, secrets, subscriptions and delivery logs under ``/api/v1/admin``.
- ``pages``: the same for admins in the web pages, under ``/admin/webhooks``.
- ``cli``: ``flask webhooks worker`` (the webhook queue's own worker) and ``flask webhooks sweep``.

See docs/webhooks.md and docs/open311.md.
"""
