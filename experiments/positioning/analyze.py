"""Positioning (seed 000): run, analyse, write results/positioning/."""
import sys

from servsim.experiments import main

if __name__ == "__main__":
    sys.exit(main(["positioning", *sys.argv[1:]]))
