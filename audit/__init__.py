"""Audit of the append-only event log: `flask audit verify` recomputes every appeal's hash chain."""


def init_app(app) -> None:
    """The `audit` commands."""
    from audit import cli

    app.cli.add_command(cli.audit)
