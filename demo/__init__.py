"""The demo city (金昌) with its units and one user per role, for `make run`."""
