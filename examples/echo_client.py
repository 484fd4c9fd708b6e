"""An echo client: many concurrent connections that send data and check it comes back.

Talks to any of the echo servers (``echo.py``, ``blocking_echo.py``,
``threaded_echo.py``). It deliberately does not use jsloop — a plain
``selectors`` loop — so it measures the server, not itself, and the tests can
use it as an independent witness: every connection first connects (all of them
are open at the same time), then sends ``--bytes`` random bytes in
``--chunk``-sized writes while reading, checks every byte came back in order,
and only then are all the connections closed.

    python examples/echo_client.py --port 7000 --clients 100 --bytes 100000
"""

from __future__ import annotations

import argparse
import errno
import os
import selectors
import socket
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    """What a run achieved."""

    clients: int
    bytes_each: int
    ok: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


class _Client:
    __slots__ = ("expected", "received", "sent", "sock")

    def __init__(self, sock: socket.socket, payload: bytes) -> None:
        self.sock = sock
        self.expected = payload
        self.sent = 0
        self.received = bytearray()


def _connect_all(
    sel: selectors.BaseSelector, host: str, port: int, n: int, deadline: float,
    max_inflight: int = 256,
) -> list[socket.socket]:
    """Open ``n`` connections, at most ``max_inflight`` handshakes at a time."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    done: list[socket.socket] = []
    pending = 0
    started = 0
    while len(done) < n:
        while started < n and pending < max_inflight:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setblocking(False)
            err = sock.connect_ex((host, port))
            if err not in (0, errno.EINPROGRESS):
                sock.close()
                raise ConnectionError(err, os.strerror(err))
            sel.register(sock, selectors.EVENT_WRITE)
            started += 1
            pending += 1
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            raise TimeoutError(f"connected {len(done)} of {n} before the deadline")
        for key, _ev in sel.select(min(timeout, 1.0)):
            sock = key.fileobj  # type: ignore[assignment]
            assert isinstance(sock, socket.socket)
            sel.unregister(sock)
            pending -= 1
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                sock.close()
                raise ConnectionError(err, os.strerror(err))
            done.append(sock)
    return done


def run_clients(
    host: str, port: int, clients: int = 10, nbytes: int = 10000, chunk: int = 4096,
    timeout: float = 60.0, seed: int | None = None,
) -> Result:
    """Connect ``clients`` sockets, echo ``nbytes`` through each, verify, close."""
    result = Result(clients=clients, bytes_each=nbytes)
    start = time.monotonic()
    deadline = start + timeout
    rng = os.urandom if seed is None else _seeded(seed)
    sel = selectors.DefaultSelector()
    socks: list[socket.socket] = []
    try:
        socks = _connect_all(sel, host, port, clients, deadline)
        active: dict[int, _Client] = {}
        for sock in socks:
            c = _Client(sock, rng(nbytes))
            active[sock.fileno()] = c
            sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
        buf = bytearray(65536)
        while active:
            timeout_left = deadline - time.monotonic()
            if timeout_left <= 0:
                raise TimeoutError(f"{len(active)} clients unfinished at the deadline")
            for key, ev in sel.select(min(timeout_left, 1.0)):
                c = key.data
                if ev & selectors.EVENT_WRITE and c.sent < nbytes:
                    try:
                        c.sent += c.sock.send(c.expected[c.sent:c.sent + chunk])
                    except BlockingIOError:
                        pass
                    if c.sent >= nbytes:
                        sel.modify(c.sock, selectors.EVENT_READ, c)
                if ev & selectors.EVENT_READ:
                    try:
                        n = c.sock.recv_into(buf)
                    except BlockingIOError:
                        continue
                    except OSError as exc:
                        n = 0
                        result.errors.append(repr(exc))
                    if n == 0:
                        result.failed += 1
                        result.errors.append(f"early EOF after {len(c.received)} bytes")
                        sel.unregister(c.sock)
                        del active[c.sock.fileno()]
                        continue
                    c.received += buf[:n]
                    if len(c.received) >= nbytes:
                        if c.received == c.expected:
                            result.ok += 1
                        else:
                            result.failed += 1
                            result.errors.append("echoed data differs")
                        sel.unregister(c.sock)
                        del active[c.sock.fileno()]
        if nbytes == 0:
            result.ok = clients
    finally:
        for sock in socks:
            sock.close()
        sel.close()
        result.seconds = time.monotonic() - start
    return result


def _seeded(seed: int):  # type: ignore[no-untyped-def]
    import random

    r = random.Random(seed)
    return lambda n: r.randbytes(n)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Echo client: concurrent connections, verified.")
    parser.add_argument("--host", default="127.0.0.1", help="server address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7000, help="server port (default 7000)")
    parser.add_argument("--clients", type=int, default=10, help="concurrent connections")
    parser.add_argument("--bytes", type=int, default=10000, help="bytes echoed per connection")
    parser.add_argument("--chunk", type=int, default=4096, help="bytes per send() call")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up after this many s")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    res = run_clients(args.host, args.port, args.clients, args.bytes, args.chunk, args.timeout)
    total = res.clients * res.bytes_each
    rate = total / res.seconds / 1e6 if res.seconds else 0.0
    print(f"{res.ok}/{res.clients} clients ok, {res.failed} failed, "
          f"{total} bytes each way in {res.seconds:.3f}s ({rate:.1f} MB/s)")
    for err in res.errors[:5]:
        print("  error:", err)
    return 0 if res.ok == res.clients else 1


if __name__ == "__main__":
    sys.exit(main())
