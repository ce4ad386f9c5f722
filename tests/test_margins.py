"""servsim.calibration.margins: the overhead rule and the YAML writer (the full
calibration runs in `python -m servsim.calibration.margins`, a few minutes)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from servsim.calibration import margins


def test_overhead_leaves_the_target_margin_and_never_a_loss():
    # profit 300 on revenue 1,000 a day, target 10%: overhead 200 a day = 50 per 1,000 of 4,000
    o = margins.solve_overhead(300.0, 1000.0, 0.10, 4.0)
    assert o == pytest.approx(50.0)
    assert (300.0 - o * 4.0) / 1000.0 == pytest.approx(0.10)
    # contribution margin already below target (or a loss): no overhead, never negative
    assert margins.solve_overhead(50.0, 1000.0, 0.10, 4.0) == 0.0
    assert margins.solve_overhead(-80.0, 1000.0, 0.10, 4.0) == 0.0


def test_every_market_has_a_target_with_its_source():
    markets = {p.stem for p in margins.MARKET_DIR.glob("*.yaml")}
    assert markets == set(margins.TARGETS)
    for target, source in margins.TARGETS.values():
        assert 0.0 < target < 0.3 and source


def test_write_puts_each_firms_overhead_in_the_market_yaml(tmp_path):
    path = tmp_path / "company_a.yaml"
    shutil.copy(margins.MARKET_DIR / "company_a.yaml", path)
    firms = [margins.FirmMargin("focal", 1.0, 0.5, 12.5),
             margins.FirmMargin("foreign", 1.0, 0.5, 7.25),
             margins.FirmMargin("small_firms", 1.0, 0.0, 0.0)]
    for _ in range(2):  # idempotent: a re-run replaces, never duplicates
        margins.write("company_a", firms, path)
    data = yaml.safe_load(path.read_text())
    assert data["overhead"] == 12.5
    assert data["competitors"]["foreign"]["overhead"] == 7.25
    assert data["competitors"]["small_firms"]["overhead"] == 0.0
    assert path.read_text().count("overhead:") == 3
    assert data["competitors"]["foreign"]["initial_share"] == 0.20  # the rest kept
