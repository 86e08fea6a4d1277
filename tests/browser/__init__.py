"""Browser tests: headless Chromium (Playwright) against a running service."""
