"""`python -m app`: the UI. With no `--server` it starts the bundled server on a free
loopback port with demo data, so a newcomer sees a living marketplace at once. Serves
the web UI when there is no display."""

from __future__ import annotations

import argparse
import os
import socket
import threading
import time
from pathlib import Path

import flet as ft
import httpx
import platformdirs
import uvicorn

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_bundled_server(data_dir: Path) -> str:
    from server_stub.__main__ import build

    server_dir = data_dir / "server"
    server_dir.mkdir(parents=True, exist_ok=True)
    app = build(f"sqlite:///{server_dir / 'marketplace.db'}", server_dir / "blobs")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True, name="bundled-server").start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/v1/health", timeout=1)
            return url
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit("The bundled server did not start.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--server", help="marketplace server URL (default: bundled demo)")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(platformdirs.user_data_dir("repairs-marketplace", appauthor=False)),
    )
    parser.add_argument("--port", type=int, default=8550, help="web UI port")
    parser.add_argument("--web", action="store_true", help="serve the web UI")
    args = parser.parse_args(argv)

    from app.views.app import make_main

    args.data.mkdir(parents=True, exist_ok=True)
    demo = args.server is None
    server_url = args.server or start_bundled_server(args.data)
    web = args.web or not os.environ.get("DISPLAY")
    if web:
        os.environ["FLET_FORCE_WEB_SERVER"] = "1"
        print(
            f"Repairs Marketplace is running: open http://127.0.0.1:{args.port} "
            f"in your browser. (Server {server_url}, data in {args.data})",
            flush=True,
        )
    ft.run(
        make_main(args.data, server_url, demo),
        view=ft.AppView.WEB_BROWSER if web else ft.AppView.FLET_APP,
        port=args.port,
        assets_dir=str(ASSETS),
        no_cdn=True,
    )


if __name__ == "__main__":
    main()
