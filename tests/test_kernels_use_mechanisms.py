"""No silent second copy: changing a mechanism function changes what the engine computes.

The compiled kernels call the mechanisms' functions (:mod:`servsim.mechanisms`).
This replaces one of them — the complaint-lodging rule
:func:`servsim.mechanisms.complaints.voiced`, ``failed & (u < propensity)`` —
by "every failure is voiced" in a fresh process, before the kernels compile,
and runs a short simulation: the step table must differ from the unpatched
one, and in exactly the way the new rule says (complaints == failures every
day).  The fresh process gets its own numba cache, seeded with the compiled
code of every kernel module except the service kernels (so only those
compile: the others do not call the rule), and the cache stamp
(:func:`servsim.mechanisms._common.engine_source_digest`) is checked to change
when a mechanism's source does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import servsim.kernels.service  # noqa: F401  (compiled and cached before the copy)
from servsim import simulate
from servsim.mechanisms import _common

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(_common.__file__).resolve().parents[1]
ARGS = {"sim.n_customers": 600, "sim.days": 40, "sim.seed": 4}

PATCHED_RUN = f"""
import sys
import numba
from servsim.mechanisms import complaints

@numba.njit
def every_failure_voiced(failed, u, propensity):
    return failed

complaints.voiced = every_failure_voiced   # before any kernel compiles
from servsim import simulate
steps = simulate(**{ARGS!r}).steps
steps.to_pickle(sys.argv[1])
"""


def _seed_cache(cache_dir: Path) -> None:
    """Copy the compiled code of every engine module except kernels/service.py into a
    ``NUMBA_CACHE_DIR`` layout (numba's user-provided locator: one folder per source
    folder)."""
    from numba.core.caching import UserProvidedCacheLocator

    for folder in ("mechanisms", "kernels"):
        source = PACKAGE / folder
        target = cache_dir / UserProvidedCacheLocator.get_suitable_cache_subpath(
            str(source / "x.py"))
        target.mkdir(parents=True)
        for f in (source / "__pycache__").glob("*.nb[ic]"):
            if not f.name.startswith("service."):
                shutil.copy2(f, target)


@pytest.mark.slow
def test_replacing_a_mechanism_function_changes_the_engine(tmp_path):
    baseline = simulate(**ARGS).steps
    assert (baseline["complaints"] < baseline["failures"]).any()  # voice is rare
    _seed_cache(tmp_path / "numba")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    out = tmp_path / "steps.pkl"
    run = subprocess.run([sys.executable, "-c", PATCHED_RUN, str(out)], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    patched = pd.read_pickle(out)
    assert not patched.equals(baseline)
    assert patched["failures"].sum() > 0
    pd.testing.assert_series_equal(patched["complaints"], patched["failures"],
                                   check_names=False)


def test_cache_stamp_covers_every_engine_source(tmp_path, monkeypatch):
    """The stamp digests mechanisms/, kernels/ and state.py: editing any of them (here a
    copy of the package) changes it, so cached kernels are not reused after an edit."""
    copy = tmp_path / "servsim"
    for entry in ("mechanisms", "kernels"):
        shutil.copytree(PACKAGE / entry, copy / entry,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(PACKAGE / "state.py", copy / "state.py")
    real = _common.engine_source_digest()
    monkeypatch.setattr(_common, "_PACKAGE", copy)
    _common.engine_source_digest.cache_clear()
    try:
        assert _common.engine_source_digest() == real  # same sources, same stamp
        rule = copy / "mechanisms" / "complaints.py"
        text = rule.read_text()
        assert "u < propensity and failed" in text
        rule.write_text(text.replace("u < propensity and failed", "failed"))
        _common.engine_source_digest.cache_clear()
        assert _common.engine_source_digest() != real
    finally:
        _common.engine_source_digest.cache_clear()
