"""Fixtures and helpers shared by the tests; tests/conftest.py registers the fixtures."""
