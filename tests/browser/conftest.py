"""The browser tests' fixtures (tests/support/browser.py), for this folder only: `live` here is
the service's process, elsewhere the channels' settings (tests/support/channels.py)."""

from tests.support.browser import browser, live, tile_server

__all__ = ["browser", "live", "tile_server"]
