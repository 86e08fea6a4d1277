"""Unit tests: no database; renderers, parsers, the sandboxes and the channels in-process."""
