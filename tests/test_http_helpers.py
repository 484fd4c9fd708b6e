"""Helpers shared by the tests/test_http_*.py files (no tests here).

``ServerThread`` runs ``jsloop.run`` with an ``http.createServer(handler)`` in
a background thread so blocking clients (raw sockets, ``http.client``, httpx,
curl, node) can talk to it from the test thread. Synchronisation is by
``threading.Event`` and ``Loop.post`` (thread-safe), never by sleeping; every
wait has a timeout.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest

import jsloop
from jsloop import http
from jsloop._runtime import get_loop

NODE = shutil.which("node")
CURL = shutil.which("curl")
needs_node = pytest.mark.skipif(NODE is None, reason="node not installed")
needs_curl = pytest.mark.skipif(CURL is None, reason="curl not installed")


class ServerThread:
    """An ``http.Server`` on 127.0.0.1:0 served by jsloop in a thread."""

    def __init__(self, handler: Callable[..., Any] | None, options: dict[str, Any] | None = None,
                 setup: Callable[[Any], Any] | None = None, timeout: float = 30.0) -> None:
        self.handler = handler
        self.options = options
        self.setup = setup
        self.timeout = timeout
        self.port = 0
        self.server: Any = None
        self.loop: Any = None
        self.error: BaseException | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        if not self.ready.wait(10):
            raise AssertionError("server did not start")
        if self.error is not None:
            raise self.error
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _main(self) -> None:
        self.loop = get_loop()
        srv = http.createServer(self.options, self.handler) if self.options else \
            http.createServer(self.handler)
        self.server = srv
        if self.setup is not None:
            self.setup(srv)

        def listening() -> None:
            self.port = srv.address().port
            self.ready.set()

        def watchdog() -> None:
            raise AssertionError(f"server loop still running after {self.timeout}s")

        jsloop.setTimeout(watchdog, self.timeout * 1000).unref()
        srv.listen(0, "127.0.0.1", listening)

    def _run(self) -> None:
        try:
            jsloop.run(self._main)
        except BaseException as exc:  # surfaced by stop()
            self.error = exc
        finally:
            self.ready.set()

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the server's loop thread."""
        self.loop.post(fn, *args)

    def stop(self) -> None:
        if self.thread.is_alive() and self.loop is not None:
            def shut() -> None:
                self.server.close()
                self.server.closeAllConnections()

            try:
                self.loop.post(shut)
            except Exception:
                pass
            self.thread.join(10)
        if self.thread.is_alive():
            raise AssertionError("server thread did not stop")
        if self.error is not None:
            raise self.error

    def connect(self) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return s


def recv_all(s: socket.socket, limit: int = 1 << 24) -> bytes:
    """Read until the peer closes (each recv bounded by the socket timeout)."""
    chunks = []
    total = 0
    while total < limit:
        d = s.recv(65536)
        if not d:
            break
        chunks.append(d)
        total += len(d)
    return b"".join(chunks)


def read_response(f: Any) -> tuple[str, dict[str, str], bytes]:
    """Read one HTTP/1.1 response from a buffered socket file (``sock.makefile('rb')``):
    status line, lower-cased headers, body (Content-Length or chunked)."""
    status = f.readline().decode("latin-1").rstrip("\r\n")
    headers: dict[str, str] = {}
    while True:
        line = f.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    body = b""
    code = int(status.split()[1]) if status else 0
    if code in (204, 304) or 100 <= code < 200:
        return status, headers, body
    if "content-length" in headers:
        body = f.read(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        parts = []
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                while f.readline() not in (b"\r\n", b""):
                    pass
                break
            parts.append(f.read(size))
            f.readline()
        body = b"".join(parts)
    return status, headers, body


def hello(req: Any, res: Any) -> None:
    res.setHeader("Content-Type", "text/plain")
    res.end("Hello, World!\n")
