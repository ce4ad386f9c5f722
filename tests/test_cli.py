"""The ``servsim`` command end to end: bad input, outputs, sweeps, launchers, resume, faults.

Most tests run the real console script in a subprocess with tiny sizes and
``hydra.run.dir`` / ``hydra.sweep.dir`` under ``tmp_path``.  Sweeps that several
tests read are run once per module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from hydra import compose, initialize_config_dir

from servsim import cli, conf, outputs, runs, sweep
from servsim import compose as composition
from servsim.collect import collect
from servsim.params import make_params
from servsim.results import STEP_COLUMNS
from tests.conftest import SERVSIM, clean_env, digest, servsim

COLLECT = str(SERVSIM.parent / "servsim-collect")
TINY = ["sim.n_customers=300", "sim.days=20"]
SWEEP = ["market=single_firm", "strategy=premium,lowcost,differentiated", *TINY]


# --------------------------------------------------------------------------- bad input

BAD_INPUT = {
    # each class of bad input: (override, key the message must name); run by the real script
    "probability above 1": ("strategy.complaint_handling=1.5", "strategy.complaint_handling"),
    "negative count": ("sim.n_customers=-5", "sim.n_customers"),
    "negative price": ("strategy.price=-1", "strategy.price"),
    "unknown segment": ("market.segments.nosuch.share=0.2", "market.segments.nosuch"),
    "unknown strategy name": ("strategy=nosuch", "strategy"),
    "shares not summing to 1": ("market.segments.large_state.share=0.5", "market.segments"),
    "unknown key": ("strategy.pric=1", "strategy.pric"),
}

MORE_BAD_INPUT = {
    # more of the same classes, checked in-process through cli.main() (no process start-up)
    "segment probability above 1": ("market.segments.key.complaint_propensity=2",
                                    "market.segments.key.complaint_propensity"),
    "competitor negative price": ("market.competitors.foreign.strategy.price=-0.5",
                                  "market.competitors.foreign.strategy.price"),
    "negative rate": ("market.segments.small_private.need_rate=-0.1",
                      "market.segments.small_private.need_rate"),
    "unknown market name": ("market=nosuch", "market"),
    "unknown org name": ("org=flat", "org"),
    "unknown competitor key": ("market.competitors.foreign.org.levels=1",
                               "market.competitors.foreign.org.levels"),
    "unknown network kind": ("market.network.kind=torus", "market.network.kind"),
    "wrong type": ("sim.days=abc", "sim.days"),
    "non-integer count": ("sim.days=2.5", "sim.days"),
    "missing launcher plugin": ("hydra/launcher=ray_local", "hydra/launcher"),
}


@pytest.fixture(scope="module")
def bad_input_runs(tmp_path_factory):
    """Run every bad-input case at once (subprocesses in parallel) and keep the results."""
    root = tmp_path_factory.mktemp("bad")
    env = clean_env()
    procs = {}
    for i, (name, (override, _)) in enumerate(BAD_INPUT.items()):
        run_dir = root / f"case{i}"
        procs[name] = (run_dir, subprocess.Popen(
            [SERVSIM, *TINY, override, f"hydra.run.dir={run_dir}"],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    results = {}
    for name, (run_dir, proc) in procs.items():
        out, err = proc.communicate(timeout=180)
        results[name] = (proc.returncode, out, err, run_dir)
    return results


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_one_line_exit_2(bad_input_runs, case):
    code, out, err, run_dir = bad_input_runs[case]
    override, key = BAD_INPUT[case]
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (case, code, err)
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert lines[0].startswith("servsim: error: ")
    assert key in lines[0]
    assert "Traceback" not in err
    assert not (run_dir / outputs.STEPS_FILE).exists()
    assert not (run_dir / outputs.SUMMARY_FILE).exists()


@pytest.mark.parametrize("case", list(MORE_BAD_INPUT))
def test_more_bad_input_in_process(case, tmp_path, monkeypatch, capsys):
    override, key = MORE_BAD_INPUT[case]
    if case == "missing launcher plugin":
        pytest.importorskip("hydra_plugins")  # namespace exists whenever hydra-core does
        try:
            import hydra_plugins.hydra_ray_launcher  # noqa: F401

            pytest.skip("the ray plugin is installed")
        except ImportError:
            pass
    run_dir = tmp_path / "run"
    monkeypatch.setattr(sys, "argv", ["servsim", *TINY, override, f"hydra.run.dir={run_dir}"])
    monkeypatch.delenv("HYDRA_FULL_ERROR", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("servsim: error: ") and key in lines[0]
    assert not (run_dir / outputs.SUMMARY_FILE).exists()
    assert os.environ.get("HYDRA_FULL_ERROR") is None  # restored


def main_in_process(monkeypatch, *args: str) -> None:
    """Run ``servsim ARGS`` through cli.main() in this process (same code path, no start-up)."""
    monkeypatch.setattr(sys, "argv", ["servsim", *args])
    monkeypatch.delenv("HYDRA_FULL_ERROR", raising=False)
    cli.main()


def test_bad_value_in_a_sweep_stops_before_any_run(tmp_path, monkeypatch, capsys):
    sweep_dir = tmp_path / "sweep"
    with pytest.raises(SystemExit) as exit_info:
        main_in_process(monkeypatch, "-m", "strategy.price=1,-1", *TINY,
                        f"hydra.sweep.dir={sweep_dir}")
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("servsim: error: strategy.price=-1")
    assert not list(tmp_path.rglob(outputs.SUMMARY_FILE))


def test_describe_error_names_the_allowed_options():
    from hydra.errors import MissingConfigException

    ex = MissingConfigException("In 'config': Could not find 'strategy/nosuch'",
                                missing_cfg_file="strategy/nosuch",
                                options=["base_strategy", "lowcost", "premium"])
    assert composition.describe_error(ex) == (
        "strategy=nosuch: unknown option of config group 'strategy'; allowed: lowcost, premium")
    plugin = MissingConfigException("In 'hydra/launcher/ray_local': Could not load "
                                    "'hydra/launcher/ray'.", missing_cfg_file="hydra/launcher/ray")
    assert "servsim[ray]" in composition.describe_error(plugin)


# --------------------------------------------------------------------------- one run


@pytest.fixture(scope="module")
def single_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("single")
    run_dir = root / "run"
    proc = servsim(*TINY, "strategy=premium", f"hydra.run.dir={run_dir}", cwd=root)
    return proc, run_dir


def test_tiny_run_writes_all_outputs(single_run):
    proc, run_dir = single_run
    assert proc.returncode == 0, proc.stderr
    assert str(run_dir) in proc.stdout and "figure.png" in proc.stdout
    steps = pd.read_parquet(run_dir / outputs.STEPS_FILE)
    assert set(STEP_COLUMNS) <= set(steps.columns)
    assert list(steps["firm"].unique()) == ["focal", "foreign", "small_firms"]
    assert steps["day"].max() == 20
    summary = json.loads((run_dir / outputs.SUMMARY_FILE).read_text())
    assert summary["status"] == "ok"
    assert summary["seed"] == 0
    assert summary["servsim_version"] == outputs.package_version() != ""
    assert summary["focal"] == "focal" and set(summary["firms"]) == set(steps["firm"])
    assert summary["overrides"][:2] == TINY
    config = yaml.safe_load((run_dir / outputs.CONFIG_FILE).read_text())
    params = make_params(config)
    assert params.strategy.name == "premium" and params.sim.n_customers == 300
    assert summary["config_hash"] == outputs.config_hash(params)
    assert (run_dir / outputs.FIGURE_FILE).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (run_dir / ".hydra" / "config.yaml").is_file()
    assert not list(run_dir.glob("*.tmp")) and not list(run_dir.glob(".*.tmp"))
    # summary.json is the completion marker: written last
    last = max((run_dir / f).stat().st_mtime_ns for f in
               (outputs.STEPS_FILE, outputs.CONFIG_FILE, outputs.FIGURE_FILE))
    assert (run_dir / outputs.SUMMARY_FILE).stat().st_mtime_ns >= last
    # Mesa's INFO chatter stays out of the job log
    log = (run_dir / "servsim.log").read_text()
    assert "MESA" not in log and "simulating 300 customers" in log


def test_rerun_into_a_complete_run_dir_skips(single_run, monkeypatch, capsys):
    _, run_dir = single_run
    before = {f: (run_dir / f).stat().st_mtime_ns for f in
              (outputs.STEPS_FILE, outputs.SUMMARY_FILE)}
    main_in_process(monkeypatch, *TINY, "strategy=premium", f"hydra.run.dir={run_dir}")
    assert "skipped" in capsys.readouterr().err
    after = {f: (run_dir / f).stat().st_mtime_ns for f in before}
    assert after == before


# --------------------------------------------------------------------------- sweeps


@pytest.fixture(scope="module")
def sequential_sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    sweep_dir = root / "sequential"
    proc = servsim("-m", *SWEEP, f"hydra.sweep.dir={sweep_dir}", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return proc, sweep_dir


def test_multirun_and_collect(sequential_sweep, tmp_path):
    proc, sweep_dir = sequential_sweep
    assert "servsim sweep: 100%" in proc.stderr and "3/3" in proc.stderr
    assert f"servsim-collect {sweep_dir}" in proc.stderr
    out = tmp_path / "table.parquet"
    res = subprocess.run([COLLECT, str(sweep_dir), "-o", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert str(out) in res.stdout and "3 runs (3 ok)" in res.stdout
    table = pd.read_parquet(out)
    assert len(table) == 3  # single_firm: one firm per run
    assert list(table["strategy"]) == ["premium", "lowcost", "differentiated"]
    assert list(table["job"]) == [0, 1, 2]
    assert set(table["status"]) == {"ok"}
    assert table["firm"].eq("focal").all() and table["is_focal"].all()
    assert table["sim.n_customers"].eq(300).all() and table["market"].eq("single_firm").all()
    assert table["cumulative_profit"].notna().all()
    pd.testing.assert_frame_equal(table, collect(sweep_dir))


def test_joblib_sweep_is_identical_to_sequential(sequential_sweep, tmp_path):
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    _, seq_dir = sequential_sweep
    par_dir = tmp_path / "parallel"
    proc = servsim("-m", "hydra/launcher=parallel", *SWEEP, f"hydra.sweep.dir={par_dir}",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Joblib.Parallel(n_jobs=2" in proc.stdout  # Hydra's own log line
    for job in ("0", "1", "2"):
        a, b = seq_dir / job / outputs.STEPS_FILE, par_dir / job / outputs.STEPS_FILE
        pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), check_exact=True)
        assert digest(a) == digest(b)
        sa, sb = (json.loads((d / job / outputs.SUMMARY_FILE).read_text())
                  for d in (seq_dir, par_dir))
        assert sa["firms"] == sb["firms"] and sa["config_hash"] == sb["config_hash"]


def test_interrupted_sweep_resumes_only_missing_runs(sequential_sweep, tmp_path, monkeypatch,
                                                     capsys):
    _, seq_dir = sequential_sweep
    sweep_dir = tmp_path / "resume"
    shutil.copytree(seq_dir, sweep_dir)
    (sweep_dir / "1" / outputs.SUMMARY_FILE).unlink()  # job 1 "interrupted"
    before = {job: (sweep_dir / job / outputs.STEPS_FILE).stat().st_mtime_ns
              for job in ("0", "1", "2")}
    main_in_process(monkeypatch, "-m", *SWEEP, f"hydra.sweep.dir={sweep_dir}")
    err = capsys.readouterr().err
    after = {job: (sweep_dir / job / outputs.STEPS_FILE).stat().st_mtime_ns
             for job in before}
    assert after["0"] == before["0"] and after["2"] == before["2"]
    assert after["1"] != before["1"]
    progress = [json.loads(line) for line in
                (sweep_dir / ".servsim" / "progress").read_text().splitlines()]
    assert [p["status"] for p in progress] == ["resumed", "ok", "resumed"]
    assert "sweep finished (2 resumed, 1 ok)" in err
    # the redone run is the same run
    assert digest(sweep_dir / "1" / outputs.STEPS_FILE) == digest(
        seq_dir / "1" / outputs.STEPS_FILE)
    assert (collect(sweep_dir)["status"] == "ok").all()


def test_changed_config_in_the_same_dir_is_rerun(tmp_path):
    cfg = _compose("market=single_firm", *TINY)
    first = runs.run(cfg, tmp_path, progress=False)
    assert first["status"] == "ok" and "resumed" not in first
    again = runs.run(cfg, tmp_path, progress=False)
    assert again.get("resumed") is True
    changed = runs.run(_compose("market=single_firm", *TINY, "strategy.price=1.2"), tmp_path,
                      progress=False)
    assert changed["status"] == "ok" and "resumed" not in changed
    assert changed["config_hash"] != first["config_hash"]


# --------------------------------------------------------------------------- faults


def _compose(*overrides: str):
    conf.register_configs()
    with initialize_config_dir(config_dir=str(conf.CONFIG_DIR), version_base="1.3"):
        return compose(conf.CONFIG_NAME, overrides=list(overrides))


def _crash_on_seed(monkeypatch, seed: int) -> None:
    module = sys.modules["servsim.simulate"]
    real = module.run_params

    def crashing(params, *, progress=False):
        if params.sim.seed == seed:
            raise RuntimeError("injected crash for the test")
        return real(params, progress=progress)

    monkeypatch.setattr(module, "run_params", crashing)


def test_crash_in_a_sweep_is_recorded_and_others_complete(monkeypatch, tmp_path, capsys):
    _crash_on_seed(monkeypatch, 1)
    sweep_dir = tmp_path / "faulty"
    args = ("-m", "market=single_firm", "seed=0,1,2", *TINY, f"hydra.sweep.dir={sweep_dir}")
    with pytest.raises(SystemExit) as exit_info:  # a sweep with failed runs fails
        main_in_process(monkeypatch, *args)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "injected crash" in err and "sweep finished (2 ok, 1 error)" in err
    assert f"servsim: 1 of 3 runs failed: see {sweep_dir / '1' / 'servsim.log'}" in err
    table = collect(sweep_dir)
    assert list(table["status"]) == ["ok", "error", "ok"]
    failed = table[table["status"] == "error"].iloc[0]
    assert "injected crash" in failed["error"] and pd.isna(failed["firm"])
    assert table.loc[table["status"] == "ok", "cumulative_profit"].notna().all()
    assert "Traceback" in (sweep_dir / "1" / "servsim.log").read_text()
    assert not (sweep_dir / "1" / outputs.STEPS_FILE).exists()
    # re-running the sweep redoes only the failed run
    monkeypatch.undo()
    main_in_process(monkeypatch, *args)
    assert list(collect(sweep_dir)["status"]) == ["ok", "ok", "ok"]


def test_crash_in_a_single_run_records_error_and_raises(monkeypatch, tmp_path):
    _crash_on_seed(monkeypatch, 0)
    cfg = _compose("market=single_firm", *TINY)
    with pytest.raises(RuntimeError, match="injected"):
        runs.run(cfg, tmp_path, progress=False)
    summary = outputs.read_summary(tmp_path)
    assert summary["status"] == "error" and "injected" in summary["error"]
    assert not outputs.is_complete(tmp_path)


def test_preflight_checks_small_sweeps_fully_and_extremes_of_large_ones():
    small = [[f"strategy={s}", f"seed={i}"] for s in ("premium", "lowcost") for i in range(3)]
    assert sweep.preflight_jobs(small) == small
    large = [[f"strategy={s}", f"seed={i}", "sim.days=5"]
             for s in ("premium", "lowcost", "differentiated") for i in range(100)]
    chosen = sweep.preflight_jobs(large)
    assert chosen[0] == ["strategy=premium", "seed=0", "sim.days=5"]
    assert ["strategy=lowcost", "seed=0", "sim.days=5"] in chosen
    assert ["strategy=differentiated", "seed=0", "sim.days=5"] in chosen
    assert ["strategy=premium", "seed=99", "sim.days=5"] in chosen
    assert len(chosen) <= 6


def test_expand_sweep_mirrors_the_basic_sweeper():
    conf.register_configs()
    with initialize_config_dir(config_dir=str(conf.CONFIG_DIR), version_base="1.3"):
        cfg = compose(conf.CONFIG_NAME, overrides=["+experiment=positioning_quick"],
                      return_hydra_config=True)
    from omegaconf import open_dict

    with open_dict(cfg):
        cfg.hydra.overrides.task = ["+experiment=positioning_quick", "sim.days=5"]
    jobs = composition.expand_sweep(cfg)
    assert len(jobs) == 9
    assert jobs[0] == ["strategy=premium", "seed=0", "+experiment=positioning_quick",
                       "sim.days=5"]


# --------------------------------------------------------------------------- subcommands


def test_help_lists_the_subcommands(monkeypatch, capsys):
    main_in_process(monkeypatch, "--help")
    out = capsys.readouterr().out
    assert "== Config groups" in out  # Hydra's own help first
    for name in ("sensitivity", "explore", "optimize", "calibrate"):
        assert f"servsim {name}" in out


def test_a_subcommand_gets_its_arguments_before_hydra_parses_them(tmp_path, monkeypatch):
    (tmp_path / "fake_subcommand.py").write_text(
        "seen = []\n"
        "def main(argv):\n"
        "    seen.append(list(argv))\n"
        "    return 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.SUBCOMMANDS, "sensitivity", ("fake_subcommand", "a test stand-in"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main_in_process(monkeypatch, "sensitivity", "--method", "morris", "strategy.price=2")
    assert exit_info.value.code == 3
    assert sys.modules["fake_subcommand"].seen == [["--method", "morris", "strategy.price=2"]]
    assert not (tmp_path / "results").exists()  # Hydra never ran


def test_a_missing_subcommand_module_is_one_line(monkeypatch, capsys):
    monkeypatch.setitem(cli.SUBCOMMANDS, "explore", ("servsim.decide.no_such_module", "absent"))
    with pytest.raises(SystemExit) as exit_info:
        main_in_process(monkeypatch, "explore", "--help")
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "servsim explore" in lines[0] and "not available" in lines[0]
