"""Staff users, roles, village scopes and login."""
