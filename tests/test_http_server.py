"""jsloop.http server: wire format, keep-alive, pipelining, bodies, limits and
hostile input, checked with raw sockets and Python's http.client."""

from __future__ import annotations

import http.client as httpclient
import re
import socket
import threading
from typing import Any

import pytest
from test_http_helpers import ServerThread, hello, read_response, recv_all

from jsloop import http

pytestmark = pytest.mark.timeout(60)


def raw(st: ServerThread, data: bytes) -> bytes:
    with st.connect() as s:
        s.sendall(data)
        return recv_all(s)


def test_hello_keep_alive_and_content_length() -> None:
    with ServerThread(hello) as st, st.connect() as s:
        f = s.makefile("rb")
        for _ in range(3):
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = read_response(f)
            assert status == "HTTP/1.1 200 OK"
            assert body == b"Hello, World!\n"
            assert headers["content-type"] == "text/plain"
            assert headers["content-length"] == "14"
            assert headers["connection"] == "keep-alive"
            assert headers["keep-alive"] == "timeout=5"
            assert "date" in headers


def test_head_order_matches_node() -> None:
    def handler(req: Any, res: Any) -> None:
        res.writeHead(200, {"Content-Type": "text/plain"})
        res.end("Hello, World!\n")

    with ServerThread(handler) as st, st.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = recv_all(s)
    head, _, body = data.partition(b"\r\n\r\n")
    names = [line.split(b":")[0] for line in head.split(b"\r\n")[1:]]
    # writeHead + end: Node chunks (the length is unknown when the head is built)
    assert names == [b"Content-Type", b"Date", b"Connection", b"Transfer-Encoding"]
    assert body == b"e\r\nHello, World!\n\r\n0\r\n\r\n"


def test_pipelined_requests_answered_in_order() -> None:
    pending: list[Any] = []

    def handler(req: Any, res: Any) -> None:
        if req.url == "/slow":
            pending.append(res)  # finished after /fast has already ended
            return
        res.end(req.url)
        for r in pending:
            r.end("slow")
        pending.clear()

    with ServerThread(handler) as st, st.connect() as s:
        s.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        f = s.makefile("rb")
        bodies = [read_response(f)[2] for _ in range(3)]
        assert bodies == [b"slow", b"/fast", b"/last"]
        assert f.read() == b""  # closed after Connection: close


def test_one_byte_splits() -> None:
    def handler(req: Any, res: Any) -> None:
        chunks: list[bytes] = []
        req.on("data", chunks.append)
        req.on("end", lambda: res.end(b"got:" + b"".join(chunks)))

    request = (b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    with ServerThread(handler) as st, st.connect() as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(request)):
            s.send(request[i:i + 1])
        status, _, body = read_response(s.makefile("rb"))
    assert status == "HTTP/1.1 200 OK"
    assert body == b"got:hello world"


