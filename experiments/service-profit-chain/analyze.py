"""Service-profit chain (seed 003): run, analyse, write results/service-profit-chain/."""
import sys

from servsim.experiments import main

if __name__ == "__main__":
    sys.exit(main(["service-profit-chain", *sys.argv[1:]]))
