"""A single-threaded echo server on jsloop's epoll loop: Node's ``net`` in Python.

    python examples/echo.py --host 127.0.0.1 --port 0

Prints ``echo server listening on HOST:PORT`` (the real port when ``--port 0``)
once it accepts, echoes every byte back, and on SIGINT/SIGTERM stops
accepting, ends every open connection (FIN), destroys those whose peer has not
closed its side after a grace period (``GRACE_MS``) and exits 0 when the loop
drains — the way a Node server shuts down::

    const server = net.createServer((c) => c.pipe(c));
    process.on('SIGINT', () => {
      server.close();
      for (const c of connections) c.end();
      setTimeout(() => { for (const c of connections) c.destroy(); }, 500).unref();
    });

Backpressure as in ``stream.pipe``: when ``write`` returns False the socket is
paused until ``'drain'``, so a client that does not read cannot make the
server buffer more than the 16 KiB high-water mark per connection.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import jsloop
from jsloop import net, process

GRACE_MS = 500  # after end(), how long a peer gets to close its side before destroy()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Single-threaded epoll echo server (jsloop net). Stops on SIGINT/SIGTERM."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7000, help="port to bind; 0 picks a free one")
    parser.add_argument("--backlog", type=int, default=511, help="listen backlog (default 511)")
    return parser.parse_args(argv)


# Per connection: one slotted listener object and one shared function, no
# closures. A closure costs about 240 B, a slotted callable 40 B; with 10,000
# idle connections such bytes are what the server's memory is made of.


class EchoData:
    """The ``'data'`` listener: echo, and pause while the peer is slow to read.

    As ``stream.pipe`` does, the ``'drain'`` listener is added only when a write
    is refused, so a connection that never backs up never carries one.
    """

    __slots__ = ("conn",)

    def __init__(self, conn: net.Socket) -> None:
        self.conn = conn

    def __call__(self, chunk: bytes) -> None:
        conn = self.conn
        if not conn.write(chunk):
            conn.pause()
            conn.once("drain", conn.resume)


class Connections:
    """The open connections, for shutdown: a plain list swept of closed sockets
    whenever it has doubled since the last sweep.

    8 bytes per connection (amortised); a ``weakref.WeakSet`` costs ~110 B (a
    weak reference with its callback plus a set slot), a 'close' listener per
    connection ~60 B. Closed sockets wait for the next sweep: at most as many as
    were open after the previous one.
    """

    __slots__ = ("items", "limit")

    def __init__(self) -> None:
        self.items: list[net.Socket] = []
        self.limit = 64

    def add(self, conn: net.Socket) -> None:
        items = self.items
        items.append(conn)
        if len(items) > self.limit:
            items[:] = [c for c in items if not c.destroyed]
            self.limit = max(64, 2 * len(items))

    def open(self) -> list[net.Socket]:
        return [c for c in self.items if not c.destroyed]


def ignore_error(err: BaseException) -> None:
    """A reset peer only closes its own connection ('close' follows)."""


def on_connection(conn: net.Socket) -> None:
    """Echo with backpressure: pause reading while the peer is slow to read."""
    conn.on("data", EchoData(conn))
    conn.on("error", ignore_error)


def main(host: str, port: int, backlog: int) -> None:
    connections = Connections()  # for shutdown
    server = net.createServer(noDelay=True)

    def track(conn: net.Socket) -> None:
        connections.add(conn)
        on_connection(conn)

    def listening() -> None:
        addr: Any = server.address()
        print(f"echo server listening on {addr.address}:{addr.port}", flush=True)

    def shutdown(signame: str) -> None:
        print(f"{signame}: closing", flush=True)
        server.close()
        for conn in connections.open():
            conn.end()
        # An idle peer may never send its FIN: destroy what is still open after the
        # grace period. Unref'd, so a shutdown that finishes sooner is not held up.
        jsloop.setTimeout(destroy_all, GRACE_MS).unref()
        # Handled once: a second Ctrl-C while connections linger kills at once.
        process.removeAllListeners("SIGINT")
        process.removeAllListeners("SIGTERM")

    def destroy_all() -> None:
        for conn in connections.open():
            conn.destroy()

    def on_error(err: BaseException) -> None:
        raise err  # e.g. EADDRINUSE: end the run with the error, exit code 1

    server.on("connection", track)
    server.on("error", on_error)
    process.on("SIGINT", shutdown)
    process.on("SIGTERM", shutdown)
    server.listen(port, host, backlog, listening)


if __name__ == "__main__":
    args = parse_args()
    jsloop.run(main, args.host, args.port, args.backlog)
    sys.exit(0)
