"""The article's first baseline: a blocking echo server that serves one client at a time.

While one client is connected every other client waits in the listen backlog:
this is what the single-threaded epoll loop of ``examples/echo.py`` fixes
without threads. Plain ``socket`` calls, no jsloop.

    python examples/blocking_echo.py --host 127.0.0.1 --port 0
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from types import FrameType


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Blocking echo server: one client at a time.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7000, help="port to bind; 0 picks a free one")
    parser.add_argument("--backlog", type=int, default=511, help="listen backlog (default 511)")
    return parser.parse_args(argv)


def serve_client(conn: socket.socket) -> None:
    """Echo everything the client sends until it closes its side."""
    buf = bytearray(65536)
    view = memoryview(buf)
    with conn:
        while True:
            try:
                n = conn.recv_into(buf)
            except ConnectionError:
                return
            if n == 0:
                return
            try:
                conn.sendall(view[:n])
            except ConnectionError:
                return


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((args.host, args.port))
        server.listen(args.backlog)
        host, port = server.getsockname()[:2]
        print(f"blocking echo listening on {host}:{port}", flush=True)
        try:
            while True:
                conn, _addr = server.accept()
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                serve_client(conn)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
