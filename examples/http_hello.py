"""Node's hello-world HTTP server on jsloop::

    python examples/http_hello.py --host 127.0.0.1 --port 0

Answers every request ``200`` with ``Hello, World!\\n`` (``Content-Type:
text/plain``, ``Content-Length``, keep-alive) and prints ``http server
listening on HOST:PORT`` (the real port with ``--port 0``). The JavaScript it
mirrors::

    const server = http.createServer((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end('Hello, World!\\n');
    });
    server.listen(port, host);

Graceful shutdown on SIGINT/SIGTERM: stop accepting (``server.close``), close
idle keep-alive connections at once (``closeIdleConnections``), let in-flight
requests finish (their responses say ``Connection: close``), then exit 0 when
the loop drains. Connections still open after 1.5 s are cut
(``closeAllConnections``), so the process is gone within 2 s.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import jsloop
from jsloop import http, process

GRACE_MS = 1500


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Hello-world HTTP server (jsloop.http).")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind; 0 picks a free one")
    return parser.parse_args(argv)


BODY = b"Hello, World!\n"


def main(host: str, port: int) -> None:
    closing = [False]

    def handler(req: Any, res: Any) -> None:
        res.setHeader("Content-Type", "text/plain")
        if closing[0]:
            res.setHeader("Connection", "close")  # in flight during shutdown: last one
        res.end(BODY)

    server = http.createServer(handler)

    def listening() -> None:
        addr: Any = server.address()
        print(f"http server listening on {addr.address}:{addr.port}", flush=True)

    def shutdown(signame: str) -> None:
        print(f"{signame}: closing", flush=True)
        closing[0] = True
        server.close()  # stops accepting and closes idle keep-alive connections
        jsloop.setTimeout(server.closeAllConnections, GRACE_MS).unref()
        process.removeAllListeners("SIGINT")
        process.removeAllListeners("SIGTERM")

    def on_error(err: BaseException) -> None:
        raise err  # e.g. EADDRINUSE: exit 1 with the error

    server.on("error", on_error)
    process.on("SIGINT", shutdown)
    process.on("SIGTERM", shutdown)
    server.listen(port, host, listening)


if __name__ == "__main__":
    args = parse_args()
    jsloop.run(main, args.host, args.port)
    sys.exit(0)
