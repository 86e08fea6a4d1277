"""Staff accounts: passwords, sessions, TOTP, API tokens, and the audit log of what staff did."""
