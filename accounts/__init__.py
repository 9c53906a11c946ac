"""Users, roles, API tokens, and who may see which appeal."""


def init_app(app) -> None:
    """The token admin API and the `users` and `tokens` commands."""
    from accounts import api, cli
    from kernel.http import api as rest

    rest.register_blueprint(api.blp)
    app.cli.add_command(cli.users)
    app.cli.add_command(cli.tokens)
