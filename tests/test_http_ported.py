"""http tests ported from Node v20's test/parallel/test-http-*.js.

Each test names its upstream file and follows the JavaScript statement by
statement (server and client in one jsloop run, ``common.mustCall`` as the
``must`` fixture, ``process.on('exit')`` checks after ``run`` returns).
Deviations are named where they occur. The installed oracle is node v20.20,
whose llhttp reports a few error codes differently from v20.11's tests; jsloop
follows the parser it ships with (llhttp via httptools), which matches v20.20.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _io_helpers import run_bounded
from ported.conftest import Must

from jsloop import http, net, setTimeout

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def must() -> Iterator[Must]:
    m = Must()
    yield m
    m.check()


def test_chunked_smuggling(must: Must) -> None:
    """Ported from test/parallel/test-http-chunked-smuggling.js"""

    def main() -> None:
        def handler(request: Any, response: Any) -> None:
            assert request.url != "/admin"
            response.end("hello world")

        server = http.createServer(must.call(handler, 1))

        def start() -> None:
            sock = net.connect(server.address().port)
            sock.write("GET / HTTP/1.1\r\nHost: localhost:8080\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n2;\nxx\r\n4c\r\n0\r\n\r\n"
                       "GET /admin HTTP/1.1\r\nHost: localhost:8080\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            sock.resume()
            sock.on("end", must.call(lambda: server.close()))

        server.listen(0, must.call(start))

    run_bounded(main)


def test_1_0_keep_alive() -> None:
    """Ported from test/parallel/test-http-1.0-keep-alive.js (its ``check``
    function statement by statement; "unexpected close" raises in the loop)."""
    ka = "POST / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    tests: list[dict[str, Any]] = [
        {"name": "keep-alive, no TE header",
         "requests": [{"expectClose": True, "data": ka}, {"expectClose": True, "data": ka}],
         "responses": [{"headers": {"Connection": "keep-alive"}, "chunks": ["OK"]},
                       {"chunks": []}]},
        {"name": "keep-alive, with TE: chunked",
         "requests": [{"expectClose": False,
                       "data": "POST / HTTP/1.0\r\nConnection: keep-alive\r\nTE: chunked\r\n\r\n"},
                      {"expectClose": True, "data": "POST / HTTP/1.0\r\n\r\n"}],
         "responses": [{"headers": {"Connection": "keep-alive"}, "chunks": ["OK"]},
                       {"chunks": []}]},
        {"name": "keep-alive, with Transfer-Encoding: chunked",
         "requests": [{"expectClose": False, "data": ka},
                      {"expectClose": True, "data": "POST / HTTP/1.0\r\n\r\n"}],
         "responses": [{"headers": {"Connection": "keep-alive", "Transfer-Encoding": "chunked"},
                        "chunks": ["OK"]},
                       {"chunks": []}]},
        {"name": "keep-alive, with Content-Length",
         "requests": [{"expectClose": False, "data": ka},
                      {"expectClose": True, "data": "POST / HTTP/1.0\r\n\r\n"}],
         "responses": [{"headers": {"Connection": "keep-alive", "Content-Length": "2"},
                        "chunks": ["OK"]},
                       {"chunks": []}]},
    ]
    finished: list[str] = []

    def check(tests: list[dict[str, Any]]) -> None:
        if not tests:
            return
        test = tests[0]
        current = [0]

        def next_() -> None:
            finished.append(test["name"])
            check(tests[1:])

        def server_handler(req: Any, res: Any) -> None:
            if current[0] + 1 == len(test["responses"]):
                server.close()
            ctx = test["responses"][current[0]]
            res.writeHead(200, ctx.get("headers"))
            for chunk in ctx["chunks"][:-1]:
                res.write(chunk)
            res.end(ctx["chunks"][-1] if ctx["chunks"] else None)

        def client() -> None:
            if current[0] == len(test["requests"]):
                next_()
                return
            port = server.address().port
            conn = net.createConnection(port, "127.0.0.1")

            def connected() -> None:
                ctx = test["requests"][current[0]]
                conn.setEncoding("utf8")
                conn.write(ctx["data"])

                def onclose(*_a: Any) -> None:
                    if not ctx["expectClose"]:
                        raise AssertionError("unexpected close")
                    client()

                conn.on("close", onclose)

                def ondata(s: str) -> None:
                    current[0] += 1
                    if ctx["expectClose"]:
                        return
                    conn.removeListener("close", onclose)
                    conn.removeListener("data", ondata)
                    connected()

                conn.on("data", ondata)

            conn.on("connect", connected)

        server = http.createServer(server_handler).listen(0, "127.0.0.1", client)

    run_bounded(lambda: check(tests))
    assert finished == [t["name"] for t in tests]


def test_allow_req_after_204_res(must: Must) -> None:
    """Ported from test/parallel/test-http-allow-req-after-204-res.js"""
    codes = [204, 200]

    def main() -> None:
        left = [len(codes)]

        def handler(req: Any, res: Any) -> None:
            code = codes.pop(0)
            assert isinstance(code, int) and code > 0
            res.writeHead(code, {})
            res.end()

        server = http.createServer(must.call(handler, len(codes)))

        def next_request() -> None:
            def on_response(response: Any) -> None:
                def on_end() -> None:
                    left[0] -= 1
                    if left[0]:
                        next_request()
                    else:
                        server.close()

                response.on("end", must.call(on_end))
                response.resume()

            request = http.get({"port": server.address().port, "path": "/"},
                               must.call(on_response))
            request.end()

        server.listen(0, next_request)

    run_bounded(main)


def test_keep_alive_close_on_header() -> None:
    """Ported from test/parallel/test-http-keep-alive-close-on-header.js"""
    body = "hello world\n"
    connect_count = [0]

    def main() -> None:
        def handler(req: Any, res: Any) -> None:
            res.writeHead(200, {"Content-Length": len(body), "Connection": "close"})
            res.write(body)
            res.end()

        server = http.createServer(handler)

        def go() -> None:
            port = server.address().port
            agent = http.Agent({"maxSockets": 1})
            name = agent.getName({"port": port, "host": "localhost"})

            def make(last: bool) -> None:
                def on_response(res: Any) -> None:
                    if last:
                        def on_end() -> None:
                            assert len(agent.sockets[name]) == 1
                            server.close()

                        res.on("end", on_end)
                    else:
                        assert len(agent.sockets[name]) == 1
                    res.resume()

                request = http.request({"method": "GET", "path": "/",
                                        "headers": {"connection": "keep-alive"},
                                        "port": port, "agent": agent}, on_response)
                request.on("socket", lambda s: s.on(
                    "connect", lambda: connect_count.__setitem__(0, connect_count[0] + 1)))
                request.end()

            make(False)
            make(False)
            make(True)

        server.listen(0, go)

    run_bounded(main)
    assert connect_count[0] == 3


def test_header_overflow(must: Must) -> None:
    """Ported from test/parallel/test-http-header-overflow.js.

    Deviation: ``bytesParsed`` is not checked (httptools does not report how far
    llhttp got); the error's name, message and code and the 431 reply are."""
    crlf = "\r\n"
    name = "Cookie: "
    value = "a" * (http.maxHeaderSize - len(name) + 2)
    payload = "GET /blah HTTP/1.1" + crlf + name + value + crlf * 2

    def main() -> None:
        server = http.createServer()
        errors: list[Any] = []

        def on_connection(socket: Any) -> None:
            def on_error(err: Any) -> None:
                errors.append(err)
                assert str(err) == "Parse Error: Header overflow"
                assert err.code == "HPE_HEADER_OVERFLOW"

            socket.on("error", must.call(on_error))

        server.on("connection", must.call(on_connection))

        def go() -> None:
            c = net.createConnection(server.address().port)
            received: list[bytes] = []
            c.on("connect", must.call(lambda: c.write(payload)))
            c.on("data", must.call(received.append, None))

            def on_end() -> None:
                assert b"".join(received) == (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                               b"Connection: close\r\n\r\n")
                c.end()

            c.on("end", must.call(on_end))
            c.on("close", must.call(lambda *a: server.close()))

        server.listen(0, must.call(go))

    run_bounded(main)


