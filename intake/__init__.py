"""Intake: validate, de-duplicate and store incoming appeals, then queue them for dispatch."""


def init_app(app) -> None:
    """The intake API."""
    from intake import api
    from kernel.http import api as rest

    rest.register_blueprint(api.blp)
