"""Supervision office: SLA scan, supervision orders (督办单), follow-up (回访), extension decisions,
overdue lists, measures per unit and period, and the monthly bulletin (每月通报)."""


def init_app(app) -> None:
    """The supervision and report APIs; open orders follow an appeal to its new lead unit (a
    receiver of the event log's signal, so workflow does not call supervision); the scan is
    `flask sla scan` (a command of sla's group, so sla does not import supervision) and the periodic
    job `sla_scan`."""
    from events.signals import event_recorded
    from kernel.http import api as rest
    from sla.cli import sla
    from supervision import api, cli, reports_api, scan  # noqa: F401  (scan: registers the SLA scan job)
    from supervision.orders import follow_dispatch

    rest.register_blueprint(api.blp)
    rest.register_blueprint(reports_api.blp)
    event_recorded.connect(follow_dispatch)
    sla.add_command(cli.scan)
