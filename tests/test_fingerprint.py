"""Results are those recorded in benchmarks/fingerprint-baseline.txt, bit for bit.

The compiled kernels (servsim.kernels) promise the numbers of the numpy engine
they replaced: 63 runs (markets, networks, organisations, stages, recovery and
heterogeneity presets, 3 seeds each, 300 customers x 200 days: step tables,
summaries and recoveries) and 27 network builds must hash as recorded.  A change
of the model that is meant to change results regenerates the baseline
(``python benchmarks/fingerprint.py > benchmarks/fingerprint-baseline.txt``)
and says so in its commit.
"""

from __future__ import annotations

from benchmarks import fingerprint


def test_results_identical_to_baseline(capsys):
    code = fingerprint.main(["--check"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "identical" in out
