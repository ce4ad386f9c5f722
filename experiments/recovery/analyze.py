"""Recovery (seed 001 section 2): run, analyse, write results/recovery/."""
import sys

from servsim.experiments import main

if __name__ == "__main__":
    sys.exit(main(["recovery", *sys.argv[1:]]))
