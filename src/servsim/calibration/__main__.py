"""``python -m servsim.calibration``: the calibration command (see :mod:`.cli`)."""

import sys

from servsim.calibration.cli import main

sys.exit(main())
