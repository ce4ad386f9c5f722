"""The bad-input replay (benchmarks/bad_inputs.py): every class gives one line naming key and range.

The fast tests replay a sample of the cases through the sweep's pre-flight
path and a single run's composition, and a few through the ``servsim``
command itself; the slow one replays every class over every declared field.
Nothing is simulated.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bad_inputs.py"


def _load():
    spec = importlib.util.spec_from_file_location("benchmarks_bad_inputs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bad_inputs = _load()


def failures(outcome) -> str:
    return "\n".join(f"[{c.cls}] {c.shown}: {a}" for c, a in outcome.failures)


def test_the_cases_cover_every_numeric_key_and_class():
    from servsim.registry import parameters

    cases = bad_inputs.all_cases("company_a")
    keys = {p.key for p in parameters("company_a", constrained=True)}
    for cls in ("negative", "out-of-range", "nan", "inf", "text", "huge", "empty"):
        assert {c.names[0] for c in cases if c.cls == cls} == keys
    assert {c.cls for c in cases} == set(bad_inputs.CLASSES)
    assert {"market.segments={}", "market.competitors={}"} <= {c.shown for c in cases}
    chosen = bad_inputs.sample(cases, 40, seed=1)
    assert {c.cls for c in chosen} == set(bad_inputs.CLASSES)
    assert chosen == bad_inputs.sample(cases, 40, seed=1)  # reproducible


def test_the_check_can_fail():
    case = bad_inputs.Case("negative", ("strategy.price=-1.0",), ("strategy.price",),
                           "allowed (0, 100]")
    good = "strategy.price=-1.0 is out of range; allowed (0, 100]"
    assert bad_inputs.passes(case, [good])
    assert not bad_inputs.passes(case, [])  # accepted silently
    assert not bad_inputs.passes(case, [good, "Traceback ..."])  # more than one line
    assert not bad_inputs.passes(case, ["value is out of range; allowed (0, 100]"])  # no key
    assert not bad_inputs.passes(case, ["strategy.price=-1.0 is out of range"])  # no range
    assert not bad_inputs.passes(case, ["strategy.price=-1.0 is out of range; allowed [0, 1]"])


def test_a_sample_through_the_sweep_and_single_run_paths():
    outcomes = bad_inputs.replay("company_a", n_sweep=48, n_compose=12, seed=7)
    assert [o.path for o in outcomes] == ["sweep", "compose"]
    for outcome in outcomes:
        assert {c.cls for c in outcome.cases} == set(bad_inputs.CLASSES)
        assert not outcome.failures, failures(outcome)


def test_a_few_through_the_servsim_command(tmp_path):
    cases = bad_inputs.all_cases("company_a")
    chosen = [next(c for c in cases if c.cls == cls)
              for cls in ("text", "shares", "empty-mapping")]
    chosen.append(next(c for c in cases if c.shown == "sim.seed=9223372036854775808"))
    answers = bad_inputs.command_line(chosen, "company_a", parallel=2)
    outcome = bad_inputs.Outcome("cli", chosen, answers)
    assert not outcome.failures, failures(outcome)


@pytest.mark.slow
def test_every_class_over_every_declared_field():
    (outcome,) = bad_inputs.replay("company_a", every_key=False)
    assert len(outcome.cases) > 800
    assert not outcome.failures, failures(outcome)
