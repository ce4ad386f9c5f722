"""``python -m servsim.experiments NAME ...``: run a canned experiment (see the package)."""

import sys

from servsim.experiments import main

if __name__ == "__main__":
    sys.exit(main())
