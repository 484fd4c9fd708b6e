"""Command line shared by the peer echo servers: --host, --port, and the 'listening on' line."""

from __future__ import annotations

import argparse


def parse_args(description: str, extra: bool = False) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    if extra:
        ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    return ap.parse_args()


def announce(host: str, port: int) -> None:
    print(f"listening on {host}:{port}", flush=True)
