"""Users, roles, API tokens, and who may see which appeal."""
