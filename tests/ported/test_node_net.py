"""net tests ported from Node v20's test/parallel/test-net-*.js.

Each test names its upstream file. Ported where jsloop has the feature; the
JavaScript is followed statement by statement, with ``common.mustCall`` as the
``must`` fixture. Deviations are named in the test: Python's None stands for
both ``null`` and ``undefined``; ``process.exit`` and ``process.on('exit')``
checks become checks after ``run`` returns; no test reaches the network (a
host that needs DNS is 'localhost').

Not ported: tests of ``_handle`` internals (fake handles, ``TCPWrap``),
cluster/child-process/fd/IPC ones, ``autoSelectFamily``, custom ``lookup``,
``onread``, ``highWaterMark`` on sockets, ``'readable'``/``read()`` on sockets
and ``pipe`` (they need net.Socket as a stream Duplex: issue 9).
"""

from __future__ import annotations

import math
import os
import tempfile
from typing import Any

import pytest
from _io_helpers import no_leaks, run_bounded  # noqa: F401

import jsloop
from jsloop import net, nextTick, setTimeout

pytestmark = pytest.mark.usefixtures("no_leaks")

LOCALHOST_IPV4 = "127.0.0.1"


def throws(code: str, fn: Any, *args: Any, cls: type[BaseException] = Exception,
           message: str | None = None) -> BaseException:
    with pytest.raises(cls) as info:
        fn(*args)
    assert getattr(info.value, "code", None) == code, info.value
    if message is not None:
        assert str(info.value) == message
    return info.value


def test_after_close(must: Any) -> None:
    """Ported from test/parallel/test-net-after-close.js."""

    def main() -> None:
        server = net.createServer(must.call(lambda s: s.end()))

        def listening() -> None:
            c = net.createConnection(server.address().port)  # type: ignore[union-attr]

            def on_close() -> None:
                # Calling functions / accessing properties of a closed socket must not throw.
                c.setNoDelay()
                c.setKeepAlive()
                _ = c.bufferSize
                c.pause()
                c.resume()
                c.address()
                _ = c.remoteAddress
                _ = c.remotePort
                server.close()

            c.on("close", must.call(on_close))

        server.listen(0, must.call(listening))

    run_bounded(main)


@pytest.mark.parametrize("end_first", [False, True])
def test_allow_half_open(must: Any, end_first: bool) -> None:
    """Ported from test/parallel/test-net-allow-half-open.js (both blocks)."""

    def main() -> None:
        server = net.createServer(must.call(lambda socket: socket.end(bytes(1024))))

        def listening() -> None:
            socket = net.connect(server.address().port)  # type: ignore[union-attr]
            assert socket.allowHalfOpen is False
            socket.resume()
            if not end_first:
                def on_end() -> None:
                    def later() -> None:
                        # Not destroyed straight away without a proper shutdown.
                        assert not socket.destroyed
                        server.close()

                    nextTick(later)

                socket.on("end", must.call(on_end))
                socket.on("finish", must.call(lambda: _check(not socket.destroyed)))
                socket.on("close", must.call())
            else:
                socket.on("end", must.call(lambda: _check(not socket.destroyed)))
                socket.end("asd")
                socket.on("finish", must.call(lambda: _check(not socket.destroyed)))
                socket.on("close", must.call(lambda: server.close()))

        server.listen(0, must.call(listening))

    run_bounded(main)


def _check(cond: bool) -> None:
    assert cond


def test_bind_twice(must: Any) -> None:
    """Ported from test/parallel/test-net-bind-twice.js."""

    def main() -> None:
        server1 = net.createServer(must.not_call())

        def listening() -> None:
            server2 = net.createServer(must.not_call())
            server2.listen(server1.address().port, "127.0.0.1",  # type: ignore[union-attr]
                           must.not_call())

            def on_error(e: Any) -> None:
                assert e.code == "EADDRINUSE"
                server1.close()

            server2.on("error", must.call(on_error))

        server1.listen(0, "127.0.0.1", must.call(listening))

    run_bounded(main)


def test_buffersize(must: Any) -> None:
    """Ported from test/parallel/test-net-buffersize.js (the server drains with resume()
    instead of 'readable' + read(), which sockets do not have yet)."""
    iters = 10

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            socket.resume()
            socket.on("end", lambda: server.close())

        server = net.createServer(on_conn)

        def listening() -> None:
            client = net.connect(server.address().port)  # type: ignore[union-attr]
            client.on("finish", must.call(lambda: _check(client.bufferSize == 0)))
            for i in range(1, iters):
                client.write("a")
                assert client.bufferSize == i
            client.end()

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_bytes_read(must: Any) -> None:
    """Ported from test/parallel/test-net-bytes-read.js."""
    big = bytes(1024 * 1024)

    def main() -> None:
        def handler(socket: net.Socket) -> None:
            socket.end(big)
            server.close()

        server = net.createServer(must.call(handler))
        prev = [0]

        def on_listen() -> None:
            def on_data(chunk: bytes) -> None:
                assert socket.bytesRead > prev[0]
                prev[0] = socket.bytesRead

            def on_end() -> None:
                assert socket.bytesRead == prev[0] == len(big)

            def on_close() -> None:
                assert socket.bytesRead == prev[0] == len(big)

            def on_connect() -> None:
                socket.on("data", must.call(on_data, None))
                socket.on("end", must.call(on_end))
                socket.on("close", must.call(on_close))
                socket.end()

            socket = net.connect(server.address().port, must.call(on_connect))  # type: ignore

        server.listen(0, must.call(on_listen))

    run_bounded(main)


def test_can_reset_timeout(must: Any) -> None:
    """Ported from test/parallel/test-net-can-reset-timeout.js."""

    def main() -> None:
        def on_conn(stream: net.Socket) -> None:
            stream.setTimeout(100)
            stream.resume()
            stream.once("timeout", must.call(lambda: stream.write("WHAT.")))
            stream.on("end", must.call(lambda: stream.end()))

        server = net.createServer(must.call(on_conn))

        def listening() -> None:
            c = net.createConnection(server.address().port)  # type: ignore[union-attr]
            c.on("data", lambda d: c.end())
            c.on("end", lambda: server.close())

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_connect_after_destroy() -> None:
    """Ported from test/parallel/test-net-connect-after-destroy.js ('localhost' stands for
    google.com: a name to resolve, without the network). The run must end."""

    def main() -> None:
        c = net.createConnection(80, "localhost")
        c.destroy()

    run_bounded(main)


