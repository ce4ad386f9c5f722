"""The compiled engine never reads or writes outside an array.

Numba does not check indices by default: an index out of range in a kernel
would read or overwrite other memory silently.  This runs the compiled day over
seven markets (tests/test_kernels.py) in a subprocess with
``NUMBA_BOUNDSCHECK=1``, which compiles every kernel with index checks (into a
separate cache, so the normal one is untouched): any out-of-range index
raises IndexError and fails it.  About a minute, most of it compiling.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_kernels_stay_in_bounds(tmp_path):
    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
    probe = subprocess.run(
        [sys.executable, "-c", "import numba, numpy as np\n"
         "f = numba.njit(lambda a: a[5])\n"
         "try:\n    f(np.zeros(3))\nexcept IndexError:\n    print('checked')"],
        env=env, capture_output=True, text=True, cwd=ROOT, check=True)
    assert probe.stdout.strip() == "checked"  # the flag is in force
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_kernels.py", "-k", "keeps_its_books or census or draws"],
        env=env, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert " passed" in run.stdout
