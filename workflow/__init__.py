"""The appeal lifecycle: allowed transitions, the event log, and the appeal API for every role."""


def init_app(app) -> None:
    """The appeal API for every role."""
    from kernel.http import api as rest
    from workflow import api

    rest.register_blueprint(api.blp)
