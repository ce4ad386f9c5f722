"""Helpers shared by the test modules: run the ``servsim`` script, hash a file, find a free port.

``tests`` is a package and pytest's ``pythonpath = ["."]`` (pyproject) puts the
repository root on ``sys.path``, so test modules import these as
``from tests.conftest import servsim, digest, free_port`` (the same module object
pytest loaded as this directory's conftest) and the benchmarks as
``from benchmarks import fingerprint``.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The repository's root (the checkout under test)."""

SERVSIM = Path(sys.executable).parent / "servsim"
"""The ``servsim`` console script of the Python running the tests."""


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without ``HYDRA_FULL_ERROR`` (tests read servsim's one-line
    errors, which that variable would turn into tracebacks), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    env.update(extra)
    return env


def servsim(*args: str, cwd: Path, exe: str | Path = SERVSIM, env: dict[str, str] | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the ``servsim`` script ``exe`` with ``args`` in ``cwd``; output captured as text.

    ``env`` defaults to :func:`clean_env`.  ``timeout`` (seconds) only stops a hung run.
    """
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=clean_env() if env is None else env)


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes (to compare outputs of two runs byte for byte)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bound, read and released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
