"""Inverted pyramid (seed 003): run, analyse, write results/inverted-pyramid/."""
import sys

from servsim.experiments import main

if __name__ == "__main__":
    sys.exit(main(["inverted-pyramid", *sys.argv[1:]]))
