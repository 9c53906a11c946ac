"""Redis and RQ: the transactional outbox, its relay and sweep, the worker and periodic jobs."""


def init_app(app) -> None:
    """The `jobs` commands (worker, scheduler, sweep)."""
    from jobs import cli

    app.cli.add_command(cli.jobs)
