"""Nothing silently wrong (issue 18): each misbehaviour of a sweep, reproduced, and refused.

Each test reproduces one fault the issue measured on the old code (a truncated file
resumed as complete, two sweeps in one directory, orphaned workers, NaN reported as
ok, never-started jobs not counted, failed runs exiting 0, ``${oc.env:...}`` resolved)
and checks what servsim does now.  Waits are on state (files, processes) with a
deadline, never fixed sleeps.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from servsim import cli, conf, outputs, runs, sweep
from servsim.collect import collect
from servsim.params import ParameterError

BIN = Path(sys.executable).parent
SERVSIM = str(BIN / "servsim")
TINY = ["sim.n_customers=300", "sim.days=20"]


def env_without_hydra_full_error(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    env.update(extra)
    return env


def main_in_process(monkeypatch, *args: str) -> None:
    monkeypatch.setattr(sys, "argv", ["servsim", *args])
    monkeypatch.delenv("HYDRA_FULL_ERROR", raising=False)
    cli.main()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def popen_foreground(cmd: list[str], **kwargs) -> subprocess.Popen:
    """Start ``cmd`` as a terminal's foreground command: SIGINT (Ctrl-C) not ignored.

    A process started in the background by a non-interactive shell (``make test &``)
    has SIGINT ignored, and its children inherit that (Python keeps an ignored
    SIGINT); a test that sends Ctrl-C must give its child the default disposition.
    """
    return subprocess.Popen(cmd, preexec_fn=_default_sigint, **kwargs)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    """Poll ``predicate`` until it returns a true value or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def error_lines(text: str) -> list[str]:
    """Non-empty lines of stderr, without tqdm's progress-bar redraws ("... 3/20 [00:01<...")."""
    segments = [seg for line in text.splitlines() for seg in line.split("\r")]
    return [seg for seg in segments if seg.strip() and not re.search(r"\d+/\d+ \[", seg)]


# --------------------------------------------------------------------------- verified completion


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory):
    """A finished 3-run sequential sweep (run once; tests copy it)."""
    root = tmp_path_factory.mktemp("integrity")
    sweep_dir = root / "sweep"
    proc = subprocess.run([SERVSIM, "-m", "market=single_firm", "seed=0,1,2", *TINY,
                           f"hydra.sweep.dir={sweep_dir}"], capture_output=True, text=True,
                          timeout=600, env=env_without_hydra_full_error(), cwd=root)
    assert proc.returncode == 0, proc.stderr
    return sweep_dir


@pytest.mark.parametrize("damage", ["truncate steps", "empty config", "empty figure"])
def test_a_damaged_file_is_redone_on_resume(finished_sweep, tmp_path, monkeypatch, capsys,
                                            damage):
    import shutil

    sweep_dir = tmp_path / "sweep"
    shutil.copytree(finished_sweep, sweep_dir)
    name = {"truncate steps": outputs.STEPS_FILE, "empty config": outputs.CONFIG_FILE,
            "empty figure": outputs.FIGURE_FILE}[damage]
    target = sweep_dir / "1" / name
    intact = digest(target)
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2] if damage == "truncate steps" else b"")
    assert collect(sweep_dir)["status"].tolist() == ["ok", "damaged", "ok"]

    main_in_process(monkeypatch, "-m", "market=single_firm", "seed=0,1,2", *TINY,
                    f"hydra.sweep.dir={sweep_dir}")
    assert "sweep finished (2 resumed, 1 ok)" in capsys.readouterr().err
    assert digest(target) == intact  # redone: the same run, byte for byte
    assert collect(sweep_dir)["status"].tolist() == ["ok", "ok", "ok"]


# --------------------------------------------------------------------------- one writer


