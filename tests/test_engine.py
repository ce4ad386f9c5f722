"""Engine-level behaviour: conservation, determinism, books, agent views."""

import numpy as np
import pandas as pd
import pytest

from servsim import ParameterError, make_params
from servsim import simulate as _simulate
from servsim.model import ServiceMarket
from servsim.results import STAGES, STEP_COLUMNS


def simulate(**overrides):
    """One run of the dataclass defaults (:func:`make_params`: one firm) with dotted overrides."""
    return _simulate(make_params(**overrides))


SMALL = {"sim.n_customers": 800, "sim.days": 60}

THREE_FIRMS = {
    "low": {"name": "low", "initial_share": 0.1,
            "strategy": {"service_level": 0.45, "price": 0.85, "service_level_target": 0.5}},
    "prem": {"name": "prem", "initial_share": 0.1,
             "strategy": {"service_level": 0.85, "price": 1.3, "service_level_target": 0.9},
             "org": {"frontline_authority": 0.8, "approval_levels": 1}},
}


def test_step_table_has_every_documented_column():
    r = simulate(**SMALL)
    assert list(r.steps.columns) == list(STEP_COLUMNS)
    assert len(r.steps) == SMALL["sim.days"]
    assert r.steps["day"].tolist() == list(range(1, 61))


def test_customers_conserved_every_day_three_firms():
    r = simulate(**SMALL, **{"market.competitors": THREE_FIRMS, "market.focal_initial_share": 0.1})
    stage_cols = [f"customers_{s}" for s in STAGES[1:]]
    per_day = r.steps.groupby("day")[stage_cols].sum().sum(axis=1)
    prospects = r.steps.groupby("day")["prospects"].first()
    assert ((per_day + prospects) == SMALL["sim.n_customers"]).all()


def test_profit_is_revenue_minus_cost():
    r = simulate(**SMALL)
    np.testing.assert_allclose(r.steps["profit"], r.steps["revenue"] - r.steps["cost"])
    firm = r.summary["firms"]["focal"]
    assert firm["cumulative_profit"] == pytest.approx(firm["revenue"] - firm["cost"])


def test_same_seed_identical_different_seed_differs():
    a = simulate(**SMALL, **{"sim.seed": 7}).steps
    b = simulate(**SMALL, **{"sim.seed": 7}).steps
    c = simulate(**SMALL, **{"sim.seed": 8}).steps
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_agent_views_read_the_arrays():
    model = ServiceMarket(make_params(**SMALL))
    model.run(10)
    agent = model.customer_agents[3]
    assert agent.satisfaction == pytest.approx(float(model.customers.satisfaction[3]))
    agent.satisfaction = 0.25
    assert model.customers.satisfaction[3] == pytest.approx(0.25)
    assert agent.stage in STAGES
    assert len(model.agents) == (
        len(model.customer_agents) + len(model.staff_agents) + len(model.manager_agents)
        + len(model.firm_agents)
    )


def test_large_population_has_no_customer_views():
    model = ServiceMarket(make_params(**{"sim.n_customers": 2000, "sim.days": 1,
                                         "sim.customer_agents_max": 1000}))
    assert model.customer_agents == []
    assert model.staff_agents


def test_bad_value_names_key_and_range():
    with pytest.raises(ParameterError, match=r"strategy\.promise=-1.*allowed"):
        make_params(**{"strategy.promise": -1})
    with pytest.raises(ParameterError, match=r"shares sum to"):
        make_params(**{"market.segments": {"a": {"share": 0.5}, "b": {"share": 0.3}}})
    with pytest.raises(ParameterError, match=r"unknown key"):
        make_params(**{"strategy.nonsense": 1})


@pytest.mark.parametrize("kind", ["small_world", "complete"])
def test_word_of_mouth_pos_in_survives_other_uses_of_the_network(kind):
    """Today's pos_in (kept sparse, looked up through the network's slot index) reads
    the same after someone else asks the network who hears what."""
    n = 1000
    m = ServiceMarket(make_params({}, **{"sim.n_customers": n, "sim.days": 5, "sim.seed": 3,
                                         "market.focal_initial_share": 0.5,
                                         "market.network.kind": kind}))
    for _ in range(3):
        m.step()
    before = m.wom_pos_in
    assert before.shape == (n, m.n_firms) and before.any()
    assert np.array_equal(m.pos_in_of(np.arange(n)[::-1]), before[::-1])
    m.network.share_of_ties(np.arange(0, n, 7), np.zeros(143, dtype=np.int64), 2)
    assert np.array_equal(m.wom_pos_in, before)


def _servsim_imports() -> dict[str, set[str]]:
    """Every servsim module's imports of other servsim modules (module level and inside
    functions alike), read from the sources with ``ast``."""
    import ast
    from pathlib import Path

    import servsim

    root = Path(servsim.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = name if parts[-1] == "__init__" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                    + ([base] if base else []))
                targets.add(base)
                targets |= {f"{base}.{a.name}" for a in node.names}
        graph[name] = {t for t in targets if t.startswith("servsim") and t != name}
    modules = set(graph)
    return {m: {t for t in ts if t in modules} for m, ts in graph.items()}


def test_the_package_has_no_import_cycle():
    """No servsim module imports, directly or through others, a module that imports it
    (a package's ``__init__`` importing its own submodules does not count)."""
    graph = _servsim_imports()
    assert "servsim.agents" in graph["servsim.model"]  # the graph was read
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if t.startswith(m + "."):  # a package importing its submodule
                continue
            if state.get(t) == 1:
                cycles.append(path[path.index(t):] + [t] if t in path else [m, t])
            elif t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []
