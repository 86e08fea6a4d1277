"""Integration tests: each on a fresh PostgreSQL database cloned from the migrated template."""
