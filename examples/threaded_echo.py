"""The article's second baseline: an echo server with one OS thread per connection.

Serves many clients at once, paying a thread (stack, scheduler time, GIL
hand-offs) per connection; compare it with the single-threaded
``examples/echo.py``. Plain ``socket`` + ``threading``, no jsloop.

    python examples/threaded_echo.py --host 127.0.0.1 --port 0
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
from types import FrameType


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Echo server with a thread per connection.")
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
                if n == 0:
                    return
                conn.sendall(view[:n])
            except OSError:
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
        print(f"threaded echo listening on {host}:{port}", flush=True)
        try:
            while True:
                conn, _addr = server.accept()
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                # Daemon threads: Ctrl-C ends the process without waiting for clients.
                threading.Thread(target=serve_client, args=(conn,), daemon=True).start()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
