"""Expectations (seed 001 section 8): run, analyse, write results/expectations/."""
import sys

from servsim.experiments import main

if __name__ == "__main__":
    sys.exit(main(["expectations", *sys.argv[1:]]))
