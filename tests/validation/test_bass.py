"""VALIDATION.md check 1 — Bass diffusion (Bass 1969; Sultan, Farley & Lehmann 1990; Fibich & Levin;
Rand & Rust 2011).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

from servsim import validation


def test_bass_diffusion():
    check = validation.check_bass("ci")
    assert check.passed, check.line()
    assert 3 < check.numbers["closed_form_gap_points"] < 9  # the documented pitfall
