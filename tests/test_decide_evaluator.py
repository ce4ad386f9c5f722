"""The warm batch evaluator (servsim.decide.evaluator) and the resumable store.

Results must not depend on the number of workers or the backend: every task
carries its seed.  The Ray test drives .venv-ray's Python against a Ray head on
127.0.0.1 (as tests/test_launchers.py does) and skips, saying why, without it.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from servsim.decide import evaluator
from servsim.decide.evaluator import ProcessEvaluator, SerialEvaluator, make_evaluator
from servsim.decide.store import EvaluationStore, run_id

TOY = "servsim.decide.testmodels:toy_objective"
TASKS = [((i, s), {"x": 0.1 * i, "y": -0.2 * i, "seed": s}) for i in range(12) for s in (0, 1)]


def test_serial_and_two_processes_give_identical_results():
    serial = SerialEvaluator(TOY).start().map(TASKS)
    with ProcessEvaluator(TOY, workers=2, chunksize=5) as pool:
        pids = {pool._pool.submit(os.getpid).result() for _ in range(4)}
        parallel = pool.map(TASKS)
    assert os.getpid() not in pids  # the work ran in other processes
    assert parallel == serial
    assert len(serial) == len(TASKS)
    # the seed is part of the task: another seed gives other noise at the same point
    assert serial[(3, 0)]["profit"] != serial[(3, 1)]["profit"]


def test_process_pool_workers_are_warm_before_the_first_task():
    with ProcessEvaluator(TOY, workers=2) as pool:
        # start() returned: both processes exist and each has run its warm-up
        assert len(pool._pool._processes) == 2
        checks = [pool._pool.submit(evaluator.is_warm, TOY) for _ in range(6)]
        assert all(f.result() for f in checks)
    assert not evaluator.is_warm("servsim.decide.testmodels:never_used")


def test_make_evaluator_choices():
    assert isinstance(make_evaluator(TOY, workers=1), SerialEvaluator)
    assert isinstance(make_evaluator(TOY, workers=2), ProcessEvaluator)
    with pytest.raises(ValueError, match="backend='slurm': allowed process, ray, serial"):
        make_evaluator(TOY, backend="slurm")
    with pytest.raises(ValueError, match="workers=0"):
        make_evaluator(TOY, workers=0, backend="process")


def test_a_failing_task_raises_in_the_caller():
    with ProcessEvaluator(TOY, workers=2) as pool, pytest.raises(TypeError):
        pool.map([("bad", {"x": 1.0})])  # y missing


@pytest.mark.slow
def test_servsim_runs_on_two_warm_processes_equal_in_process_runs():
    tasks = [((s, strategy), {"sim.n_customers": 300, "sim.days": 20, "seed": s,
                              "strategy": strategy})
             for s in (0, 1) for strategy in ("premium", "lowcost")]
    serial = SerialEvaluator().start().map(tasks)
    with ProcessEvaluator(workers=2) as pool:
        parallel = pool.map(tasks)
    assert parallel.keys() == serial.keys()
    for key in serial:
        for name, value in serial[key].items():
            other = parallel[key][name]
            assert value == other or (math.isnan(value) and math.isnan(other)), (key, name)
    assert serial[(0, "premium")]["profit"] != serial[(0, "lowcost")]["profit"]


def test_store_keeps_finished_runs_and_ignores_a_line_cut_short(tmp_path):
    store = EvaluationStore(tmp_path)
    kwargs = {"x": 0.5, "y": 1.0, "seed": 3}
    rid = run_id(TOY, kwargs)
    store.add(rid, TOY, kwargs, {"profit": 1.5, "recovery_days": math.nan})
    with open(store.path, "a") as f:
        f.write('{"id": "abc", "outcomes": {"pro')  # an interrupted write
    again = EvaluationStore(tmp_path)
    assert rid in again and "abc" not in again and len(again) == 1
    assert again.outcomes[rid]["profit"] == 1.5 and math.isnan(again.outcomes[rid]["recovery_days"])
    other = {"x": 0.5, "y": 1.0, "seed": 4}
    again.add(run_id(TOY, other), TOY, other, {"profit": 2.0})
    lines = store.path.read_text().splitlines()
    assert json.loads(lines[-1])["outcomes"] == {"profit": 2.0}  # on a fresh line
    assert len(EvaluationStore(tmp_path)) == 2


def test_run_id_depends_on_every_keyword_and_not_on_their_order():
    a = run_id(TOY, {"x": 1.0, "y": 2.0, "seed": 0})
    assert a == run_id(TOY, {"seed": 0, "y": 2.0, "x": 1.0})
    assert a != run_id(TOY, {"x": 1.0, "y": 2.0, "seed": 1})
    assert a != run_id("other:function", {"x": 1.0, "y": 2.0, "seed": 0})


# --------------------------------------------------------------------------- Ray

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_launchers import RAY_BIN, RayHead, _venv_missing  # noqa: E402

RAY_SCRIPT = textwrap.dedent("""
    import json, sys
    from servsim.decide.evaluator import RayEvaluator, SerialEvaluator
    tasks = [((i, s), {"x": 0.1 * i, "y": -0.3 * i, "seed": s}) for i in range(8) for s in (0, 1)]
    function = "servsim.decide.testmodels:toy_objective"
    with RayEvaluator(function, workers=2, address=sys.argv[1]) as ray_eval:
        pids = ray_eval._ray().get([a.ready.remote() for a in ray_eval._actors])
        got = ray_eval.map(tasks)
    want = SerialEvaluator(function).start().map(tasks)
    print(json.dumps({"same": got == want, "n": len(got), "actors": len(set(pids))}))
""")


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.skipif(bool(_venv_missing()), reason=_venv_missing() or "")
def test_ray_actors_on_a_local_head_give_the_serial_results():
    head = RayHead()
    try:
        head.start()
        proc = subprocess.run([str(RAY_BIN / "python"), "-c", RAY_SCRIPT, head.address],
                              capture_output=True, text=True, timeout=300, env=head.env,
                              cwd=ROOT)
    finally:
        left = head.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"same": True, "n": 16, "actors": 2}
    assert not left, f"processes left after stopping the Ray head: {left}"