def test_a_second_sweep_into_a_locked_dir_is_refused_and_nothing_is_lost(finished_sweep,
                                                                          tmp_path):
    import shutil

    sweep_dir = tmp_path / "sweep"
    shutil.copytree(finished_sweep, sweep_dir)
    before = {p.relative_to(sweep_dir): digest(p) for p in sweep_dir.rglob("*") if p.is_file()
              and p.name != sweep.LOCK_FILE}
    holder = sweep.SweepLock(sweep_dir)  # this process plays the running sweep
    holder.acquire()
    try:
        proc = subprocess.run([SERVSIM, "-m", "market=single_firm", "seed=5,6", *TINY,
                               f"hydra.sweep.dir={sweep_dir}"], capture_output=True, text=True,
                              timeout=600, env=env_without_hydra_full_error(), cwd=tmp_path)
    finally:
        holder.release()
    lines = error_lines(proc.stderr)
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and "another sweep (pid" in lines[0] and str(sweep_dir) in lines[0]
    after = {p.relative_to(sweep_dir): digest(p) for p in sweep_dir.rglob("*") if p.is_file()
             and p.name != sweep.LOCK_FILE}
    assert after == before  # not one file of the running sweep touched


def test_the_lock_dies_with_its_holder(tmp_path):
    code = ("import sys, time; from servsim.sweep import SweepLock; "
            f"SweepLock({str(tmp_path)!r}).acquire(); print('held', flush=True); time.sleep(600)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(sweep.SweepLocked, match=f"pid {holder.pid}"):
            sweep.SweepLock(tmp_path).acquire()
    finally:
        holder.kill()
        holder.wait(timeout=60)
    mine = sweep.SweepLock(tmp_path)
    mine.acquire()  # the kernel released the killed holder's lock
    mine.release()


# --------------------------------------------------------------------------- no orphans


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(x) for x in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_exit_when_the_sweep_process_is_killed(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    sweep_dir = tmp_path / "sweep"
    proc = subprocess.Popen(
        [SERVSIM, "-m", "hydra/launcher=parallel", "market=single_firm", "seed=range(8)",
         "sim.n_customers=3000", "sim.days=3000", f"hydra.sweep.dir={sweep_dir}"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=env_without_hydra_full_error())
    try:
        # both workers are inside a job: each job's directory has Hydra's files
        wait_for(lambda: len(list(sweep_dir.glob("*/.hydra/config.yaml"))) >= 2, 300,
                 "two jobs to start")
        workers = {pid for pid in _children(proc.pid) if _alive(pid)}
        assert workers
    finally:
        proc.kill()  # kill -9: no handler, no clean-up in the sweep's process
        proc.wait(timeout=60)
    killed_at = time.monotonic()
    wait_for(lambda: not any(_alive(pid) for pid in workers), 5.0,
             f"the workers {sorted(workers)} to exit after their parent was killed")
    assert time.monotonic() - killed_at < 5.0
    done = {p.parent.name for p in sweep_dir.glob(f"*/{outputs.SUMMARY_FILE}")}
    assert not done  # 3,000 days each: none finished, and none was written after the kill


# --------------------------------------------------------------------------- non-finite output


def test_a_non_finite_output_is_an_error_naming_column_and_day(monkeypatch, tmp_path):
    from servsim import compose

    real = sys.modules["servsim.simulate"].run_params

    def overflowing(params, *, progress=False):
        result = real(params, progress=progress)
        steps = result.steps
        steps.loc[(steps["day"] == 7) & (steps["firm"] == "focal"), "revenue"] = np.inf
        return result

    monkeypatch.setattr(sys.modules["servsim.simulate"], "run_params", overflowing)
    cfg = compose.Composer().config(["market=single_firm", *TINY])
    summary = runs.run(cfg, tmp_path / "run", progress=False, catch_errors=True)
    assert summary["status"] == "error"
    assert "revenue = inf on day 7, firm focal" in summary["error"]
    assert not outputs.is_complete(tmp_path / "run")
    assert collect(tmp_path / "run")["status"].tolist() == ["error"]


def test_a_segment_value_beyond_float32_is_never_ok(tmp_path, monkeypatch, capsys):
    run_dir = tmp_path / "run"
    with pytest.raises(SystemExit) as exit_info:
        main_in_process(monkeypatch, "market=company_a", "market.segments.small_private.value=1e39",
                        *TINY, f"hydra.run.dir={run_dir}")
    assert exit_info.value.code != 0  # refused by validation (2) or an error run (1)
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and lines[0].startswith("servsim: error: ")
    assert not outputs.is_complete(run_dir)
    summary = outputs.read_summary(run_dir)
    assert summary is None or summary["status"] == "error"


def test_a_failed_output_write_is_an_error_run_not_a_command_line_error(tmp_path, monkeypatch,
                                                                         capsys):
    run_dir = tmp_path / "run"
    (run_dir / outputs.STEPS_FILE).mkdir(parents=True)  # the table cannot be written there
    line = refused_line(monkeypatch, capsys, "market=single_firm", *TINY,
                        f"hydra.run.dir={run_dir}", code=1)
    assert "invalid command line" not in line
    assert line.startswith(f"servsim: error: run in {run_dir} failed:")
    summary = outputs.read_summary(run_dir)
    assert summary["status"] == "error" and "Is a directory" in summary["error"]
    assert collect(run_dir)["status"].tolist() == ["error"]


# --------------------------------------------------------------------------- the job list


def test_an_interrupted_sweep_says_how_to_resume_and_counts_the_jobs_that_never_ran(tmp_path):
    sweep_dir = tmp_path / "sweep"
    args = ["-m", "market=single_firm", "seed=range(20)", "sim.n_customers=300",
            "sim.days=150", f"hydra.sweep.dir={sweep_dir}"]
    proc = popen_foreground([SERVSIM, *args], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env_without_hydra_full_error())
    progress = sweep_dir / sweep.STATE_DIR / sweep.PROGRESS_FILE
    try:
        wait_for(lambda: progress.is_file() and progress.read_text().count("\n") >= 1, 300,
                 "the first run to finish")
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == cli.EXIT_INTERRUPTED, err
    assert "Traceback" not in err
    last = error_lines(err)[-1]
    complete = int(last.split("interrupted: ")[1].split(" of ")[0])
    assert last == (f"servsim: interrupted: {complete} of 20 runs complete; run the same "
                    f"command with hydra.sweep.dir={sweep_dir} to resume")
    table = collect(sweep_dir).drop_duplicates("run")
    assert len(table) == 20 and list(table["job"]) == list(range(20))
    assert (table["status"] == "ok").sum() == complete
    assert (table["status"] == "missing").sum() == 20 - complete
    assert table.loc[table["status"] == "missing", "seed"].notna().all()
    strict = subprocess.run([str(BIN / "servsim-collect"), str(sweep_dir), "--strict"],
                            capture_output=True, text=True, timeout=300)
    assert strict.returncode == 1


def test_a_ctrl_c_test_child_gets_sigint_even_when_the_test_runner_ignores_it():
    # the lost Ctrl-C of a background `make test`: the child inherited SIGINT ignored
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        probe = [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT))"]
        proc = popen_foreground(probe, stdout=subprocess.PIPE, text=True)
        out, _ = proc.communicate(timeout=60)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "default_int_handler" in out


def test_a_swallowed_ctrl_c_still_stops_the_sweep(tmp_path, monkeypatch, capsys):
    # a KeyboardInterrupt raised where something swallows it (a finaliser's "Exception
    # ignored in", a library's `except BaseException`) must not let the sweep go on
    real_run = cli.run
    calls = []

    def swallowing(cfg):
        calls.append(1)
        if len(calls) == 1:
            try:
                signal.raise_signal(signal.SIGINT)  # Ctrl-C during the first run ...
            except KeyboardInterrupt:
                pass  # ... and its KeyboardInterrupt eaten
        return real_run(cfg)

    monkeypatch.setattr(cli, "run", swallowing)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    sweep_dir = tmp_path / "sweep"
    try:
        with pytest.raises(SystemExit) as exit_info:
            main_in_process(monkeypatch, "-m", "market=single_firm", "seed=0,1,2", *TINY,
                            f"hydra.sweep.dir={sweep_dir}")
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    finally:
        signal.signal(signal.SIGINT, previous)
    assert exit_info.value.code == cli.EXIT_INTERRUPTED
    assert len(calls) == 1  # the second job never started
    err = capsys.readouterr().err
    assert "sweep finished" not in err
    assert error_lines(err)[-1] == (
        f"servsim: interrupted: 1 of 3 runs complete; run the same command with "
        f"hydra.sweep.dir={sweep_dir} to resume")


# --------------------------------------------------------------------------- user input


def refused_line(monkeypatch, capsys, *args: str, code: int = 2) -> str:
    """Run ``servsim ARGS`` in this process; it must exit ``code`` with one line on stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main_in_process(monkeypatch, *args)
    assert exit_info.value.code == code
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1, lines
    return lines[0]


def test_resolvers_in_overrides_are_refused(tmp_path, monkeypatch, capsys):
    run_dir = tmp_path / "run"
    line = refused_line(monkeypatch, capsys, "market=single_firm", *TINY,
                        "focal_name=${oc.env:HOME}", f"hydra.run.dir={run_dir}")
    assert "focal_name=${oc.env:HOME}" in line and conf.ALLOW_RESOLVERS_ENV in line
    assert not run_dir.exists()


def test_resolvers_are_resolved_when_explicitly_allowed(tmp_path, monkeypatch, capsys):
    run_dir = tmp_path / "run"
    monkeypatch.setenv(conf.ALLOW_RESOLVERS_ENV, "1")
    monkeypatch.setenv("SERVSIM_TEST_FIRM", "acme")
    main_in_process(monkeypatch, "market=single_firm", *TINY,
                    "focal_name=${oc.env:SERVSIM_TEST_FIRM}", f"hydra.run.dir={run_dir}")
    assert outputs.read_summary(run_dir)["focal"] == "acme"


def test_a_bad_interpolation_is_one_line_without_hydras_extra_line(tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.setenv(conf.ALLOW_RESOLVERS_ENV, "1")
    run_dir = tmp_path / "run"
    line = refused_line(monkeypatch, capsys, "market=single_firm", *TINY,
                        "focal_name=${nosuch.key}", f"hydra.run.dir={run_dir}")
    assert "nosuch" in line and "Error executing job" not in line
    assert not run_dir.exists()


@pytest.mark.parametrize("text,refused", [
    ("strategy.price=${oc.env:PRICE}", True),
    ("focal_name=${oc.decode:'1'}", True),
    ("focal_name=${hydra:runtime.cwd}", True),
    ("focal_name=${sim.days}", True),
    ("hydra.run.dir=out/${now:%H-%M-%S}", False),
    ("hydra.run.dir=out/${now:${oc.env:X}}", True),
    (r"focal_name=\${literal}", False),
    ("strategy.price=1.2 market.network.kind=random", False),
])
def test_refuse_resolvers(text, refused):
    if refused:
        with pytest.raises(ParameterError, match="refused"):
            conf.refuse_resolvers(text)
    else:
        conf.refuse_resolvers(text)
    if refused:
        with pytest.raises(ParameterError):
            conf.refuse_resolvers(["seed=1", text])


def test_experiment_without_plus_gets_a_hint(monkeypatch, capsys):
    assert "+experiment=" in refused_line(monkeypatch, capsys, "experiment=positioning_quick")


def test_a_range_error_leaves_no_run_directory_but_keeps_an_earlier_run(finished_sweep,
                                                                         tmp_path, monkeypatch,
                                                                         capsys):
    import shutil

    fresh = tmp_path / "fresh"
    with pytest.raises(SystemExit):
        main_in_process(monkeypatch, "sim.n_customers=-5", f"hydra.run.dir={fresh}")
    assert not fresh.exists()
    kept = tmp_path / "kept"
    shutil.copytree(finished_sweep / "0", kept)
    with pytest.raises(SystemExit):
        main_in_process(monkeypatch, "sim.n_customers=-5", f"hydra.run.dir={kept}")
    assert (kept / outputs.STEPS_FILE).is_file() and outputs.is_complete(kept)
    capsys.readouterr()


def test_collect_steps_never_fails_on_a_damaged_run(finished_sweep, tmp_path):
    import shutil

    sweep_dir = tmp_path / "sweep"
    shutil.copytree(finished_sweep, sweep_dir)
    (sweep_dir / "2" / outputs.STEPS_FILE).write_bytes(b"PAR1 not a parquet file")
    out = tmp_path / "steps.parquet"
    proc = subprocess.run([str(BIN / "servsim-collect"), str(sweep_dir), "--steps", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "2 ok, 1 damaged" in proc.stdout or "1 damaged, 2 ok" in proc.stdout
    assert sorted(pd.read_parquet(out)["run"].unique()) == ["0", "1"]
    assert json.loads((sweep_dir / "2" / outputs.SUMMARY_FILE).read_text())["status"] == "ok"
