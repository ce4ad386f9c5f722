"""``servsim-demo``: serve the classroom dashboard (:mod:`servsim.app`) on this machine.

Runs ``solara run servsim.app.page --host 127.0.0.1 --port PORT --production``
and prints the address to open.  Everything the page needs is installed
locally (``pip install 'servsim[dashboard]'``: solara-assets and the Vue 2
widget pins), so it works without a network; Solara's usage telemetry is
switched off.

Solara's Vega-Lite widget asks its asset server for ``vega@5``,
``vega-lite@5`` and ``vega-embed@6``, while solara-assets 1.58.2 ships them
as ``vega@5.21.0``, ``vega-lite@5.2.0`` and ``vega-embed@6.20.2``; offline,
the short names would be fetched from a CDN and fail.  :func:`asset_dir`
makes a directory of links to the shipped assets plus those short names, and
the server is pointed at it (``SOLARA_ASSETS_PROXY_CACHE_DIR``).

The server runs as a child process; SIGTERM and SIGINT (Ctrl-C) alike stop it
(:func:`serve`), so no server is left holding the port.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

APP = "servsim.app.page"
"""The Solara page served (a module: :func:`servsim.app.page.Page`)."""
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
STOP_TIMEOUT_S = 15
"""How long the server may take to stop after SIGTERM before it is killed."""


def command(port: int = DEFAULT_PORT, host: str = DEFAULT_HOST, open_browser: bool = True
            ) -> list[str]:
    """Return the ``solara run`` command line that serves the dashboard."""
    solara = Path(sys.executable).with_name("solara")
    exe = str(solara) if solara.exists() else shutil.which("solara")
    head = [exe] if exe else [sys.executable, "-m", "solara"]
    cmd = [*head, "run", APP, "--host", host, "--port", str(port), "--production"]
    return cmd if open_browser else [*cmd, "--no-open"]


def shipped_assets() -> Path:
    """Return the directory where solara-assets installed its files."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def asset_dir(target: Path | None = None, shipped: Path | None = None) -> Path | None:
    """Link the shipped Solara assets into ``target``, adding major-version names.

    Every ``pkg@X.Y.Z`` of ``shipped`` is linked under its own name and as
    ``pkg@X`` (unless ``pkg@X`` is shipped itself), so a request for
    ``vega@5/build/vega.min.js`` finds ``vega@5.21.0``'s file.  Returns
    ``target``, or None when no assets are installed.
    """
    shipped = shipped or shipped_assets()
    if not shipped.is_dir():
        return None
    target = target or Path.home() / ".cache" / "servsim" / "solara-cdn"
    target.mkdir(parents=True, exist_ok=True)
    links: dict[str, Path] = {}
    for entry in sorted(shipped.iterdir()):
        links[entry.name] = entry
        match = re.fullmatch(r"(.+@\d+)\.\d+\.\d+", entry.name)
        if match:
            links.setdefault(match.group(1), entry)
    for name, source in links.items():
        link = target / name
        if link.is_symlink() and link.resolve() == source.resolve():
            continue
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.exists():
            continue  # a real directory someone made: leave it
        link.symlink_to(source, target_is_directory=source.is_dir())
    return target


def server_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the server: no telemetry, assets from this machine only."""
    env = dict(os.environ if base is None else base)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    if "SOLARA_ASSETS_PROXY_CACHE_DIR" not in env:
        assets = asset_dir()
        if assets is not None:
            env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(assets)
    return env


class _Stop(Exception):
    """Raised in the main thread by the SIGTERM / SIGINT handler."""


def _raise_stop(signum, frame) -> None:
    raise _Stop(signum)


def _stop_child(child: subprocess.Popen) -> None:
    """Stop the server: SIGTERM, then SIGKILL if it has not exited in time."""
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def serve(cmd: list[str], env: dict[str, str]) -> int:
    """Run ``cmd`` as a child until it exits; SIGTERM or SIGINT stops it, then returns 0."""
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    child = None
    try:
        child = subprocess.Popen(cmd, env=env)
        return child.wait()
    except (_Stop, KeyboardInterrupt):
        return 0
    finally:
        try:
            if child is not None:
                _stop_child(child)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: start the server and print its URL; Ctrl-C or SIGTERM stops it."""
    parser = argparse.ArgumentParser(
        prog="servsim-demo",
        description="Serve servsim's classroom dashboard (offline) in this machine's browser.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to serve on (default {DEFAULT_PORT})")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to bind (default {DEFAULT_HOST}: this machine only; "
                             "0.0.0.0 lets anyone on the network use the page)")
    parser.add_argument("--no-open", dest="open_browser", action="store_false",
                        help="do not open a browser tab when the server is ready")
    args = parser.parse_args(argv)
    cmd = command(args.port, args.host, args.open_browser)
    print(f"servsim-demo: the classroom dashboard is at http://{args.host}:{args.port}/ "
          "(Ctrl-C to stop)", flush=True)
    return serve(cmd, server_env())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
