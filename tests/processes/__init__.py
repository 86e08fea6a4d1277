"""Process tests: `run.py` commands, `serve`, dispatchers and the demo as real processes."""
