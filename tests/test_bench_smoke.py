"""``benchmarks/run.py --quick`` runs end to end and prints every ratio line.

A smoke test of the harness, not of the speed: tiny sizes, no timing asserted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_quick_prints_every_ratio(tmp_path):
    out = tmp_path / "RESULTS.md"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = proc.stdout
    number = r"[0-9][0-9,.]*"
    patterns = {
        "A": rf"^A  engine vs Mesa reference.*: {number}x faster \(goal >= 100x: (MET|MISSED)\)",
        "B": rf"^B  engine day vs floor.*: {number}x \(goal <= 3x: (MET|MISSED)\)",
        "C": rf"^C  word-of-mouth step vs CSR mat-vec.*: {number}x \(goal <= 2x: (MET|MISSED)\)",
        "D": rf"^D  time per customer-day .*max deviation from median {number}% "
             r"\(goal <= 25%: (MET|MISSED)\)",
        "E": rf"^E  peak memory per customer .*: {number} bytes \(goal <= 250: (MET|MISSED)\)",
        "F": rf"^F  sweep of .*parallel efficiency {number} \(goal >= 0.85: (MET|MISSED)\); "
             rf"{number} runs per hour",
        "build": rf"^build  model build at .*: {number}x of 30 days \(goal < 1x: (MET|MISSED)\)",
        "H": rf"^H  event log .*: a day costs {number}x the day without it .*reported, no goal",
    }
    for name, pattern in patterns.items():
        assert re.search(pattern, text, re.M), f"no {name} ratio line in:\n{text}"
    written = out.read_text()
    for key in ("numpy", "Mesa", "Python", "CPU", "## Summary"):
        assert key in written
