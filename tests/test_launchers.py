"""The Ray and submitit launcher presets, end to end, against sequential sweeps.

Ray cannot live in the main venv (``hydra-ray-launcher`` pins ``cloudpickle<3``,
which pulls joblib back to 1.5.x), so ``make test`` builds a second venv,
``.venv-ray`` (``pip install -e ".[test,ray,cluster]"``), and these tests drive
its ``servsim`` and ``ray`` executables by path, in subprocesses:

- a real Ray head on 127.0.0.1 (``ray start --head ... --block``, one process,
  its own temp dir, HOME and auth token), a ``hydra/launcher=ray_cluster`` sweep
  against it, outputs byte-identical to the same sweep run sequentially, and the
  head stopped in a finalizer with no process left behind;
- a ``hydra/launcher=submitit`` (submitit's local executor) sweep, likewise;
- every launcher preset composes with its plugin installed.

They skip, saying why, only when that venv is absent (``SERVSIM_RAY_VENV`` names
it; ``make test RAY_VENV=`` does not build it).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from servsim import outputs
from tests.conftest import ROOT, clean_env, digest, free_port
from tests.conftest import servsim as run_servsim

_VENV_SETTING = os.environ.get("SERVSIM_RAY_VENV")
RAY_VENV = (ROOT / (_VENV_SETTING or ".venv-ray")).resolve()
RAY_BIN = RAY_VENV / "bin"
SERVSIM = RAY_BIN / "servsim"
RAY = RAY_BIN / "ray"

TINY = ["sim.n_customers=300", "sim.days=20"]
SWEEP = ["market=single_firm", "strategy=premium,lowcost,differentiated", *TINY]
JOBS = ("0", "1", "2")


def _venv_missing() -> str | None:
    if _VENV_SETTING == "":
        return "the Ray venv is disabled (make test RAY_VENV=)"
    if not (RAY_VENV / ".installed-stamp").is_file():
        return (f"{RAY_VENV} is absent (or its install did not finish): build it with "
                "`make ray-venv` (make test does) to run the Ray/submitit launcher tests")
    for exe in (SERVSIM, RAY, RAY_BIN / "python"):
        if not exe.is_file():
            return f"{exe} is missing: rebuild {RAY_VENV} (rm -r it; make ray-venv)"
    return None


pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bool(_venv_missing()), reason=_venv_missing() or "")]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in clean_env().items() if not k.startswith("RAY_")}
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    env.update(extra)
    return env


def servsim(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 240) -> subprocess.CompletedProcess:
    return run_servsim(*args, cwd=cwd, exe=SERVSIM, env=env or _env(), timeout=timeout)


def summary(run_dir: Path) -> dict:
    data = json.loads((run_dir / outputs.SUMMARY_FILE).read_text())
    data.pop("elapsed_seconds")  # wall time: the one field that differs between runs
    return data


def assert_same_runs(reference: Path, other: Path) -> None:
    """Every job of ``other`` is complete and byte-identical to the reference's."""
    assert sorted(p.name for p in other.iterdir() if p.name.isdigit()) == list(JOBS)
    for job in JOBS:
        a, b = reference / job, other / job
        assert summary(b)["status"] == "ok", b
        for name in (outputs.STEPS_FILE, outputs.CONFIG_FILE):
            assert digest(a / name) == digest(b / name), (job, name)
        assert summary(a) == summary(b), job
        assert (b / outputs.FIGURE_FILE).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    progress = (other / ".servsim" / "progress").read_text().splitlines()
    assert sorted(json.loads(line)["status"] for line in progress) == ["ok"] * len(JOBS)


@pytest.fixture(scope="module")
def sequential(tmp_path_factory) -> Path:
    """The reference: the same sweep with Hydra's basic (sequential) launcher, same venv."""
    root = tmp_path_factory.mktemp("sequential")
    sweep_dir = root / "sweep"
    proc = servsim("-m", *SWEEP, f"hydra.sweep.dir={sweep_dir}", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return sweep_dir


# --------------------------------------------------------------------------- Ray


def _processes_mentioning(text: str) -> list[str]:
    ps = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True)
    return [line for line in ps.stdout.splitlines() if text in line]


