"""Service stage (seed 004): run, analyse, write results/service-stage/."""
import sys

from servsim.experiments import main

if __name__ == "__main__":
    sys.exit(main(["service-stage", *sys.argv[1:]]))
