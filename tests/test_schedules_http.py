"""An HTTP/1.1 server answers the same however its requests are cut into reads.

``jsloop.http`` parses the byte stream of a ``net.Socket``; a client's pipelined
requests (one with a body) are written at once, and hypothesis-drawn schedules
split them into reads anywhere, reorder ready sockets and hold fds back while
the server's timers are armed. The server must see the same two requests, with
the same bodies, and the client get two 200 responses, under every schedule.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from jsloop import Promise, http, net
from jsloop.testing import Schedule, schedules

REQUESTS = (
    b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    b"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
)


def pipelined() -> Promise[Any]:
    got: list[tuple[str, str, bytes]] = []
    done = Promise.withResolvers()

    def handler(req: Any, res: Any) -> None:
        body: list[bytes] = []
        req.on("data", body.append)

        def on_end() -> None:
            got.append((req.method, req.url, b"".join(body)))
            res.end("ok " + req.url)

        req.on("end", on_end)

    server = http.createServer(handler)

    def listening() -> None:
        sock = net.connect(server.address().port, "127.0.0.1", lambda: sock.write(REQUESTS))
        chunks: list[bytes] = []
        sock.on("data", chunks.append)

        def on_close(*_: Any) -> None:
            server.close()
            response = b"".join(chunks)
            done.resolve((got, response.count(b"HTTP/1.1 200 OK"), response.endswith(b"ok /b")))

        sock.on("close", on_close)

    server.listen(0, "127.0.0.1", listening)
    return done.promise


def test_pipelined_requests_parse_the_same_under_every_schedule() -> None:
    splits = 0

    @settings(max_examples=40, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(schedules())
    def prop(schedule: Schedule) -> None:
        nonlocal splits
        got, oks, last_body = schedule.run(pipelined)
        assert got == [("POST", "/a", b"hello"), ("GET", "/b", b"")]
        assert oks == 2 and last_body
        splits += any(d.endswith(" bytes") for d in schedule.decisions)

    prop()
    assert splits >= 10  # the requests (and responses) were cut up, often
