"""The demo city (金昌) with its units and one user per role, for `make run`."""


def init_app(app) -> None:
    """The `demo` commands."""
    from demo import cli

    app.cli.add_command(cli.demo)
