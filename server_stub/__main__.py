"""`python -m server_stub --db URL --blobs DIR --host H --port P`: the server alone."""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from server_stub import db, demo
from server_stub.app import create_app


def build(db_url: str, blobs: Path, with_demo: bool = True):
    engine = db.create_engine(db_url)
    if with_demo:
        demo.seed(engine)
    return create_app(engine, blobs, demo=with_demo)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m server_stub", description=__doc__)
    parser.add_argument("--db", default="sqlite:///marketplace.db", help="SQLAlchemy URL")
    parser.add_argument("--blobs", default="blobs", type=Path, help="folder for photos")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=8765, type=int)
    parser.add_argument("--no-demo", action="store_true", help="start empty, without demo data")
    args = parser.parse_args(argv)
    app = build(args.db, args.blobs, with_demo=not args.no_demo)
    # Open event streams would hold a graceful stop forever: give them 5 seconds.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5
    )


if __name__ == "__main__":
    main()
