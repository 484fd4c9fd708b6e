"""jsloop.http client: request/get, the keep-alive Agent, errors — against a
jsloop server in the same loop and against a real node 20 http server."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from _io_helpers import run_bounded
from test_http_helpers import NODE, needs_node

from jsloop import Promise, http, setImmediate

pytestmark = pytest.mark.timeout(60)


def serve(handler: Any, then: Any) -> None:
    """Listen on 127.0.0.1:0, call ``then(server, port)``."""
    srv = http.createServer(handler)
    srv.listen(0, "127.0.0.1", lambda: then(srv, srv.address().port))


def fetch(port: int, path: str = "/", agent: Any = None, method: str = "GET",
          body: bytes | None = None, headers: dict[str, Any] | None = None) -> Promise[Any]:
    """A request that resolves to (status, headers, body, req)."""

    def executor(resolve: Any, reject: Any) -> None:
        opts: dict[str, Any] = {"host": "127.0.0.1", "port": port, "path": path,
                                "method": method, "headers": headers or {}}
        if agent is not None:
            opts["agent"] = agent

        def on_response(res: Any) -> None:
            chunks: list[bytes] = []
            res.on("data", chunks.append)
            res.on("end", lambda: resolve((res.statusCode, res.headers, b"".join(chunks), req)))

        req = http.request(opts, on_response)
        req.on("error", reject)
        req.end(body)

    return Promise(executor)


def test_get_against_jsloop_server_and_reuse() -> None:
    seen_ports: list[int] = []

    def handler(req: Any, res: Any) -> None:
        seen_ports.append(req.socket.remotePort)
        res.setHeader("X-Method", req.method)
        res.end("hi " + req.url)

    out: list[Any] = []

    def main() -> None:
        agent = http.Agent(keepAlive=True)

        def go(srv: Any, port: int) -> None:
            async_results: list[Any] = []

            def step(i: int) -> None:
                if i == 3:
                    out.extend(async_results)
                    agent.destroy()
                    srv.close()
                    return

                def done(r: Any) -> None:
                    async_results.append((r[0], r[1]["x-method"], r[2], r[3].reusedSocket))
                    setImmediate(step, i + 1)

                fetch(port, f"/{i}", agent).then(done)

            step(0)

        serve(handler, go)

    run_bounded(main)
    assert out == [(200, "GET", b"hi /0", False), (200, "GET", b"hi /1", True),
                   (200, "GET", b"hi /2", True)]
    assert len(set(seen_ports)) == 1  # one connection carried all three


def test_post_chunked_and_content_length_bodies() -> None:
    def handler(req: Any, res: Any) -> None:
        chunks: list[bytes] = []
        req.on("data", chunks.append)
        req.on("end", lambda: res.end(
            f"{req.headers.get('transfer-encoding')}|{req.headers.get('content-length')}|"
            .encode() + b"".join(chunks)))

    out: list[Any] = []

    def main() -> None:
        def go(srv: Any, port: int) -> None:
            def chunked(resolve: Any, reject: Any) -> None:
                def on_res(res: Any) -> None:
                    data: list[bytes] = []
                    res.on("data", data.append)
                    res.on("end", lambda: resolve(b"".join(data)))

                req = http.request({"port": port, "host": "127.0.0.1", "method": "POST",
                                    "agent": False}, on_res)
                req.write("abc")
                req.write(b"def")
                req.end()

            def sized(resolve: Any, reject: Any) -> None:
                fetch(port, "/", False, "PUT", b"xyz",
                      {"Content-Length": 3}).then(lambda r: resolve(r[2]))

            Promise.all([Promise(chunked), Promise(sized)]).then(
                lambda r: (out.extend(r), srv.close()))

        serve(handler, go)

    run_bounded(main)
    assert out == [b"chunked|None|abcdef", b"None|3|xyz"]


def test_max_sockets_queues_requests() -> None:
    held: list[Any] = []
    peak = [0]
    out: list[Any] = []

    def handler(req: Any, res: Any) -> None:
        held.append(res)
        peak[0] = max(peak[0], len(held))
        # answer once both sockets are busy, in arrival order
        if len(held) == 2:
            for r in held:
                r.end("ok")
            held.clear()

    def main() -> None:
        agent = http.Agent(keepAlive=True, maxSockets=2)

        def go(srv: Any, port: int) -> None:
            ps = [fetch(port, f"/{i}", agent) for i in range(4)]
            assert sum(len(v) for v in agent.requests.values()) == 2

            def done(rs: Any) -> None:
                out.extend(r[2] for r in rs)
                agent.destroy()
                srv.close()

            Promise.all(ps).then(done)

        serve(handler, go)

    run_bounded(main)
    assert out == [b"ok"] * 4
    assert peak[0] == 2


def test_connection_refused_and_hang_up() -> None:
    errors: list[Any] = []

    def main() -> None:
        def go(srv: Any, port: int) -> None:
            srv.close()  # nobody listens on port any more

            def refused(err: Any) -> None:
                errors.append(err.code)
                hang_up()

            req = http.request({"host": "127.0.0.1", "port": port, "agent": False})
            req.on("error", refused)
            req.end()

        def hang_up() -> None:
            def handler(req: Any, res: Any) -> None:
                req.socket.destroy()

            def go2(srv: Any, port: int) -> None:
                req = http.get({"host": "127.0.0.1", "port": port, "agent": False})
                req.on("error", lambda e: (errors.append((str(e), e.code)), srv.close()))

            serve(handler, go2)

        serve(lambda req, res: res.end(), go)

    run_bounded(main)
    assert errors == ["ECONNREFUSED", ("socket hang up", "ECONNRESET")]


def test_head_204_304_and_continue() -> None:
    def handler(req: Any, res: Any) -> None:
        if req.url == "/head":
            res.setHeader("Content-Length", 10)
            res.end()
        elif req.url == "/304":
            res.writeHead(304)
            res.end()
        else:
            req.resume()
            req.on("end", lambda: res.end("posted"))

    out: list[Any] = []

    def main() -> None:
        agent = http.Agent(keepAlive=True)

        def go(srv: Any, port: int) -> None:
            events: list[str] = []

            def expect(resolve: Any, reject: Any) -> None:
                req = http.request({"host": "127.0.0.1", "port": port, "method": "POST",
                                    "agent": agent,
                                    "headers": {"Expect": "100-continue",
                                                "Content-Length": 2}},
                                   lambda res: (res.resume(),
                                                res.on("end", lambda: resolve(res.statusCode))))

                def cont() -> None:
                    events.append("continue")
                    req.end("hi")

                req.on("continue", cont)
                req.flushHeaders()

            Promise.all([fetch(port, "/head", agent, "HEAD"), fetch(port, "/304", agent),
                         Promise(expect)]).then(
                lambda rs: (out.extend([rs[0][0], rs[0][1]["content-length"], rs[0][2],
                                        rs[1][0], rs[1][2], rs[2], events]),
                            agent.destroy(), srv.close()))

        serve(handler, go)

    run_bounded(main)
    assert out == [200, "10", b"", 304, b"", 200, ["continue"]]


def test_argument_errors() -> None:
    def main() -> None:
        for opts, code in (({"path": "/a b"}, "ERR_UNESCAPED_CHARACTERS"),
                           ({"method": "BAD METHOD"}, "ERR_INVALID_HTTP_TOKEN"),
                           ({"protocol": "https:"}, "ERR_INVALID_PROTOCOL")):
            with pytest.raises(TypeError) as info:
                http.request({"host": "127.0.0.1", "port": 1, **opts})
            assert info.value.code == code  # type: ignore[attr-defined]

    run_bounded(main)


NODE_SERVER = r"""
const http = require('http');
const s = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => body += d);
  req.on('end', () => {
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.writeHead(201, {'X-Echo': req.method + ' ' + req.url});
    res.end(body.toUpperCase());
  });
});
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
"""


@needs_node
def test_client_against_node_server() -> None:
    proc = subprocess.Popen([NODE or "node", "-e", NODE_SERVER], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        out: list[Any] = []

        def main() -> None:
            agent = http.Agent(keepAlive=True)
            ps = [fetch(port, f"/p{i}", agent, "POST", b"body%d" % i) for i in range(3)]
            Promise.all(ps).then(lambda rs: (out.extend(rs), agent.destroy()))

        run_bounded(main)
        assert [(r[0], r[1]["x-echo"], r[1]["set-cookie"], r[2]) for r in out] == [
            (201, f"POST /p{i}", ["a=1", "b=2"], b"BODY%d" % i) for i in range(3)]
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_global_agent_pool_does_not_keep_the_loop_alive() -> None:
    """http.get with the global agent (keep-alive): after the response the socket is
    parked in freeSockets, unref'd — the run ends without agent.destroy()."""
    out: list[Any] = []

    def main() -> None:
        def go(srv: Any, port: int) -> None:
            def on_res(res: Any) -> None:
                res.resume()

                def ended() -> None:
                    out.append(res.statusCode)
                    srv.close()  # closes our (idle) keep-alive connection server-side too

                res.on("end", ended)

            req = http.get(f"http://127.0.0.1:{port}/x", on_res)
            req.on("close", lambda: setImmediate(lambda: out.append(
                sum(len(v) for v in http.globalAgent.freeSockets.values()))))

        serve(lambda req, res: res.end("ok"), go)

    run_bounded(main, timeout=10)
    assert out[0] == 200
    assert out[1] == 1  # parked for reuse


def test_request_timeout_and_destroy() -> None:
    events: list[Any] = []

    def main() -> None:
        def handler(req: Any, res: Any) -> None:
            pass  # never answers

        def go(srv: Any, port: int) -> None:
            req = http.request({"host": "127.0.0.1", "port": port, "agent": False})

            def on_timeout() -> None:
                events.append("timeout")
                req.destroy()

            req.setTimeout(50, on_timeout)
            req.on("error", lambda e: events.append(("error", e.code)))
            req.on("close", lambda: (events.append("close"), srv.close(),
                                     srv.closeAllConnections()))
            req.end()

        serve(handler, go)

    run_bounded(main, timeout=10)
    assert events == ["timeout", ("error", "ECONNRESET"), "close"]
