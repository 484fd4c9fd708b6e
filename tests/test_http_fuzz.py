"""Hostile input never escapes the loop: random bytes (and mutations of valid
requests), split at random points, are thrown at one jsloop.http server; after
each, the server must still answer a well-formed request. The server thread's
loop would end (and ServerThread.stop re-raise) on any exception."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_http_helpers import ServerThread, read_response

pytestmark = pytest.mark.timeout(120)

VALID = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"GET /a?b=c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
]


def handler(req: Any, res: Any) -> None:
    req.on("data", lambda d: None)
    req.on("end", lambda: res.end("ok"))


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread(handler, timeout=110) as st_:
        yield st_


def mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    buf = bytearray(data)
    for pos, byte in edits:
        if buf:
            buf[pos % len(buf)] = byte
    return bytes(buf)


payloads = st.one_of(
    st.binary(max_size=300),
    st.builds(mutate, st.sampled_from(VALID),
              st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4)),
    st.builds(lambda a, b: a + b, st.sampled_from(VALID), st.binary(max_size=100)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=payloads, cuts=st.lists(st.integers(1, 50), max_size=5))
def test_garbage_never_kills_the_server(server: ServerThread, data: bytes,
                                        cuts: list[int]) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pos = 0
        try:
            for cut in cuts:
                s.sendall(data[pos:pos + cut])
                pos += cut
            s.sendall(data[pos:])
            s.shutdown(socket.SHUT_WR)
            s.settimeout(10)
            while s.recv(65536):
                pass
        except OSError:  # reset, broken pipe, or already closed by the server's 400
            pass
    assert server.thread.is_alive(), server.error
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(VALID[0])
        status, _, body = read_response(s.makefile("rb"))
    assert (status, body) == ("HTTP/1.1 200 OK", b"ok")
