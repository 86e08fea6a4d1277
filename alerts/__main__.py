"""`python -m alerts ...`: the command line (see alerts.cli)."""

from alerts.cli import main

main(prog="python -m alerts")