class RayHead:
    """A Ray head on 127.0.0.1, one ``ray start --block`` process (stopped by signalling it)."""

    def __init__(self) -> None:
        # Ray's Unix sockets need a short absolute path: not under pytest's tmp_path
        self.dir = Path(tempfile.mkdtemp(prefix="servsim-ray-", dir="/tmp"))
        (self.dir / "home").mkdir()
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        # Ray 2.60 token auth: the head and its clients share the token (and a HOME)
        self.env = _env(HOME=str(self.dir / "home"), RAY_AUTH_MODE="token",
                        RAY_AUTH_TOKEN=secrets.token_hex(16))
        self.log = self.dir / "head.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> None:
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [str(RAY), "start", "--head", "--node-ip-address=127.0.0.1",
                 f"--port={self.port}", "--num-cpus=2", "--include-dashboard=false",
                 "--disable-usage-stats", f"--temp-dir={self.dir / 'ray'}",
                 "--object-store-memory=200000000", "--block"],
                cwd=self.dir, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            if "Ray runtime started" in text:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"ray start exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.5)
        raise RuntimeError(f"Ray head not up in {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> list[str]:
        """Stop the head (SIGTERM to the one process); return any process left behind."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        # Ray's own processes (gcs_server, raylet, workers...) name the temp dir
        deadline = time.monotonic() + 30
        left = _processes_mentioning(str(self.dir))
        while left and time.monotonic() < deadline:
            time.sleep(0.5)
            left = _processes_mentioning(str(self.dir))
        for line in left:  # do not leak them into the rest of the suite
            try:
                os.kill(int(line.split()[0]), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
        return left


@pytest.fixture(scope="module")
def ray_head():
    head = RayHead()
    try:
        head.start()
        yield head
    finally:
        left = head.stop()  # also when start() failed
    assert head.proc is not None and head.proc.returncode is not None
    assert not left, f"processes left after stopping the Ray head: {left}"


@pytest.mark.timeout(600)
def test_ray_cluster_sweep_is_identical_to_sequential(ray_head, sequential, tmp_path):
    # started from another directory than the head's, with the default sweep dir:
    # the preset's absolute default makes the workers write under this directory
    proc = servsim("-m", "hydra/launcher=ray_cluster",
                   f"hydra.launcher.ray.init.address={ray_head.address}", *SWEEP,
                   cwd=tmp_path, env=ray_head.env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Ray Launcher is launching 3 jobs" in proc.stdout
    assert "'object_store_memory': None" in proc.stdout  # the preset's fix is in effect
    assert "Connecting to existing Ray cluster" in proc.stderr
    assert "sweep finished (3 ok)" in proc.stderr
    sweeps = sorted((tmp_path / "results" / "sweeps").glob("*/*"))
    assert len(sweeps) == 1, sweeps
    assert_same_runs(sequential, sweeps[0])
    assert not (ray_head.dir / "results").exists()  # nothing landed in the head's cwd


def test_ray_cluster_refuses_a_relative_sweep_dir(ray_head, tmp_path):
    proc = servsim("-m", "hydra/launcher=ray_cluster",
                   f"hydra.launcher.ray.init.address={ray_head.address}", *SWEEP,
                   "hydra.sweep.dir=relative/sweep", cwd=tmp_path, env=ray_head.env)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("servsim: error: hydra.sweep.dir=relative")
    assert str(tmp_path / "relative" / "sweep") in lines[0]
    assert not (tmp_path / "relative").exists()


# --------------------------------------------------------------------------- submitit


@pytest.mark.timeout(600)
def test_submitit_local_sweep_is_identical_to_sequential(sequential, tmp_path):
    sweep_dir = tmp_path / "submitit"
    proc = servsim("-m", "hydra/launcher=submitit", "hydra.sweeper.max_batch_size=2", *SWEEP,
                   f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Submitit 'local' sweep output dir" in proc.stdout
    assert "sweep finished (3 ok)" in proc.stderr
    assert (sweep_dir / ".submitit").is_dir()  # the jobs' own logs
    assert_same_runs(sequential, sweep_dir)


# --------------------------------------------------------------------------- presets

COMPOSE = """
import json, sys
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf
from servsim import conf
conf.register_configs()
out = {}
with initialize_config_dir(config_dir=str(conf.CONFIG_DIR), version_base="1.3"):
    for launcher in sys.argv[1:]:
        cfg = compose(conf.CONFIG_NAME, overrides=[f"hydra/launcher={launcher}"],
                      return_hydra_config=True)
        out[launcher] = OmegaConf.to_container(cfg.hydra.launcher, resolve=False)
print(json.dumps(out))
"""


def test_every_launcher_preset_composes_with_its_plugin():
    # (parallel, the joblib preset, is checked in the main venv: tests/test_configs.py)
    launchers = ["submitit", "slurm", "ray_local", "ray_cluster"]
    proc = subprocess.run([str(RAY_BIN / "python"), "-c", COMPOSE, *launchers],
                          capture_output=True, text=True, timeout=120, env=_env())
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got["submitit"]["_target_"].endswith("LocalLauncher")
    assert got["submitit"]["timeout_min"] == 60
    assert got["slurm"]["_target_"].endswith("SlurmLauncher")
    assert got["slurm"]["array_parallelism"] == 64
    assert got["ray_local"]["ray"]["init"]["address"] is None
    assert got["ray_local"]["ray"]["init"]["num_cpus"] == 2
    assert got["ray_cluster"]["ray"]["init"] == {"address": "auto",
                                                 "object_store_memory": None}
    assert got["ray_cluster"]["ray"]["remote"] == {"num_cpus": 1}
