"""People: sponsors, users, roles, API tokens and sign-in."""
