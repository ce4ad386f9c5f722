"""Retention economics (seed 002): run, analyse, write results/retention-economics/."""
import sys

from servsim.experiments import main

if __name__ == "__main__":
    sys.exit(main(["retention-economics", *sys.argv[1:]]))
