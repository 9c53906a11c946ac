"""Supervision office: SLA scan, supervision orders (督办单), follow-up (回访), extension decisions,
overdue lists, measures per unit and period, and the monthly bulletin (每月通报)."""


def init_app(app) -> None:
    """The supervision and report APIs."""
    from kernel.http import api as rest
    from supervision import api, reports_api

    rest.register_blueprint(api.blp)
    rest.register_blueprint(reports_api.blp)
