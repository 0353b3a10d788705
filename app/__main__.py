"""`python -m app [--server URL] [--data DIR] [--port P] [--web]`: the UI.

With no `--server` it starts the bundled server (demo data, a SQLite file and a photo
folder inside the data folder) on a free loopback port, so a newcomer sees a living
marketplace at once. Serves the web UI when there is no display, or with `--web`."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import threading
import time
from pathlib import Path

import flet as ft
import httpx
import platformdirs

from app.views.app import make_main
from app.views.signin import DemoAccounts

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_bundled_server(data_dir: Path) -> tuple[str, DemoAccounts]:
    """The demo server in a background thread; its URL once it answers, and its sign-ins."""
    import uvicorn  # the server's dependencies: only the demo needs them on a device

    from server_stub import demo
    from server_stub.__main__ import build

    server_dir = data_dir / "server"
    server_dir.mkdir(parents=True, exist_ok=True)
    app = build(f"sqlite:///{server_dir / 'marketplace.db'}", server_dir / "blobs")
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)  # open event streams get 5 s to end at a stop
    threading.Thread(target=server.run, daemon=True, name="bundled-server").start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return url, DemoAccounts(dict(demo.DEMO_ACCOUNTS), demo.DEMO_PASSWORD)
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise SystemExit("The bundled server did not start.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--server", help="marketplace server URL (default: a bundled demo)")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(platformdirs.user_data_dir("repairs-marketplace", appauthor=False)),
        help="folder for this device's data",
    )
    parser.add_argument("--port", type=int, default=8550, help="web UI port")
    parser.add_argument("--host", default="127.0.0.1", help="web UI address to listen on")
    parser.add_argument("--web", action="store_true", help="serve the web UI, not a window")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    data = args.data.expanduser().resolve()
    data.mkdir(parents=True, exist_ok=True)
    if args.server:
        server_url, demo = args.server, None
    else:
        server_url, demo = start_bundled_server(data)
    web = args.web or not os.environ.get("DISPLAY")
    if web:
        os.environ["FLET_FORCE_WEB_SERVER"] = "1"  # serve only: do not try to open a window
        print(f"Repairs Marketplace: open http://{args.host}:{args.port} in a browser.")
        print(f"  server {server_url}{' (bundled demo)' if demo else ''}, data in {data}")
        print("  Press Ctrl+C to stop.", flush=True)
    ft.run(
        make_main(data, server_url, demo),
        view=ft.AppView.WEB_BROWSER if web else ft.AppView.FLET_APP,
        host=args.host,
        port=args.port,
        assets_dir=str(ASSETS),
        no_cdn=True,
    )


if __name__ == "__main__":
    main()
