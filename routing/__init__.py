"""The router (see routing/model.py)."""
