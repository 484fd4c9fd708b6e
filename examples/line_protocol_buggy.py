"""A line-protocol server with a classic bug: it treats every ``'data'`` event as one line.

    python examples/line_protocol_buggy.py

The protocol: the client sends one command per line and waits for the reply
line before sending the next — ``PING`` → ``PONG``, ``ECHO <text>`` →
``<text>``, anything else → ``ERR unknown command``.

The bug: TCP delivers a byte stream, not messages. One ``write`` of
``"PING\\n"`` may arrive as ``"PI"`` and ``"NG\\n"`` (a segment boundary, a
slow peer, a full buffer), and the server then answers two errors. On
loopback, on an idle machine, it never does, so an ordinary test passes.
``tests/test_schedules_example.py`` finds it with ``jsloop.testing.schedules()``
and shrinks it to one decision; ``line_protocol_fixed.py`` is the fix.
"""

from __future__ import annotations

from line_protocol_fixed import demo, respond  # the protocol itself is not the bug

import jsloop
from jsloop import net


def create_server() -> net.Server:
    """The buggy server: one ``'data'`` event is assumed to be exactly one line."""

    def on_connection(conn: net.Socket) -> None:
        conn.setEncoding("utf8")
        conn.on("data", lambda chunk: conn.write(respond(chunk.rstrip("\n")) + "\n"))
        conn.on("end", conn.end)

    return net.createServer(on_connection)


if __name__ == "__main__":
    print(jsloop.run(demo, create_server, ["PING", "ECHO hello"]))