def test_head_204_304_have_no_body() -> None:
    def handler(req: Any, res: Any) -> None:
        if req.url == "/204":
            res.statusCode = 204
        elif req.url == "/304":
            res.statusCode = 304
        res.end("body")

    with ServerThread(handler) as st:
        out = raw(st, b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert out.endswith(b"\r\n\r\n") and b"body" not in out
        assert b"Content-Length" not in out  # as node 20 (no body, no framing header)
        for code in (b"204", b"304"):
            out = raw(st, b"GET /" + code + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert out.startswith(b"HTTP/1.1 " + code)
            assert out.endswith(b"\r\n\r\n") and b"body" not in out
            assert b"Transfer-Encoding" not in out and b"Content-Length" not in out


def test_http10_and_connection_close() -> None:
    with ServerThread(hello) as st:
        out = raw(st, b"GET / HTTP/1.0\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Connection: close\r\n" in out
        assert out.endswith(b"Hello, World!\n")
        # HTTP/1.0 keep-alive: kept only when the length is declared (as Node)
        def handler(req: Any, res: Any) -> None:
            res.setHeader("Content-Length", 2)
            res.end("ok")

        st.server.removeAllListeners("request")
        st.server.on("request", handler)
        with st.connect() as s:
            f = s.makefile("rb")
            for _ in range(2):
                s.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                _status, headers, body = read_response(f)
                assert headers["connection"] == "keep-alive" and body == b"ok"


def test_max_requests_per_socket() -> None:
    """Node's bytes for server.maxRequestsPerSocket = 2 and three pipelined requests
    (recorded from node 20): max= advertised, Connection: close on the 2nd, 503 after."""
    def setup(srv: Any) -> None:
        srv.maxRequestsPerSocket = 2

    with ServerThread(lambda req, res: res.end("ok"), setup=setup) as st, st.connect() as s:
        s.sendall(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
        s.shutdown(socket.SHUT_WR)
        out = re.sub(rb"Date: [^\r]*", b"Date: X", recv_all(s))
    assert out == (
        b"HTTP/1.1 200 OK\r\nDate: X\r\nConnection: keep-alive\r\n"
        b"Keep-Alive: timeout=5, max=2\r\nContent-Length: 2\r\n\r\nok"
        b"HTTP/1.1 200 OK\r\nDate: X\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
        b"HTTP/1.1 503 Service Unavailable\r\nDate: X\r\nConnection: close\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")


def test_upgrade_hands_over_the_socket_with_head() -> None:
    seen: list[Any] = []

    def setup(srv: Any) -> None:
        def on_upgrade(req: Any, sock: Any, head: bytes) -> None:
            seen.append((req.method, req.url, req.headers["upgrade"], head))
            sock.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\n"
                       b"Connection: Upgrade\r\n\r\n")
            sock.write(head)
            sock.on("data", lambda d: sock.write(d.upper()))
            sock.on("end", lambda: sock.end())

        srv.on("upgrade", on_upgrade)

    with ServerThread(hello, setup=setup) as st, st.connect() as s:
        s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n"
                  b"\r\nfirst")
        f = s.makefile("rb")
        assert f.readline() == b"HTTP/1.1 101 Switching Protocols\r\n"
        while f.readline() != b"\r\n":
            pass
        assert f.read(5) == b"first"
        s.sendall(b"more")
        assert f.read(4) == b"MORE"
        s.shutdown(socket.SHUT_WR)
        assert f.read() == b""
    assert seen == [("GET", "/ws", "echo", b"first")]


def test_keep_alive_timeout_closes_idle_connection() -> None:
    """keepAliveTimeout = 100 ms: the idle connection is closed, no sooner than
    timeout + Node's 1 s margin (a lower bound only: real time)."""
    import time

    def setup(srv: Any) -> None:
        srv.keepAliveTimeout = 100

    with ServerThread(hello, setup=setup) as st, st.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        f = s.makefile("rb")
        _status, headers, _body = read_response(f)
        t0 = time.monotonic()
        assert headers["keep-alive"] == "timeout=0"
        assert f.read() == b""  # closed by the server
        assert time.monotonic() - t0 >= 1.0


def test_missing_host_is_400() -> None:
    with ServerThread(hello) as st:
        out = raw(st, b"GET / HTTP/1.1\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Connection: close\r\n" in out


@pytest.mark.parametrize("payload", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
    b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
    b"GET / FOO/1.1\r\n\r\n",
])
def test_malformed_gets_node_400(payload: bytes) -> None:
    errors: list[Any] = []
    with ServerThread(hello) as st:
        out = raw(st, payload)
        st.call(lambda: errors.append(len(st.server._conns)))
    assert out == b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"


def test_client_error_lets_the_app_answer() -> None:
    seen: list[str] = []

    def setup(srv: Any) -> None:
        def on_client_error(err: Any, sock: Any) -> None:
            seen.append(err.code)
            sock.end(b"HTTP/1.1 418 I'm a Teapot\r\nConnection: close\r\n\r\n")

        srv.on("clientError", on_client_error)

    with ServerThread(hello, setup=setup) as st:
        out = raw(st, b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 418")
    assert seen == ["HPE_INVALID_TRANSFER_ENCODING"]


def test_header_overflow_is_431() -> None:
    with ServerThread(hello) as st:
        out = raw(st, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 17000 + b"\r\n\r\n")
        assert out == b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"
        # just under the limit is fine
        ok = raw(st, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: "
                 + b"a" * 16000 + b"\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200")
        # an unterminated header line is bounded too
        with st.connect() as s:
            s.sendall(b"GET / HTTP/1.1\r\nX-Endless: ")
            try:
                for _ in range(200):
                    s.sendall(b"a" * 4096)
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:
                out = recv_all(s)
            except ConnectionResetError:
                out = b""
        assert out in (b"", b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                            b"Connection: close\r\n\r\n")


def test_max_header_size_option() -> None:
    with ServerThread(hello, options={"maxHeaderSize": 100}) as st:
        out = raw(st, b"GET / HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 120 + b"\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 431 ")


def test_slowloris_headers_timeout_is_408() -> None:
    opts = {"headersTimeout": 200, "requestTimeout": 1000, "connectionsCheckingInterval": 50}
    with ServerThread(hello, options=opts) as st, st.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finishes the head
        out = recv_all(s)
    assert out == b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"


def test_silent_connection_gets_408_but_idle_keep_alive_does_not() -> None:
    """node 20 (checked): a new connection that sends nothing is timed by
    headersTimeout; an idle keep-alive connection between requests is not."""
    opts = {"headersTimeout": 200, "requestTimeout": 1000, "connectionsCheckingInterval": 50}
    with ServerThread(hello, options=opts) as st:
        with st.connect() as s:
            assert recv_all(s) == b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
        with st.connect() as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            f = s.makefile("rb")
            assert read_response(f)[2] == b"Hello, World!\n"
            s.settimeout(0.6)  # three times headersTimeout: still open
            with pytest.raises(TimeoutError):
                s.recv(1)


def test_expect_100_continue() -> None:
    def handler(req: Any, res: Any) -> None:
        body: list[bytes] = []
        req.on("data", body.append)
        req.on("end", lambda: res.end(b"".join(body)))

    with ServerThread(handler) as st, st.connect() as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                  b"Expect: 100-continue\r\n\r\n")
        f = s.makefile("rb")
        assert f.readline() == b"HTTP/1.1 100 Continue\r\n"
        assert f.readline() == b"\r\n"
        s.sendall(b"hello")
        status, _, body = read_response(f)
    assert status == "HTTP/1.1 200 OK" and body == b"hello"


def test_check_continue_and_bad_expectation() -> None:
    def setup(srv: Any) -> None:
        def check(req: Any, res: Any) -> None:
            res.writeHead(403)
            res.end("no")

        srv.on("checkContinue", check)

    with ServerThread(hello, setup=setup) as st:
        out = raw(st, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                      b"Expect: 100-continue\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 403 Forbidden\r\n")
        assert b"100 Continue" not in out
        out = raw(st, b"GET / HTTP/1.1\r\nHost: x\r\nExpect: other\r\nConnection: close\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 417 Expectation Failed\r\n")


def test_request_fields_and_headers() -> None:
    got: dict[str, Any] = {}

    def handler(req: Any, res: Any) -> None:
        got.update(method=req.method, url=req.url, version=req.httpVersion,
                   headers=dict(req.headers), raw=list(req.rawHeaders))
        res.end()

    with ServerThread(handler) as st:
        raw(st, b"PUT /p?q=1 HTTP/1.1\r\nHost: h\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n"
                b"Cookie: x=1\r\nCookie: y=2\r\nAccept: a\r\nAccept: b\r\n"
                b"Content-Type: t1\r\nContent-Type: t2\r\nX-Custom: 1\r\nx-custom: 2\r\n"
                b"Connection: close\r\n\r\n")
    assert got["method"] == "PUT" and got["url"] == "/p?q=1" and got["version"] == "1.1"
    h = got["headers"]
    assert h["set-cookie"] == ["a", "b"]
    assert h["cookie"] == "x=1; y=2"
    assert h["accept"] == "a, b"
    assert h["content-type"] == "t1"  # duplicates of this one are dropped
    assert h["x-custom"] == "1, 2"
    assert got["raw"][:4] == ["Host", "h", "Set-Cookie", "a"]


def test_trailers_and_chunked_response_with_trailers() -> None:
    got: dict[str, Any] = {}

    def handler(req: Any, res: Any) -> None:
        req.resume()

        def done() -> None:
            got["trailers"] = dict(req.trailers)
            res.writeHead(200, {"Trailer": "X-Sum"})
            res.write("abc")
            res.addTrailers({"X-Sum": "3"})
            res.end()

        req.on("end", done)

    with ServerThread(handler) as st:
        out = raw(st, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      b"Connection: close\r\n\r\n1\r\na\r\n0\r\nX-T: 9\r\n\r\n")
    assert got["trailers"] == {"x-t": "9"}
    assert out.endswith(b"3\r\nabc\r\n0\r\nX-Sum: 3\r\n\r\n")


def test_response_api_errors() -> None:
    errors: dict[str, Any] = {}

    def handler(req: Any, res: Any) -> None:
        for name, fn in (("token", lambda: res.setHeader("bad name", "x")),
                         ("char", lambda: res.setHeader("X-A", "a\nb")),
                         ("status", lambda: res.writeHead(99))):
            try:
                fn()
            except Exception as exc:
                errors[name] = exc.code  # type: ignore[attr-defined]
        res.setHeader("X-Ok", "1")
        assert res.getHeader("x-ok") == "1" and res.hasHeader("X-OK")
        assert res.getHeaderNames() == ["x-ok"]
        res.end("done")
        try:
            res.setHeader("X-Late", "1")
        except Exception as exc:
            errors["sent"] = exc.code  # type: ignore[attr-defined]
        errors["headersSent"] = res.headersSent
        errors["writableEnded"] = res.writableEnded

    with ServerThread(handler) as st:
        raw(st, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert errors == {"token": "ERR_INVALID_HTTP_TOKEN", "char": "ERR_INVALID_CHAR",
                      "status": "ERR_HTTP_INVALID_STATUS_CODE", "sent": "ERR_HTTP_HEADERS_SENT",
                      "headersSent": True, "writableEnded": True}


def test_events_order_and_disconnect_mid_body() -> None:
    log: list[str] = []
    done = threading.Event()

    def handler(req: Any, res: Any) -> None:
        req.on("aborted", lambda: log.append("req aborted"))
        req.on("error", lambda e: log.append("req error " + e.code))
        req.on("close", lambda: (log.append("req close"), done.set()))
        res.on("close", lambda: log.append("res close"))
        req.on("data", lambda d: log.append("data"))

    with ServerThread(handler) as st:
        with st.connect() as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\nab")
            # wait until the body chunk has arrived before disconnecting
            st_deadline = threading.Event()
            for _ in range(200):
                if "data" in log:
                    break
                st_deadline.wait(0.01)
        assert done.wait(5)
    # Node 20 (test/parallel/test-http-server-incomplete-request-... and checked by hand):
    assert log == ["data", "req aborted", "res close", "req error ECONNRESET", "req close"]


def test_body_backpressure_bounded() -> None:
    """A 50 MB upload read slowly: the body buffer never exceeds the high-water mark
    by more than one socket read, because the socket is paused meanwhile."""
    total = 50 * 1024 * 1024
    stats = {"max": 0, "got": 0}

    def handler(req: Any, res: Any) -> None:
        req.pause()

        def drain_some() -> None:
            stats["max"] = max(stats["max"], req.readableLength)
            data = req.read()
            if data is not None:
                stats["got"] += len(data)
            if req.complete and req.readableLength == 0:
                res.end(str(stats["got"]))
                return
            from jsloop import setTimeout
            setTimeout(drain_some, 0)

        drain_some()

    with ServerThread(handler) as st, st.connect() as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                  b"Content-Length: %d\r\n\r\n" % total)
        block = b"x" * (1 << 20)
        for _ in range(50):
            s.sendall(block)
        _status, _, body = read_response(s.makefile("rb"))
    assert body == str(total).encode()
    assert stats["max"] <= 16384 + 65536


def test_body_over_high_water_mark_then_next_request() -> None:
    """A body that fills the buffer pauses the socket; completing the message must
    resume it, or the next keep-alive request is never read (Node's
    parserOnMessageComplete: readStart)."""

    def handler(req: Any, res: Any) -> None:
        chunks: list[bytes] = []
        req.on("data", chunks.append)
        req.on("end", lambda: res.end(str(len(b"".join(chunks)))))

    with ServerThread(handler) as st, st.connect() as s:
        f = s.makefile("rb")
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 40000\r\n\r\n" + b"x" * 40000)
        assert read_response(f)[2] == b"40000"
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        assert read_response(f)[2] == b"3"


def test_body_is_a_readable_async_for_and_pipeline() -> None:
    """req is a stream.Readable (async for), res a sink for stream.pipeline."""
    from jsloop import asyncfn, stream

    @asyncfn
    async def handler(req: Any, res: Any) -> None:
        if req.url == "/pipe":
            stream.pipeline(req, res, lambda err=None: None)
            return
        total = b""
        async for chunk in req:
            total += chunk
        res.end(b"async:" + total)

    with ServerThread(handler) as st:
        conn = httpclient.HTTPConnection("127.0.0.1", st.port, timeout=10)
        body = bytes(range(256)) * 500
        conn.request("POST", "/async", body=body)
        assert conn.getresponse().read() == b"async:" + body
        conn.request("POST", "/pipe", body=body)
        r = conn.getresponse()
        assert r.getheader("Transfer-Encoding") == "chunked" and r.read() == body
        conn.close()


def test_http_client_stdlib_many_requests() -> None:
    def handler(req: Any, res: Any) -> None:
        chunks: list[bytes] = []
        req.on("data", chunks.append)
        req.on("end", lambda: res.end(b"echo:" + b"".join(chunks)))

    with ServerThread(handler) as st:
        conn = httpclient.HTTPConnection("127.0.0.1", st.port, timeout=10)
        for i in range(50):
            conn.request("POST", f"/n{i}", body=b"x" * i)
            r = conn.getresponse()
            assert r.status == 200
            assert r.read() == b"echo:" + b"x" * i
        conn.close()


def test_server_close_waits_for_in_flight_and_closes_idle() -> None:
    held: list[Any] = []
    closed = threading.Event()

    def handler(req: Any, res: Any) -> None:
        if req.url == "/hold":
            held.append(res)
        else:
            res.end("quick")

    with ServerThread(handler) as st:
        idle = st.connect()
        idle.sendall(b"GET /q HTTP/1.1\r\nHost: x\r\n\r\n")
        fi = idle.makefile("rb")
        assert read_response(fi)[2] == b"quick"
        busy = st.connect()
        busy.sendall(b"GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        for _ in range(500):
            if held:
                break
            threading.Event().wait(0.01)
        st.call(lambda: st.server.close(lambda *a: closed.set()))
        assert fi.read() == b""  # the idle keep-alive connection is closed at once
        assert not closed.is_set()
        st.call(lambda: held[0].end("late"))
        assert read_response(busy.makefile("rb"))[2] == b"late"
        st.call(st.server.closeIdleConnections)
        assert closed.wait(5)
        idle.close()
        busy.close()


def test_create_server_argument_errors() -> None:
    import jsloop

    def main() -> None:
        with pytest.raises(TypeError) as info:
            http.createServer({}, 42)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]

    jsloop.run(main)