def test_connect_call_socket_connect(must: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ported from test/parallel/test-net-connect-call-socket-connect.js."""
    orig = net.Socket.connect
    patched = must.call(lambda self, *a, **k: orig(self, *a, **k))

    def connect(self: net.Socket, *a: Any, **k: Any) -> Any:
        return patched(self, *a, **k)

    monkeypatch.setattr(net.Socket, "connect", connect)

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            port = server.address().port  # type: ignore[union-attr]
            client = net.connect({"port": port}, must.call(lambda: client.end()))
            client.on("end", must.call(lambda: server.close()))

        server.listen(must.call(listening))

    run_bounded(main)


def test_connect_destroy(must: Any) -> None:
    """Ported from test/parallel/test-net-connect-destroy.js."""

    def main() -> None:
        socket = net.Socket()
        socket.on("close", must.call())
        socket.destroy()

    run_bounded(main)


def test_connect_immediate_destroy(must: Any) -> None:
    """Ported from test/parallel/test-net-connect-immediate-destroy.js (jsloop's address()
    is None until the bind, one tick later: the port comes from a listening callback)."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            port = server.address().port  # type: ignore[union-attr]
            socket = net.connect(port, LOCALHOST_IPV4, must.not_call())
            socket.on("error", must.not_call())
            server.close()
            socket.destroy()

        server.listen(0, listening)

    run_bounded(main)


def test_connect_no_arg() -> None:
    """Ported from test/parallel/test-net-connect-no-arg.js."""
    msg = 'The "options" or "port" or "path" argument must be specified'

    def main() -> None:
        throws("ERR_MISSING_ARGS", net.connect, message=msg)
        throws("ERR_MISSING_ARGS", net.Socket().connect, message=msg)
        throws("ERR_MISSING_ARGS", net.connect, {}, message=msg)
        throws("ERR_MISSING_ARGS", net.Socket().connect, {}, message=msg)

    run_bounded(main)


def test_connect_paused_connection(must: Any) -> None:
    """Ported from test/parallel/test-net-connect-paused-connection.js: a paused client
    and an unref'd server let the run end before the 1 s timer."""

    def main() -> None:
        server = net.createServer(lambda conn: conn.unref())

        def listening() -> None:
            net.connect(server.address().port, "localhost").pause()  # type: ignore[union-attr]
            setTimeout(must.not_call(), 1000).unref()

        server.listen(0, must.call(listening)).unref()

    run_bounded(main)


def test_during_close(must: Any) -> None:
    """Ported from test/parallel/test-net-during-close.js (the run ends with a destroy
    instead of process.exit(0))."""

    def main() -> None:
        server = net.createServer(lambda socket: socket.end())

        def listening() -> None:
            client = net.createConnection(server.address().port)  # type: ignore[union-attr]
            server.close()
            # Still connecting: reading these must not throw.
            _ = (client.remoteAddress, client.remoteFamily, client.remotePort)
            client.on("error", lambda e: None)
            client.destroy()

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_end_destroyed(must: Any) -> None:
    """Ported from test/parallel/test-net-end-destroyed.js."""

    def main() -> None:
        server = net.createServer()
        server.on("connection", must.call())

        def listening() -> None:
            socket = net.createConnection({"port": server.address().port})  # type: ignore

            def on_connect() -> None:
                def on_end() -> None:
                    assert socket.destroyed is False
                    server.close()

                socket.on("end", must.call(on_end))
                socket.end()

            socket.on("connect", must.call(on_connect))

        server.listen(must.call(listening))

    run_bounded(main)


def test_end_without_connect() -> None:
    """Ported from test/parallel/test-net-end-without-connect.js."""
    run_bounded(lambda: net.Socket().end())  # must not throw


def test_error_twice() -> None:
    """Ported from test/parallel/test-net-error-twice.js."""
    buf = b"b" * (10 * 1024 * 1024)
    errs: list[BaseException] = []

    def main() -> None:
        pair: dict[str, net.Socket] = {}

        def ready() -> None:
            if "client" in pair and "server" in pair:
                pair["client"].destroy()
                pair["server"].write(buf)

        def on_connection(conn: net.Socket) -> None:
            def on_error(err: BaseException) -> None:
                errs.append(err)
                assert not (len(errs) > 1 and errs[0] is errs[1]), "same error twice"

            conn.on("error", on_error)
            conn.on("close", lambda h: server.unref())
            pair["server"] = conn
            ready()

        server = net.createServer(on_connection)

        def listening() -> None:
            client = net.connect({"port": server.address().port})  # type: ignore[union-attr]

            def on_connect() -> None:
                pair["client"] = client
                ready()

            client.on("connect", on_connect)

        server.listen(0, listening)

    run_bounded(main)
    assert len(errs) == 1, errs


class _Str:
    def __init__(self, s: str) -> None:
        self.s = s

    def __str__(self) -> str:
        return self.s


def test_isip() -> None:
    """Ported from test/parallel/test-net-isip.js, test-net-isipv4.js (its core cases)
    and test-net-isipv6.js's isIP checks; ``{toString}`` objects are objects with ``__str__``."""
    cases = {
        "127.0.0.1": 4, "x127.0.0.1": 0, "example.com": 0,
        "0000:0000:0000:0000:0000:0000:0000:0000": 6,
        "0000:0000:0000:0000:0000:0000:0000:0000::0000": 0,
        "1050:0:0:0:5:600:300c:326b": 6, "2001:252:0:1::2008:6": 6,
        "2001:dead:beef:1::2008:6": 6, "2001::": 6, "2001:dead::": 6, "2001:dead:beef::": 6,
        "2001:dead:beef:1::": 6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff": 6,
        ":2001:252:0:1::2008:6:": 0, ":2001:252:0:1::2008:6": 0, "2001:252:0:1::2008:6:": 0,
        "2001:252::1::2008:6": 0, "::2001:252:1:2008:6": 6, "::2001:252:1:1.1.1.1": 6,
        "::2001:252:1:255.255.255.255": 6, "::2001:252:1:255.255.255.255.76": 0,
        "fe80::2008%eth0": 6, "fe80::2008%eth0.0": 6, "fe80::2008%eth0@1": 0,
        "::anything": 0, "::1": 6, "::": 6, "0000:0000:0000:0000:0000:0000:12345:0000": 0,
        "0": 0, "": 0,
    }
    for value, want in cases.items():
        assert net.isIP(value) == want, value
    for value in (None, 123, True, {}):
        assert net.isIP(value) == 0
        assert net.isIPv4(value) is False
        assert net.isIPv6(value) is False
    assert net.isIP(_Str("::2001:252:1:255.255.255.255")) == 6
    assert net.isIP(_Str("127.0.0.1")) == 4
    assert net.isIP(_Str("bla")) == 0
    assert net.isIPv4("127.0.0.1") is True
    assert net.isIPv4("example.com") is False
    assert net.isIPv4("2001:252:0:1::2008:6") is False
    assert net.isIPv4(_Str("::2001:252:1:255.255.255.255")) is False
    assert net.isIPv4(_Str("127.0.0.1")) is True
    assert net.isIPv6("127.0.0.1") is False
    assert net.isIPv6("2001:252:0:1::2008:6") is True
    assert net.isIPv6(_Str("::2001:252:1:255.255.255.255")) is True


def test_large_string(must: Any) -> None:
    """Ported from test/parallel/test-net-large-string.js."""
    pool = 40 * 1024
    data = "あ" * pool

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            received = [0]
            socket.setEncoding("UTF-8")
            socket.on("data", lambda d: received.__setitem__(0, received[0] + len(d)))

            def on_end() -> None:
                assert received[0] == pool
                socket.end()

            socket.on("end", must.call(on_end))

        server = net.createServer(must.call(on_conn))

        def listening() -> None:
            client = net.createConnection(server.address().port)  # type: ignore[union-attr]
            client.on("end", lambda: server.close())
            client.write(data, "UTF-8")
            client.end()

        server.listen(0, listening)

    run_bounded(main)


def test_listen_close_server(must: Any) -> None:
    """Ported from test/parallel/test-net-listen-close-server.js."""

    def main() -> None:
        server = net.createServer(lambda socket: None)
        server.listen(0, must.not_call())
        server.on("error", must.not_call())
        server.close()

    run_bounded(main)


def test_listen_error(must: Any) -> None:
    """Ported from test/parallel/test-net-listen-error.js."""

    def main() -> None:
        server = net.createServer(lambda socket: None)
        server.listen(1, "1.1.1.1", must.not_call())  # EACCES or EADDRNOTAVAIL
        server.on("error", must.call())

    run_bounded(main)


def test_listening(must: Any) -> None:
    """Ported from test/parallel/test-net-listening.js."""

    def main() -> None:
        server = net.createServer()
        assert server.listening is False

        def listening() -> None:
            assert server.listening is True
            server.close(must.call(lambda: _check(server.listening is False)))

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_local_address_port(must: Any) -> None:
    """Ported from test/parallel/test-net-local-address-port.js."""

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            addr = server.address()
            assert socket.localAddress == LOCALHOST_IPV4
            assert socket.localPort == addr.port  # type: ignore[union-attr]
            assert socket.localFamily == addr.family  # type: ignore[union-attr]
            socket.on("end", lambda: server.close())
            socket.resume()

        server = net.createServer(must.call(on_conn))

        def listening() -> None:
            client = net.createConnection(server.address().port,  # type: ignore[union-attr]
                                          LOCALHOST_IPV4)
            client.on("connect", lambda: client.end())

        server.listen(0, LOCALHOST_IPV4, listening)

    run_bounded(main)


def test_pause_resume_connecting(must: Any) -> None:
    """Ported from test/parallel/test-net-pause-resume-connecting.js."""
    counts = {"connections": 0, "data": 0}

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            counts["connections"] += 1
            conn.end("This was the year he fell to pieces.")
            if counts["connections"] == 5:
                server.close()

        server = net.createServer(on_conn)

        def on_data_ok(_: Any) -> None:
            counts["data"] += 1

        def schedule_tear_down(conn: net.Socket) -> None:
            def tear_down() -> None:
                conn.removeAllListeners("data")
                conn.resume()

            setTimeout(tear_down, 100)

        def listening() -> None:
            port = server.address().port  # type: ignore[union-attr]
            conn = net.createConnection(port, "localhost")
            conn.resume()
            conn.on("data", on_data_ok)

            conn = net.createConnection(port, "localhost")
            conn.pause()
            conn.resume()
            conn.on("data", on_data_ok)

            conn = net.createConnection(port, "localhost")
            conn.pause()
            conn.on("data", must.not_call())
            schedule_tear_down(conn)

            conn = net.createConnection(port, "localhost")
            conn.resume()
            conn.pause()
            conn.resume()
            conn.on("data", on_data_ok)

            conn = net.createConnection(port, "localhost")
            conn.resume()
            conn.resume()
            conn.pause()
            conn.on("data", must.not_call())
            schedule_tear_down(conn)

        server.listen(0, listening)

    run_bounded(main)
    assert counts == {"connections": 5, "data": 3}


@pytest.mark.parametrize("where", ["pipe", "tcp", "ipv6-or-4"])
def test_pingpong(must: Any, where: str) -> None:
    """Ported from test/parallel/test-net-pingpong.js (one configuration per run)."""
    n = 1000
    state = {"count": 0, "sent_pongs": 0, "sent_final_ping": False}

    def ping_pong_test(port: Any, host: str | None = None) -> None:
        def on_socket(socket: net.Socket) -> None:
            assert socket.server is server
            assert server.getConnections(must.call(
                lambda err, connections: _check(err is None and connections == 1))) is server
            socket.setNoDelay()
            socket.timeout = 0
            socket.setEncoding("utf8")

            def on_data(data: str) -> None:
                assert 0 <= socket.bufferSize <= 4  # type: ignore[operator]
                assert socket.writable is True
                assert socket.readable is True
                assert state["count"] <= n
                assert data == "PING"
                socket.write("PONG", must.call(
                    lambda: state.__setitem__("sent_pongs", state["sent_pongs"] + 1)))

            def on_end() -> None:
                assert socket.allowHalfOpen is True
                assert socket.writable is True  # because allowHalfOpen
                assert socket.readable is False
                socket.end()

            def on_close() -> None:
                assert socket.writable is False
                assert socket.readable is False
                socket.server.close()  # type: ignore[union-attr]

            socket.on("data", must.call(on_data, n + 1))
            socket.on("end", must.call(on_end))
            socket.on("error", must.not_call())
            socket.on("close", must.call(on_close))

        server = net.createServer({"allowHalfOpen": True}, must.call(on_socket))

        def listening() -> None:
            nonlocal port
            addr = server.address()
            if not isinstance(addr, str):
                port = addr.port  # type: ignore[union-attr]
            client = net.createConnection(port, host) if host else net.createConnection(port)
            client.setEncoding("ascii")

            def on_connect() -> None:
                assert client.readable is True
                assert client.writable is True
                client.write("PING")

            def on_data(data: str) -> None:
                assert data == "PONG"
                state["count"] += 1
                if state["sent_final_ping"]:
                    assert client.writable is False
                    assert client.readable is True
                    return
                assert client.writable is True
                assert client.readable is True
                if state["count"] < n:
                    client.write("PING")
                else:
                    state["sent_final_ping"] = True
                    client.write("PING")
                    client.end()

            def on_close() -> None:
                assert state["count"] == n + 1
                assert state["sent_pongs"] == n + 1
                assert state["sent_final_ping"] is True

            client.on("connect", must.call(on_connect))
            client.on("data", must.call(on_data, n + 1))
            client.on("close", must.call(on_close))
            client.on("error", must.not_call())

        if host is None:
            server.listen(port, must.call(listening))
        else:
            server.listen(port, host, must.call(listening))

    with tempfile.TemporaryDirectory() as tmp:
        def main() -> None:
            if where == "pipe":
                ping_pong_test(os.path.join(tmp, "pingpong.sock"))
            elif where == "tcp":
                ping_pong_test(0)
            else:
                ping_pong_test(0, "::1" if _has_ipv6() else "127.0.0.1")

        run_bounded(main, timeout=30)


def _has_ipv6() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_reconnect() -> None:
    """Ported from test/parallel/test-net-reconnect.js."""
    n = 50
    counts = {"recv": 0, "end": 0, "disconnect": 0}

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            socket.resume()
            socket.write("hello\r\n")
            socket.on("end", lambda: socket.end())
            socket.on("close", lambda had_error: _check(had_error is False))

        server = net.createServer(on_conn)

        def listening() -> None:
            client = net.createConnection(server.address().port)  # type: ignore[union-attr]
            client.setEncoding("UTF8")

            def on_data(chunk: str) -> None:
                counts["recv"] += 1
                assert chunk == "hello\r\n"
                client.end()

            def on_end() -> None:
                counts["end"] += 1

            def on_close(had_error: bool) -> None:
                assert had_error is False
                counts["disconnect"] += 1
                if counts["disconnect"] - 1 < n:
                    client.connect(server.address().port)  # type: ignore[union-attr]
                else:
                    server.close()

            client.on("data", on_data)
            client.on("end", on_end)
            client.on("close", on_close)

        server.listen(0, listening)

    run_bounded(main, timeout=30)
    assert counts == {"recv": n + 1, "end": n + 1, "disconnect": n + 1}


def test_remote_address_port(must: Any) -> None:
    """Ported from test/parallel/test-net-remote-address-port.js."""
    addrs = (LOCALHOST_IPV4, "::1", "::ffff:127.0.0.1")
    families = ("IPv4", "IPv6")

    def main() -> None:
        closed = [0]

        def on_conn(socket: net.Socket) -> None:
            assert socket.remoteAddress in addrs
            assert socket.remoteFamily in families
            assert socket.remotePort
            assert socket.remotePort != server.address().port  # type: ignore[union-attr]

            def on_end() -> None:
                closed[0] += 1
                if closed[0] == 2:
                    server.close()

            socket.on("end", on_end)
            socket.on("close", lambda h: _check(socket.remoteAddress in addrs
                                                and socket.remoteFamily in families))
            socket.resume()

        server = net.createServer(must.call(on_conn, 2))

        def listening() -> None:
            port = server.address().port  # type: ignore[union-attr]
            client = net.createConnection(port, "127.0.0.1")
            client2 = net.createConnection(port)
            for c in (client, client2):
                assert c.remoteAddress is None
                assert c.remoteFamily is None
                assert c.remotePort is None

            def watch(c: net.Socket) -> None:
                def on_connect() -> None:
                    assert c.remoteAddress in addrs
                    assert c.remoteFamily in families
                    assert c.remotePort == port
                    c.end()

                c.on("connect", on_connect)
                c.on("close", lambda h: _check(c.remoteAddress in addrs
                                               and c.remoteFamily in families))

            watch(client)
            watch(client2)

        server.listen(0, listening)

    run_bounded(main)


def test_server_close(must: Any) -> None:
    """Ported from test/parallel/test-net-server-close.js."""

    def main() -> None:
        sockets: list[net.Socket] = []

        def on_conn(c: net.Socket) -> None:
            c.on("close", must.call())
            sockets.append(c)
            if len(sockets) == 2:
                assert server.close() is server
                for s in sockets:
                    s.destroy()

        server = net.createServer(on_conn)
        server.on("close", must.call())

        def listening() -> None:
            net.createConnection(server.address().port)  # type: ignore[union-attr]
            net.createConnection(server.address().port)  # type: ignore[union-attr]

        assert server.listen(0, listening) is server

    run_bounded(main)


def test_server_max_connections(must: Any) -> None:
    """Ported from test/parallel/test-net-server-max-connections.js."""
    n = 20
    closes = [0]
    waits: list[Any] = []

    def main() -> None:
        def on_conn(connection: net.Socket) -> None:
            connection.write("hello")
            waits.append(lambda: connection.end())

        server = net.createServer(must.call(on_conn, n // 2))
        server.maxConnections = n // 2

        def make_connection(index: int) -> None:
            c = net.createConnection(server.address().port)  # type: ignore[union-attr]
            got_data = [False]

            def on_connect() -> None:
                if index + 1 < n:
                    make_connection(index + 1)

                def on_close(h: bool) -> None:
                    closes[0] += 1
                    if closes[0] < n // 2:
                        assert server.maxConnections <= index  # type: ignore[operator]
                    if closes[0] == n // 2:
                        while waits:
                            waits.pop(0)()
                        server.close()
                    if index < server.maxConnections:  # type: ignore[operator]
                        assert got_data[0] is True
                    else:
                        assert got_data[0] is False

                c.on("close", on_close)

            c.on("connect", on_connect)
            c.on("data", lambda b: got_data.__setitem__(0, True))
            c.on("error", lambda e: None)  # the refused ones may be reset

        server.listen(0, lambda: make_connection(0))

    run_bounded(main, timeout=30)
    assert closes[0] == n


def test_server_pause_on_connect(must: Any) -> None:
    """Ported from test/parallel/test-net-server-pause-on-connect.js."""
    msg = "test"
    state = {"stopped": True}

    def main() -> None:
        server1_sock: list[net.Socket] = []

        def server1_handler(socket: net.Socket) -> None:
            def on_data(data: bytes) -> None:
                assert not state["stopped"], "data event should not have happened yet"
                assert data.decode() == msg
                socket.end()
                server1.close()

            socket.on("data", on_data)
            server1_sock.append(socket)

        server1 = net.createServer({"pauseOnConnect": True}, server1_handler)

        def server2_handler(socket: net.Socket) -> None:
            def on_data(data: bytes) -> None:
                assert data.decode() == msg
                socket.end()
                server2.close()
                assert server1_sock[0].bytesRead == 0
                server1_sock[0].resume()
                state["stopped"] = False

            socket.on("data", on_data)

        server2 = net.createServer({"pauseOnConnect": False}, server2_handler)

        def listening1() -> None:
            def client_handler() -> None:
                def listening2() -> None:
                    net.createConnection(
                        {"port": server2.address().port}).write(msg)  # type: ignore[union-attr]

                server2.listen(0, listening2)

            net.createConnection({"port": server1.address().port}).write(  # type: ignore
                msg, must.call(client_handler))

        server1.listen(0, listening1)

    run_bounded(main)
    assert state["stopped"] is False


def test_server_unref(must: Any) -> None:
    """Ported from test/parallel/test-net-server-unref.js."""

    def main() -> None:
        s = net.createServer()
        s.listen(0)
        s.unref()
        setTimeout(must.not_call(), 1000).unref()

    run_bounded(main)


def test_settimeout(must: Any) -> None:
    """Ported from test/parallel/test-net-settimeout.js."""
    t = 100

    def main() -> None:
        server = net.createServer(must.call(lambda c: c.write("hello")))

        def listening() -> None:
            socket = net.createConnection(server.address().port, "localhost")  # type: ignore
            s = socket.setTimeout(t, must.not_call())
            assert isinstance(s, net.Socket)

            def on_data(_: bytes) -> None:
                def later() -> None:
                    socket.destroy()
                    server.close()

                setTimeout(later, t * 2)

            socket.on("data", must.call(on_data))
            socket.setTimeout(0)

        server.listen(0, listening)

    run_bounded(main)


def test_socket_byteswritten(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-byteswritten.js."""

    def main() -> None:
        server = net.createServer(lambda socket: socket.end())

        def listening() -> None:
            socket = net.connect(server.address().port)  # type: ignore[union-attr]
            socket.cork()
            socket.write("one")
            socket.write("twø".encode())
            socket.uncork()
            assert socket.bytesWritten == 3 + 4
            socket.on("connect", must.call(lambda: _check(socket.bytesWritten == 7)))

            def on_end() -> None:
                assert socket.bytesWritten == 7
                server.close()

            socket.on("end", must.call(on_end))

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_socket_connecting() -> None:
    """Ported from test/parallel/test-net-socket-connecting.js (``_connecting`` is
    Node's deprecated alias, not ported)."""

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.end()
            server.close()

        server = net.createServer(on_conn)

        def listening() -> None:
            def connected() -> None:
                assert client.connecting is False
                client.end()

            client = net.connect(server.address().port, connected)  # type: ignore[union-attr]
            assert client.connecting is True

        server.listen(0, listening)

    run_bounded(main)


def test_socket_destroy_send(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-destroy-send.js."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            conn = net.createConnection(server.address().port)  # type: ignore[union-attr]

            def on_connect() -> None:
                assert conn.destroy().destroy() is conn
                conn.on("error", must.not_call())

                def cb(err: Any) -> None:
                    assert err.code == "ERR_STREAM_DESTROYED"
                    assert str(err) == "Cannot call write after a stream was destroyed"

                conn.write(b"kaboom", must.call(cb))
                server.close()

            conn.on("connect", must.call(on_connect))

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_socket_destroy_twice(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-destroy-twice.js (the port comes from a
    listening callback: jsloop binds a host-less listen at once, Node does too, but
    the closed port is what matters: the connect is refused)."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            conn = net.createConnection(server.address().port)  # type: ignore[union-attr]
            conn.on("error", must.call(lambda e: conn.destroy()))
            conn.on("close", must.call())
            server.close()

        server.listen(0, listening)

    run_bounded(main)


def test_socket_end_before_connect(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-end-before-connect.js."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            socket = net.createConnection(server.address().port)  # type: ignore[union-attr]
            socket.on("close", must.call(lambda: server.close()))
            socket.end()

        server.listen(must.call(listening))

    run_bounded(main)


def test_socket_end_callback(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-end-callback.js."""

    def main() -> None:
        server = net.createServer(lambda socket: socket.resume()).unref()
        cb = must.call(None, 3)

        def listening() -> None:
            def connect(*args: Any) -> None:
                def connected() -> None:
                    socket.end(*args)

                socket = net.createConnection(server.address().port,  # type: ignore
                                              connected)

            connect(cb)
            connect("foo", cb)
            connect("foo", "utf8", cb)

        server.listen(must.call(listening))

    run_bounded(main)


def test_socket_timeout(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-timeout.js (JS-only values — functions,
    arrays, Symbols — become their closest Python values)."""

    def main() -> None:
        s = net.Socket()
        for delay in ["100", True, False, None, "", {}, lambda: None, []]:
            throws("ERR_INVALID_ARG_TYPE", s.setTimeout, delay, lambda: None)
        for delay in [-0.001, -1, -math.inf, math.inf, math.nan]:
            throws("ERR_OUT_OF_RANGE", s.setTimeout, delay, lambda: None)
        for delay in [0, 0.001, 1, 1e6]:
            s.setTimeout(delay, lambda: None)
        for bad_cb in [1, "100", True, False, {}, []]:
            for msec in (0, 1):
                throws("ERR_INVALID_ARG_TYPE", s.setTimeout, msec, bad_cb, cls=TypeError)
        s.setTimeout(0)
        server = net.Server()

        def listening() -> None:
            socket = net.createConnection(server.address().port)  # type: ignore[union-attr]

            def on_timeout() -> None:
                socket.destroy()
                assert socket.setTimeout(1, must.not_call()) is socket
                server.close()

            assert socket.setTimeout(1, must.call(on_timeout)) is socket

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_timeout_no_handle(must: Any) -> None:
    """Ported from test/parallel/test-net-timeout-no-handle.js."""

    def main() -> None:
        socket = net.Socket()
        socket.setTimeout(50)
        socket.on("timeout", must.call(lambda: _check(socket.fileno() == -1)))
        socket.on("connect", must.not_call())
        setTimeout(lambda: None, 200)

    run_bounded(main)


def test_writable(must: Any) -> None:
    """Ported from test/parallel/test-net-writable.js."""

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            server.close()
            s.end()

        server = net.createServer(must.call(on_conn))

        def listening() -> None:
            socket = net.connect(server.address().port, "127.0.0.1")  # type: ignore[union-attr]

            def on_end() -> None:
                assert socket.writable is True
                socket.write("hello world")

            socket.on("end", must.call(on_end))

        server.listen(0, "127.0.0.1", must.call(listening))

    run_bounded(main)


def test_write_after_close(must: Any) -> None:
    """Ported from test/parallel/test-net-write-after-close.js."""

    def main() -> None:
        server_socket: list[net.Socket] = []

        def on_conn(socket: net.Socket) -> None:
            server_socket.append(socket)
            socket.resume()
            socket.on("error", must.not_call())

        server = net.createServer(must.call(on_conn))

        def listening() -> None:
            def connected() -> None:
                def on_end() -> None:
                    def cb(err: Any) -> None:
                        assert err
                        server.close()

                    server_socket[0].write("test", must.call(cb))

                client.on("end", must.call(on_end))
                client.end()

            client = net.connect(server.address().port, connected)  # type: ignore[union-attr]

        server.listen(0, listening)

    run_bounded(main)


def test_write_after_end_nt(must: Any) -> None:
    """Ported from test/parallel/test-net-write-after-end-nt.js."""

    def main() -> None:
        server = net.createServer(must.call(lambda socket: socket.end()))

        def listening() -> None:
            has_error = [False]

            def connected() -> None:
                def on_error(err: Any) -> None:
                    has_error[0] = True
                    server.close()

                client.on("error", must.call(on_error))

                def on_end() -> None:
                    def cb(err: Any) -> None:
                        assert err.code == "EPIPE"
                        assert str(err) == "This socket has been ended by the other party"

                    ret = client.write("hello", must.call(cb))
                    assert ret is False
                    assert not has_error[0], "The error should be emitted in the next tick."

                client.on("end", must.call(on_end))
                client.end()

            client = net.connect(server.address().port, connected)  # type: ignore[union-attr]

        server.listen(listening)

    run_bounded(main)


def test_write_arguments() -> None:
    """Ported from test/parallel/test-net-write-arguments.js (without highWaterMark: 0)."""

    def main() -> None:
        socket = net.Socket()
        throws("ERR_STREAM_NULL_VALUES", socket.write, None, cls=TypeError,
               message="May not write null values to stream")
        for value in [True, False, 1, 1.0, math.inf, -math.inf, [], {}]:
            throws("ERR_INVALID_ARG_TYPE", net.Socket().write, value, cls=TypeError)

    run_bounded(main)


def test_write_cb_on_destroy_before_connect(must: Any) -> None:
    """Ported from test/parallel/test-net-write-cb-on-destroy-before-connect.js."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            socket = net.Socket()
            socket.on("connect", must.not_call())
            socket.connect({"port": server.address().port})  # type: ignore[union-attr]
            assert socket.connecting
            socket.write("foo", must.call(
                lambda err: _check(err.code == "ERR_SOCKET_CLOSED_BEFORE_CONNECTION")))
            socket.destroy()
            server.close()

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_write_connect_write(must: Any) -> None:
    """Ported from test/parallel/test-net-write-connect-write.js (the server echoes with
    'data' + write instead of ``socket.pipe(socket)``)."""

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            socket.on("data", socket.write)
            socket.on("end", lambda: socket.end())

        server = net.createServer(on_conn)

        def listening() -> None:
            conn = net.connect(server.address().port)  # type: ignore[union-attr]
            received = [""]
            conn.setEncoding("utf8")
            conn.write("before")
            conn.on("connect", lambda: conn.write(" after"))

            def on_data(buf: str) -> None:
                received[0] += buf
                conn.end()

            def on_end() -> None:
                server.close()
                assert received[0] == "before after"

            conn.on("data", on_data)
            conn.on("end", must.call(on_end))

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_write_slow(must: Any) -> None:
    """Ported from test/parallel/test-net-write-slow.js."""
    size, n = 200_000, 10
    buf = b"a" * size
    state = {"flushed": 0, "received": 0}

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            socket.setNoDelay()
            socket.setTimeout(9999)

            def on_timeout() -> None:
                raise AssertionError(f"flushed: {state['flushed']}, received: "
                                     f"{state['received']}/{size * n}")

            socket.on("timeout", on_timeout)

            def flushed() -> None:
                state["flushed"] += 1
                if state["flushed"] == n:
                    socket.setTimeout(0)

            for _ in range(n):
                socket.write(buf, flushed)
            socket.end()

        server = net.createServer(on_conn)

        def listening() -> None:
            conn = net.connect(server.address().port)  # type: ignore[union-attr]

            def on_data(b: bytes) -> None:
                state["received"] += len(b)
                conn.pause()
                setTimeout(lambda: conn.resume(), 20)

            def on_end() -> None:
                server.close()
                assert state["received"] == size * n

            conn.on("data", on_data)
            conn.on("end", must.call(on_end))

        server.listen(0, must.call(listening))

    run_bounded(main, timeout=60)



def test_connect_options_allowhalfopen(must: Any) -> None:
    """Ported from test/parallel/test-net-connect-options-allowhalfopen.js."""
    variants = 6
    counts = {"client_received_fin": 0, "server_connections": 0, "client_sent_fin": 0,
              "server_received_fin": 0}
    host = LOCALHOST_IPV4

    def main() -> None:
        def server_on_connection(socket: net.Socket) -> None:
            counts["server_connections"] += 1
            client_id: list[str] = []
            socket.resume()
            socket.on("data", must.call(lambda data: client_id.append(data.decode())))

            def on_end() -> None:
                counts["server_received_fin"] += 1
                if counts["server_received_fin"] < variants:
                    return
                setTimeout(lambda: server.close(), 50)

            socket.on("end", must.call(on_end))
            socket.end()

        def client_on_connect(index: int, get: Any) -> Any:
            def inner() -> None:
                client = get()
                client.resume()

                def on_end() -> None:
                    def close_server() -> None:
                        assert not client.readable
                        assert client.writable
                        assert client.write(str(index))
                        client.end()
                        counts["client_sent_fin"] += 1

                    setTimeout(close_server, 50)

                def on_close() -> None:
                    counts["client_received_fin"] += 1

                client.on("end", must.call(on_end))
                client.on("close", must.call(on_close))

            return must.call(inner)

        def server_on_listen() -> None:
            port = server.address().port  # type: ignore[union-attr]
            opts = {"allowHalfOpen": True, "host": host, "port": port}
            c: dict[int, net.Socket] = {}
            c[1] = net.connect(opts, client_on_connect(1, lambda: c[1]))
            c[2] = net.connect(opts)
            c[2].on("connect", client_on_connect(2, lambda: c[2]))
            c[3] = net.createConnection(opts, client_on_connect(3, lambda: c[3]))
            c[4] = net.createConnection(opts)
            c[4].on("connect", client_on_connect(4, lambda: c[4]))
            c[5] = net.Socket(opts)
            c[5].connect(opts, client_on_connect(5, lambda: c[5]))
            c[6] = net.Socket(opts)
            c[6].connect(opts).on("connect", client_on_connect(6, lambda: c[6]))

        server = net.createServer({"allowHalfOpen": True})
        server.on("connection", must.call(server_on_connection, variants))
        server.on("close", must.call())
        server.listen(0, host, must.call(server_on_listen))

    run_bounded(main)
    assert counts == {"client_received_fin": 6, "server_connections": 6,
                      "client_sent_fin": 6, "server_received_fin": 6}


def test_listen_invalid_port(must: Any) -> None:
    """Ported from test/parallel/test-net-listen-invalid-port.js (without the internal
    ``_connectionKey``)."""
    invalid_port = 2**32 - 1

    def main() -> None:
        server = net.Server()
        server.listen(0, lambda: server.close())
        throws("ERR_SOCKET_BAD_PORT", net.Server().listen, {"port": invalid_port},
               must.not_call(), cls=ValueError)
        throws("ERR_SOCKET_BAD_PORT", net.Server().listen, invalid_port, must.not_call(),
               cls=ValueError)
        throws("ERR_SOCKET_BAD_PORT", net.Server().listen, invalid_port, "0.0.0.0",
               must.not_call(), cls=ValueError)

    run_bounded(main)


def test_better_error_messages_listen(must: Any) -> None:
    """Ported from test/parallel/test-net-better-error-messages-listen.js."""

    def main() -> None:
        server = net.createServer(must.not_call())
        server.listen(1, "1.1.1.1", must.not_call())

        def on_error(e: Any) -> None:
            assert e.address == "1.1.1.1"
            assert e.port == 1
            assert e.syscall == "listen"

        server.on("error", must.call(on_error))

    run_bounded(main)


def test_socket_local_address(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-local-address.js."""
    client_local_ports: list[int] = []
    server_remote_ports: list[int] = []
    conns = [0]

    def main() -> None:
        client = net.Socket()

        def on_conn(socket: net.Socket) -> None:
            server_remote_ports.append(socket.remotePort)  # type: ignore[arg-type]
            socket.end()

        server = net.createServer(on_conn)

        def on_close() -> None:
            assert server_remote_ports == client_local_ports
            assert conns[0] == 2

        server.on("close", must.call(on_close))

        def connect(*_: Any) -> None:
            if conns[0] == 2:
                server.close()
                return
            conns[0] += 1
            client.once("close", connect)
            ret = client.connect(server.address().port, LOCALHOST_IPV4,  # type: ignore
                                 lambda: client_local_ports.append(client.localPort))
            assert ret is client

        server.listen(0, LOCALHOST_IPV4, connect)

    run_bounded(main)


def test_eaddrinuse(must: Any) -> None:
    """Ported from test/parallel/test-net-eaddrinuse.js."""

    def main() -> None:
        server1 = net.createServer(lambda socket: None)
        server2 = net.createServer(lambda socket: None)

        def listening() -> None:
            def on_error(error: BaseException) -> None:
                assert "EADDRINUSE" in str(error)
                server1.close()

            server2.on("error", on_error)
            server2.listen(server1.address().port)  # type: ignore[union-attr]

        server1.listen(0, must.call(listening))

    run_bounded(main)


def test_server_listen_remove_callback() -> None:
    """Ported from test/parallel/test-net-server-listen-remove-callback.js."""
    closes: list[int] = []

    def main() -> None:
        server = net.createServer()

        def on_close() -> None:
            closes.append(len(server.listeners("listening")))

        server.on("close", on_close)
        server.listen(0, lambda: server.close())
        server.once("close", lambda: server.listen(0, lambda: server.close()))

    run_bounded(main)
    assert closes == [0, 0]


def test_server_call_listen_multiple_times(must: Any) -> None:
    """Ported from test/parallel/test-net-server-call-listen-multiple-times.js."""

    def main() -> None:
        dummy = net.Server()
        server = net.Server()
        dummy.listen(must.call(lambda: server.listen(dummy.address().port)))  # type: ignore

        def on_error(e: Any) -> None:
            def again() -> None:
                dummy.close()
                server.close()

            server.listen(must.call(again))

        server.on("error", must.call(on_error))

        server2 = net.Server()
        server2.listen(must.call(lambda: server2.close()))
        throws("ERR_SERVER_ALREADY_LISTEN", server2.listen)

        server3 = net.Server()

        def listening3() -> None:
            server3.close()
            server3.listen(must.call(lambda: server3.close()))

        server3.listen(must.call(listening3))

    run_bounded(main)


@pytest.mark.skipif(not _has_ipv6(), reason="no IPv6 support")
def test_listen_ipv6only(must: Any) -> None:
    """Ported from test/parallel/test-net-listen-ipv6only.js."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            port = server.address().port  # type: ignore[union-attr]
            socket = net.connect({"host": "0.0.0.0", "port": port})
            socket.on("connect", must.not_call())

            def on_error(err: Any) -> None:
                assert err.code == "ECONNREFUSED"
                server.close()

            socket.on("error", must.call(on_error))

        server.listen({"host": "::", "port": 0, "ipv6Only": True}, must.call(listening))

    run_bounded(main)


def _econnreset_read(err: Any) -> None:
    assert err.code == "ECONNRESET"
    assert err.strerror == "read ECONNRESET"


def test_connect_reset(must: Any) -> None:
    """Ported from test/parallel/test-net-connect-reset.js."""

    def main() -> None:
        socket = net.Socket()
        socket.resetAndDestroy()
        socket.on("error", must.call(lambda e: _check(e.code == "ERR_SOCKET_CLOSED")))

    run_bounded(main)


@pytest.mark.parametrize("upstream", ["test-net-connect-reset-after-destroy.js",
                                      "test-net-socket-reset-send.js"])
def test_connect_reset_after_destroy(must: Any, upstream: str) -> None:
    """Ported from test/parallel/test-net-connect-reset-after-destroy.js and
    test/parallel/test-net-socket-reset-send.js (the same program)."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            conn = net.createConnection(server.address().port)  # type: ignore[union-attr]
            server.on("connection", lambda socket: socket.on("error", _econnreset_read))

            def on_connect() -> None:
                assert conn.resetAndDestroy().destroy() is conn
                conn.on("error", must.not_call())

                def cb(err: Any) -> None:
                    assert err.code == "ERR_STREAM_DESTROYED"
                    assert str(err) == "Cannot call write after a stream was destroyed"

                conn.write(b"fzfzfzfzfz", must.call(cb))
                server.close()

            conn.on("connect", must.call(on_connect))

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_connect_reset_before_connected(must: Any) -> None:
    """Ported from test/parallel/test-net-connect-reset-before-connected.js (the port
    from a listening callback, as in test_connect_immediate_destroy)."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            port = server.address().port  # type: ignore[union-attr]
            socket = net.connect(port, LOCALHOST_IPV4, must.not_call())
            socket.on("error", must.not_call())
            server.close()
            socket.resetAndDestroy()
            socket.destroy()

        server.listen(0, listening)

    run_bounded(main)


def test_connect_reset_until_connected(must: Any) -> None:
    """Ported from test/parallel/test-net-connect-reset-until-connected.js."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            conn = net.createConnection(server.address().port)  # type: ignore[union-attr]
            count = [2]

            def connok(*_: Any) -> None:
                count[0] -= 1
                if count[0] == 0:
                    conn.resetAndDestroy()

            conn.on("close", must.call())

            def on_connection(socket: net.Socket) -> None:
                connok()
                socket.on("error", must.call(_econnreset_read))
                server.close()

            server.on("connection", on_connection)
            conn.on("connect", connok)

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_socket_reset_twice(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-reset-twice.js."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            conn = net.createConnection(server.address().port)  # type: ignore[union-attr]
            conn.on("error", must.call(lambda e: conn.resetAndDestroy()))
            conn.on("close", must.call())
            server.close()

        server.listen(0, listening)

    run_bounded(main)


def test_server_reset(must: Any) -> None:
    """Ported from test/parallel/test-net-server-reset.js."""

    def main() -> None:
        sockets: list[net.Socket] = []

        def on_conn(c: net.Socket) -> None:
            c.on("close", must.call())
            sockets.append(c)
            if len(sockets) == 2:
                assert server.close() is server
                for s in sockets:
                    s.resetAndDestroy()

        server = net.createServer(on_conn)
        server.on("close", must.call())

        def listening() -> None:
            for _ in range(2):
                net.createConnection(server.address().port).on(  # type: ignore[union-attr]
                    "error", must.call(lambda e: _check(e.code == "ECONNRESET")))

        assert server.listen(0, listening) is server

    run_bounded(main)


@pytest.mark.parametrize("block", ["buffer", "string", "corked"])
def test_bytes_written_large(must: Any, block: str) -> None:
    """Ported from test/parallel/test-net-bytes-written-large.js (its three blocks)."""
    n = 10_000_000

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            if block == "corked":
                socket.cork()
                socket.write("a" * n)
                assert socket.bytesWritten == n
                socket.write(bytes(n))
                assert socket.bytesWritten == 2 * n
                socket.end("", must.call(lambda: _check(socket.bytesWritten == 2 * n)))
                socket.uncork()
                return
            data: Any = bytes(n) if block == "buffer" else "a" * n
            socket.end(data, must.call(lambda: _check(socket.bytesWritten == n)))
            assert socket.bytesWritten == n

        server = net.createServer(must.call(on_conn))
        total = 2 * n if block == "corked" else n

        def listening() -> None:
            client = net.connect(server.address().port)  # type: ignore[union-attr]
            client.resume()

            def on_close() -> None:
                assert client.bytesRead == total
                server.close()

            client.on("close", must.call(on_close))

        server.listen(0, must.call(listening))

    run_bounded(main, timeout=60)


def test_stream(must: Any) -> None:
    """Ported from test/parallel/test-net-stream.js."""
    size, n = 2_000_000, 10
    buf = b"a" * size

    def main() -> None:
        def on_conn(socket: net.Socket) -> None:
            socket.setNoDelay()
            socket.on("error", must.call(lambda e: socket.destroy()))
            socket.on("close", must.call(lambda: server.close()))
            for _ in range(n):
                socket.write(buf, lambda *a: None)
            socket.end()

        server = net.createServer(on_conn)

        def listening() -> None:
            conn = net.connect(server.address().port)  # type: ignore[union-attr]

            def on_data(_: bytes) -> None:
                assert conn.pause() is conn
                setTimeout(lambda: conn.destroy(), 20)

            conn.on("data", on_data)

        server.listen(0, listening)

    run_bounded(main, timeout=30)


def test_server_max_connections_close_makes_more_available() -> None:
    """Ported from test/parallel/test-net-server-max-connections-close-makes-more-available.js."""
    connections: dict[int, net.Socket] = {}
    received: list[str] = []
    sent: list[str] = []

    def main() -> None:
        def create_connection(index: int) -> Any:
            def executor(resolve: Any, reject: Any) -> None:
                def connected() -> None:
                    msg = str(index)
                    connection.write(msg)
                    sent.append(msg)

                connection = net.createConnection(server.address().port,  # type: ignore
                                                  connected)

                def on_error(err: Any) -> None:
                    assert err.code == "ECONNRESET"
                    resolve(None)

                connection.on("error", on_error)
                connection.on("data", lambda e: resolve(None))
                connection.on("end", lambda: resolve(None))
                connections[index] = connection

            return jsloop.Promise(executor)

        def close_connection(index: int) -> Any:
            def executor(resolve: Any, reject: Any) -> None:
                connections[index].on("end", lambda: resolve(None))
                connections[index].end()

            return jsloop.Promise(executor)

        def on_conn(socket: net.Socket) -> None:
            def on_data(data: bytes) -> None:
                received.append(data.decode())
                socket.write("acknowledged")

            socket.on("data", on_data)

        server = net.createServer(on_conn)
        server.maxConnections = 1

        def listening() -> None:
            (create_connection(0)
             .then(lambda _: create_connection(1))
             .then(lambda _: close_connection(0))
             .then(lambda _: create_connection(2))
             .then(lambda _: create_connection(3))
             .then(lambda _: server.close())
             .then(lambda _: close_connection(2)))

        server.listen(0, listening)

    run_bounded(main)
    assert sent == ["0", "1", "2", "3"]
    assert received == ["0", "2"]


def test_socket_timeout_unref(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-timeout-unref.js: unref'd sockets with
    idle timeouts do not keep the run alive (it ends long before 2 s)."""

    def main() -> None:
        def on_conn(c: net.Socket) -> None:
            c.write("hello")
            c.unref()

        server = net.createServer(on_conn)
        server.listen(0)
        server.unref()
        connections = [0]
        sockets: list[tuple[net.Socket, int]] = []
        delays = [8, 5, 3, 6, 2, 4]

        def timed_out(s: net.Socket) -> None:
            s.destroy()
            raise AssertionError("socket timed out unexpectedly")

        def on_connect() -> None:
            connections[0] += 1
            if connections[0] == len(delays):
                for sock, timeout in sockets:
                    sock.setTimeout(timeout, lambda sock=sock: timed_out(sock))
                    sock.unref()

        for t in delays:
            socket = net.createConnection(server.address().port, "localhost")  # type: ignore
            socket.on("connect", must.call(on_connect))
            sockets.append((socket, t * 1000))

    run_bounded(main)


def test_socket_write_error(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-write-error.js."""

    def main() -> None:
        server = net.createServer()

        def listening() -> None:
            def connected() -> None:
                client.on("error", must.not_call())
                throws("ERR_INVALID_ARG_TYPE", client.write, 1337, cls=TypeError)
                client.destroy()

            client = net.createConnection(server.address().port, connected)  # type: ignore
            client.on("close", lambda h: server.close())

        server.listen(0, listening)

    run_bounded(main)


def test_socket_ready_without_cb(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-ready-without-cb.js."""

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.end()
            server.close()

        server = net.createServer(must.call(on_conn))

        def listening() -> None:
            client = net.Socket()
            client.on("ready", must.call(lambda: client.end()))
            client.connect(server.address())

        server.listen(0, "localhost", must.call(listening))

    run_bounded(main)


def _localhost_has_ipv6() -> bool:
    import socket

    try:
        return bool(socket.getaddrinfo("localhost", None, socket.AF_INET6))
    except OSError:
        return False


def test_socket_connect_without_cb(must: Any) -> None:
    """Ported from test/parallel/test-net-socket-connect-without-cb.js."""

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.end()
            server.close()

        server = net.createServer(must.call(on_conn))

        def listening() -> None:
            client = net.Socket()
            client.on("connect", must.call(lambda: client.end()))
            address: Any = server.address()
            # Upstream's common.hasIPv6 stands for "localhost resolves to IPv6" here:
            # connect(address) looks 'localhost' up in address's family (node fails
            # with ENOTFOUND too on a host whose localhost is IPv4 only).
            if not _localhost_has_ipv6() and address.family == "IPv6":
                client.connect(address.port)
            else:
                client.connect(address)

        server.listen(0, must.call(listening))

    run_bounded(main)


def test_sync_cork(must: Any) -> None:
    """Ported from test/parallel/test-net-sync-cork.js."""
    n = 100
    buf = b"aa"

    def main() -> None:
        def handle(socket: net.Socket) -> None:
            socket.resume()
            socket.on("error", must.not_call())
            socket.on("close", must.call(lambda: server.close()))

        server = net.createServer(handle)

        def listening() -> None:
            conn = net.connect(server.address().port)  # type: ignore[union-attr]

            def on_connect() -> None:
                res = True
                i = 0
                while i < n and res:
                    conn.cork()
                    conn.write(buf)
                    res = conn.write(buf)
                    conn.uncork()
                    i += 1
                assert i == n
                conn.end()

            conn.on("connect", on_connect)

        server.listen(0, listening)

    run_bounded(main)


def test_write_fully_async_buffer(must: Any) -> None:
    """Ported from test/parallel/test-net-write-fully-async-buffer.js (without the
    forced minor GC, which has no Python counterpart)."""
    data = bytes(1_000_000)

    def main() -> None:
        server = net.createServer(must.call(lambda conn: conn.resume()))

        def listening() -> None:
            count = [0]

            def write_loop() -> None:
                count[0] += 1
                if count[0] - 1 == 200:
                    conn.destroy()
                    server.close()
                    return
                while conn.write(bytes(data)):
                    pass

            def connected() -> None:
                conn.on("drain", write_loop)
                write_loop()

            conn = net.createConnection(server.address().port,  # type: ignore[union-attr]
                                        must.call(connected))

        server.listen(0, must.call(listening))

    run_bounded(main, timeout=60)


def test_throttle() -> None:
    """Ported from test/parallel/test-net-throttle.js."""
    state = {"chars": 0, "pauses": 0, "total": 0}

    def main() -> None:
        def on_conn(connection: net.Socket) -> None:
            body = "C" * 1024
            n = 1
            while connection.write(body):
                n += 1
            connection.write(body)
            connection.write(body)
            n += 2
            state["total"] = n * len(body)
            assert connection.bufferSize >= 0  # type: ignore[operator]
            assert connection.writableLength <= state["total"]
            connection.end()

        server = net.createServer(on_conn)

        def listening() -> None:
            paused = [False]
            client = net.createConnection(server.address().port)  # type: ignore[union-attr]
            client.setEncoding("ascii")

            def on_data(d: str) -> None:
                state["chars"] += len(d)
                if not paused[0]:
                    client.pause()
                    state["pauses"] += 1
                    paused[0] = True
                    x = state["chars"]

                    def later() -> None:
                        assert state["chars"] == x
                        client.resume()
                        paused[0] = False

                    setTimeout(later, 100)

            client.on("data", on_data)
            client.on("end", lambda: (server.close(), client.end()))

        server.listen(0, listening)

    run_bounded(main, timeout=30)
    assert state["chars"] == state["total"]
    assert state["pauses"] > 1


def test_keepalive(must: Any) -> None:
    """Ported from test/parallel/test-net-keepalive.js."""

    def main() -> None:
        conns: dict[str, net.Socket] = {}

        def on_conn(connection: net.Socket) -> None:
            conns["server"] = connection

            def later() -> None:
                assert conns["server"].readyState == "open"
                assert conns["client"].readyState == "open"
                conns["server"].end()
                conns["client"].end()
                echo_server.close()

            setTimeout(must.call(later), 100)
            connection.setTimeout(0)
            connection.setKeepAlive(True, 50)
            connection.on("end", lambda: connection.end())

        echo_server = net.createServer(on_conn)
        echo_server.listen(0)

        def listening() -> None:
            conns["client"] = net.createConnection(echo_server.address().port)  # type: ignore
            conns["client"].setTimeout(0)

        echo_server.on("listening", listening)

    run_bounded(main)


def test_server_options() -> None:
    """Ported from test/parallel/test-net-server-options.js."""

    def main() -> None:
        throws("ERR_INVALID_ARG_TYPE", net.createServer, "path", cls=TypeError)
        throws("ERR_INVALID_ARG_TYPE", net.createServer, 0, cls=TypeError)

    run_bounded(main)
