"""Partner platforms and outbound events: signed inbound webhooks, outbound deliveries, Open311.

- ``config``: settings (app config, then environment, then defaults) and the webhook queue name.
- ``signing``: HMAC-SHA256 over ``timestamp.body``, several signatures per header for rotation.
- ``mapping``: per-partner payload mapping (configuration validated by marshmallow).
- ``inbound``: ``POST /webhooks/<partner>/appeals``.
- ``events``: new appeal events → deliveries for matching subscriptions, in the same transaction.
- ``delivery``: one RQ job per attempt on its own queue, back-off with jitter, dead letter, sweep.
- ``open311`` / ``open311_schemas``: GeoReport v2 under ``/open311/v2/``.
- ``admin`` / ``schemas``: partners, secrets, subscriptions and delivery logs under ``/api/v1/admin``.
- ``partners``: creating partners and subscriptions, shared by the admin API and the pages
  (``web/webhooks.py``, under ``/admin/webhooks``).
- ``cli``: ``flask webhooks worker`` (the webhook queue's own worker) and ``flask webhooks sweep``.

See docs/webhooks.md and docs/open311.md.
"""


def init_app(app) -> None:
    """Partner webhooks, Open311 and the webhook admin API; outbound deliveries follow new appeal
    events (``events`` listens on the session); the `webhooks` commands."""
    from kernel.http import api as rest
    from webhooks import admin, cli, events, inbound, open311  # noqa: F401  (events: its listener)

    rest.register_blueprint(inbound.blp)
    rest.register_blueprint(open311.blp)
    rest.handle_errors_under(open311.PREFIX, open311.unrouted_error)
    rest.register_blueprint(admin.blp)
    app.cli.add_command(cli.webhooks)