@pytest.mark.parametrize("status_code", [204, 304])
def test_chunked_304(must: Must, status_code: int) -> None:
    """Ported from test/parallel/test-http-chunked-304.js"""

    def main() -> None:
        def handler(req: Any, res: Any) -> None:
            res.writeHead(status_code, {"Transfer-Encoding": "chunked"})
            res.end()
            server.close()

        server = http.createServer(must.call(handler))

        def go() -> None:
            def on_connect() -> None:
                conn.write("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
                resp: list[str] = []
                conn.setEncoding("utf8")
                conn.on("data", must.call(resp.append, None))

                def on_end() -> None:
                    text = "".join(resp)
                    assert "\r\nConnection: close\r\n" in text
                    assert "\r\n0\r\n" not in text

                conn.on("end", must.call(on_end))

            conn = net.createConnection(server.address().port, must.call(on_connect))

        server.listen(0, must.call(go))

    run_bounded(main)


def test_date_header() -> None:
    """Ported from test/parallel/test-http-date-header.js"""
    seen: list[bool] = []

    def main() -> None:
        def handler(req: Any, res: Any) -> None:
            assert "date" not in req.headers
            res.writeHead(200, {"Content-Type": "text/plain"})
            res.end("other stuff!\n")

        server = http.createServer(handler)

        def go() -> None:
            def on_response(res: Any) -> None:
                seen.append("date" in res.headers)
                res.on("end", lambda: server.close())
                res.resume()

            http.request({"port": server.address().port, "path": "/", "method": "GET"},
                         on_response).end()

        server.listen(0)
        server.addListener("listening", go)

    run_bounded(main)
    assert seen == [True]


def test_remove_header_stays_removed() -> None:
    """Ported from test/parallel/test-http-remove-header-stays-removed.js"""
    response: list[str] = []

    def main() -> None:
        def handler(request: Any, resp: Any) -> None:
            resp.removeHeader("connection")
            resp.removeHeader("transfer-encoding")
            resp.removeHeader("content-length")
            resp.removeHeader("date")
            resp.setHeader("date", "coffee o clock")
            resp.end("beep boop\n")

        server = http.createServer(handler)

        def go() -> None:
            def on_response(res: Any) -> None:
                assert res.statusCode == 200
                assert res.headers == {"date": "coffee o clock"}
                res.setEncoding("ascii")

                def on_data(chunk: str) -> None:
                    response.append(chunk)
                    if "".join(response) == "beep boop\n":
                        def later() -> None:
                            # closed at once: no framing header means no keep-alive
                            assert res.socket.destroyed
                            server.close()

                        setTimeout(later, 15)

                res.on("data", on_data)

            http.get({"port": server.address().port}, on_response)

        server.listen(0, go)

    run_bounded(main)
    assert "".join(response) == "beep boop\n"


def test_server_close_idle(must: Must) -> None:
    """Ported from test/parallel/test-http-server-close-idle.js"""
    connections = [0]
    closed = {"client1": False, "client2": False}

    def main() -> None:
        def handler(req: Any, res: Any) -> None:
            res.writeHead(200, {"Connection": "keep-alive"})
            res.end()

        server = http.createServer({"headersTimeout": 0, "keepAliveTimeout": 0,
                                    "requestTimeout": 60000}, must.call(handler))
        server.on("connection", lambda *a: connections.__setitem__(0, connections[0] + 1))

        def go() -> None:
            port = server.address().port
            client1 = net.connect(port)

            def on_connect1() -> None:
                client2 = net.connect(port)
                response: list[str] = []
                client2.setEncoding("utf8")

                def on_data(chunk: str) -> None:
                    response.append(chunk)
                    text = "".join(response)
                    if text.endswith("0\r\n\r\n"):
                        assert text.startswith("HTTP/1.1 200 OK\r\nConnection: keep-alive")
                        assert connections[0] == 2
                        server.close(must.call())

                        def check() -> None:
                            assert not closed["client1"]
                            assert closed["client2"]
                            server.closeAllConnections()
                            server.close(must.call())

                        setTimeout(must.call(check), 500).unref()

                client2.on("data", must.call(on_data, None))
                client2.on("close", must.call(lambda *a: closed.__setitem__("client2", True)))
                client2.write("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")

            client1.on("connect", must.call(on_connect1))
            client1.on("close", must.call(lambda *a: closed.__setitem__("client1", True)))
            client1.on("error", lambda *a: None)
            client1.write("GET / HTTP/1.1")

        server.listen(0, go)

    run_bounded(main)


def test_server_reject_chunked_with_content_length(must: Must) -> None:
    """Ported from test/parallel/test-http-server-reject-chunked-with-content-length.js.

    Deviation: the code is HPE_INVALID_TRANSFER_ENCODING, as node v20.20's llhttp
    (the installed oracle, and httptools' llhttp) reports; v20.11 said
    HPE_UNEXPECTED_CONTENT_LENGTH."""
    reqstr = "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"

    def main() -> None:
        server = http.createServer(must.not_call())

        def on_client_error(err: Any, *_a: Any) -> None:
            assert str(err).startswith("Parse Error")
            assert err.code == "HPE_INVALID_TRANSFER_ENCODING"
            server.close()

        server.on("clientError", must.call(on_client_error))

        def go() -> None:
            def on_connect() -> None:
                client.write(reqstr)
                client.end()

            client = net.connect({"port": server.address().port}, on_connect)

            def on_data(data: Any) -> None:
                raise AssertionError("no data should be returned by the server")

            client.on("data", on_data)
            client.on("end", must.call())

        server.listen(0, go)

    run_bounded(main)


def test_request_smuggling_content_length(must: Must) -> None:
    """Ported from test/parallel/test-http-request-smuggling-content-length.js"""

    def main() -> None:
        server = http.createServer(must.not_call())

        def start() -> None:
            sock = net.connect(server.address().port)
            sock.write("GET / HTTP/1.1\r\nHost: localhost:5000\r\n"
                       "Content-Length : 5\r\n\r\nhello")
            body: list[str] = []
            sock.setEncoding("utf8")
            sock.on("data", body.append)

            def on_end() -> None:
                assert "".join(body) == "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
                server.close()

            sock.on("end", must.call(on_end))

        server.listen(0, must.call(start))

    run_bounded(main)


def test_head_response_has_no_body(must: Must) -> None:
    """Ported from test/parallel/test-http-head-response-has-no-body.js"""

    def main() -> None:
        def handler(req: Any, res: Any) -> None:
            res.writeHead(200)  # broken: defaults to TE chunked
            res.end()

        server = http.createServer(handler)
        server.listen(0)

        def go() -> None:
            def on_response(res: Any) -> None:
                res.on("end", must.call(lambda: server.close()))
                res.resume()

            req = http.request({"port": server.address().port, "method": "HEAD", "path": "/"},
                               must.call(on_response))
            req.end()

        server.on("listening", must.call(go))

    run_bounded(main)


def test_double_content_length(must: Must) -> None:
    """Ported from test/parallel/test-http-double-content-length.js"""

    def main() -> None:
        server = http.createServer(must.not_call())

        def on_client_error(err: Any, socket: Any) -> None:
            assert str(err).startswith("Parse Error")
            assert err.code == "HPE_UNEXPECTED_CONTENT_LENGTH"
            socket.destroy()

        server.on("clientError", must.call(on_client_error))

        def go() -> None:
            req = http.get({"port": server.address().port,
                            "headers": {"Content-Length": [1, 2]}},
                           must.not_call("an error should have occurred"))
            req.on("error", must.call(lambda *a: server.close()))

        server.listen(0, go)

    run_bounded(main)


def test_header_badrequest(must: Must) -> None:
    """Ported from test/parallel/test-http-header-badrequest.js"""

    def main() -> None:
        server = http.createServer()

        def on_request(req: Any, res: Any) -> None:
            res.write("asd", lambda *a: res.socket.emit("error", Exception("kaboom")))

        server.on("request", must.call(on_request))

        def go() -> None:
            c = net.createConnection(server.address().port)
            received: list[bytes] = []
            c.on("connect", must.call(lambda: c.write(
                "GET /blah HTTP/1.1\r\nHost: example.com\r\n\r\n")))
            c.on("data", must.call(received.append, None))

            def on_end() -> None:
                text = b"".join(received)
                # Should not include anything else after asd.
                assert text.index(b"asd\r\n") == len(text) - 5
                c.end()

            c.on("end", must.call(on_end))
            c.on("close", must.call(lambda *a: server.close()))

        server.listen(0, must.call(go))

    run_bounded(main)
