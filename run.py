"""`python run.py ...` from a checkout, as the README and scripts say: the command line in
alerts.cli (installed, the same is `community-alerts ...` or `python -m alerts ...`)."""

from alerts.cli import main

if __name__ == "__main__":
    main(prog="run.py")
