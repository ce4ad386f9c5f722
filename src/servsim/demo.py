"""``servsim-demo``: serve the classroom dashboard (:mod:`servsim.app`) on this machine.

Runs ``solara run servsim.app.page --host 127.0.0.1 --port PORT --production``
and prints the address to open.  Everything the page needs is installed
locally (``pip install 'servsim[dashboard]'``: solara-assets and the Vue 2
widget pins), so it works without a network; Solara's usage telemetry is
switched off.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

APP = "servsim.app.page"
"""The Solara page served (a module: :func:`servsim.app.page.Page`)."""
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def command(port: int = DEFAULT_PORT, host: str = DEFAULT_HOST, open_browser: bool = True
            ) -> list[str]:
    """The ``solara run`` command line that serves the dashboard."""
    solara = Path(sys.executable).with_name("solara")
    exe = str(solara) if solara.exists() else shutil.which("solara")
    head = [exe] if exe else [sys.executable, "-m", "solara"]
    cmd = [*head, "run", APP, "--host", host, "--port", str(port), "--production"]
    return cmd if open_browser else [*cmd, "--no-open"]


def server_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the server: no telemetry, nothing fetched from the network."""
    env = dict(os.environ if base is None else base)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    return env


def main(argv: list[str] | None = None) -> int:
    """Console entry point: start the server and print its URL; Ctrl-C stops it."""
    parser = argparse.ArgumentParser(
        prog="servsim-demo",
        description="Serve servsim's classroom dashboard (offline) in this machine's browser.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to serve on (default {DEFAULT_PORT})")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to bind (default {DEFAULT_HOST}: this machine only)")
    parser.add_argument("--no-open", dest="open_browser", action="store_false",
                        help="do not open a browser tab when the server is ready")
    args = parser.parse_args(argv)
    cmd = command(args.port, args.host, args.open_browser)
    print(f"servsim-demo: the classroom dashboard is at http://{args.host}:{args.port}/ "
          "(Ctrl-C to stop)", flush=True)
    try:
        return subprocess.call(cmd, env=server_env())
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
