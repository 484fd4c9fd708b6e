"""The line-protocol server of ``line_protocol_buggy.py``, fixed: it reassembles lines.

    python examples/line_protocol_fixed.py

Bytes are buffered until a newline; every complete line gets its reply, the
partial tail waits for the next ``'data'`` event. A chunk may hold part of a
line, exactly one line, or several lines — the server answers the same in
every case, which ``tests/test_schedules_example.py`` checks under every
schedule hypothesis tries.

Also here: ``converse(port, commands)``, a client that sends each command
after the previous reply arrived and collects the replies (it reassembles
lines the same way), and ``demo``, which runs a server and that client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsloop
from jsloop import Promise, net


def respond(line: str) -> str:
    """The reply to one command line (without its newline)."""
    if line == "PING":
        return "PONG"
    if line.startswith("ECHO "):
        return line[5:]
    return "ERR unknown command"


class LineSplitter:
    """Feed it chunks; it calls ``on_line`` once per complete line, in order."""

    __slots__ = ("buf", "on_line")

    def __init__(self, on_line: Callable[[str], Any]) -> None:
        self.on_line = on_line
        self.buf = ""

    def feed(self, chunk: str) -> None:
        self.buf += chunk
        *lines, self.buf = self.buf.split("\n")
        for line in lines:
            self.on_line(line)


def create_server() -> net.Server:
    """The fixed server: replies per complete line, whatever the chunking."""

    def on_connection(conn: net.Socket) -> None:
        conn.setEncoding("utf8")
        lines = LineSplitter(lambda line: conn.write(respond(line) + "\n"))
        conn.on("data", lines.feed)
        conn.on("end", conn.end)

    return net.createServer(on_connection)


def converse(port: int, commands: list[str]) -> Promise[list[str]]:
    """Connect, send each command once the previous reply arrived; resolve with the replies."""
    replies: list[str] = []
    todo = list(commands)
    done = Promise.withResolvers()
    sock = net.connect(port, "127.0.0.1")
    sock.setEncoding("utf8")

    def send_next() -> None:
        if todo:
            sock.write(todo.pop(0) + "\n")
        else:
            sock.end()

    def on_line(line: str) -> None:
        replies.append(line)
        send_next()

    sock.on("connect", send_next)
    sock.on("data", LineSplitter(on_line).feed)
    sock.on("error", done.reject)
    sock.on("close", lambda *_: done.resolve(replies))
    return done.promise


def demo(make_server: Callable[[], net.Server], commands: list[str]) -> Promise[list[str]]:
    """Start ``make_server()`` on a free port, talk to it, close it; the replies."""
    result = Promise.withResolvers()
    server = make_server()

    def listening() -> None:
        talk = converse(server.address().port, commands)
        talk.finally_(server.close)
        result.resolve(talk)

    server.listen(0, "127.0.0.1", listening)
    return result.promise


if __name__ == "__main__":
    print(jsloop.run(demo, create_server, ["PING", "ECHO hello"]))
