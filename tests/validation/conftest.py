"""Fixtures shared by the validation checks."""

import pytest

from tests.validation.setups import adoption_curves, bass_overrides


@pytest.fixture(scope="session")
def complete_graph_curves():
    return adoption_curves(bass_overrides(10_000, 30), range(20))
