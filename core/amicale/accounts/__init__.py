"""Staff accounts: users, roles and permissions, login, API tokens."""
