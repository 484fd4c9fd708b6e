"""jsloop.net edge cases from issue 8 ("Hardening"), each checked against node 20.

Every scenario is written twice, in JavaScript and in Python, prints the same
lines, and the two logs must match: node's (run when ``node`` is on PATH) and
jsloop's. Where the JavaScript run is not possible the Python log is compared
with the lines node printed when the scenario was written (``expected``).
Port numbers are masked. Each scenario failed before its fix.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
import subprocess
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from _io_helpers import no_leaks, run_bounded  # noqa: F401

import jsloop
from jsloop import net, nextTick, setImmediate, setTimeout

pytestmark = pytest.mark.usefixtures("no_leaks")

JS_PRELUDE = """
const net = require('net');
const str = (x) => x === undefined ? 'undefined' : String(x);
const log = (...a) => console.log(a.map(str).join(' '));
const code = (e) => e ? e.code : 'null';
"""


def js_str(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def mask(lines: list[str]) -> list[str]:
    return [re.sub(r"(\d+\.\d+\.\d+\.\d+):\d+", r"\1:PORT", line) for line in lines]


def undef(value: Any) -> Any:
    """Node prints ``undefined`` where jsloop returns None for a missing property."""
    return "undefined" if value is None else value


def code(err: Any) -> str:
    return "null" if err is None else str(getattr(err, "code", err))


def node_log(js: str) -> tuple[list[str], int]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")
    r = subprocess.run([node, "-e", JS_PRELUDE + js], capture_output=True, text=True,
                       timeout=30, check=False)
    return mask(r.stdout.splitlines()), r.returncode


def py_log(main: Callable[[Callable[..., None]], Any], timeout: float = 10.0
           ) -> tuple[list[str], BaseException | None]:
    lines: list[str] = []

    def log(*args: Any) -> None:
        lines.append(" ".join(js_str(a) for a in args))

    error: BaseException | None = None
    try:
        run_bounded(main, log, timeout=timeout)
    except Exception as exc:  # an uncaught error ends the run, as it exits node with 1
        error = exc
    return mask(lines), error


def check(js: str, main: Callable[[Callable[..., None]], Any], expected: list[str],
          exit_code: int = 0) -> BaseException | None:
    """jsloop's log equals node's (and node's still equals ``expected``)."""
    got, error = py_log(main)
    if exit_code == 0 and error is not None:
        raise error
    assert (error is not None) == (exit_code != 0), error
    assert got == expected
    if shutil.which("node"):
        want, rc = node_log(js)
        assert (want, rc) == (expected, exit_code)
    return error


# -- lookups that never finish the loop ---------------------------------------------------


def test_connect_to_localhost_then_destroy_exits() -> None:
    js = """
    const c = net.connect(1, 'localhost');
    c.on('lookup', () => log('lookup'));
    c.on('close', (h) => log('close', h));
    c.destroy();
    """

    def main(log: Callable[..., None]) -> None:
        c = net.connect(1, "localhost")
        c.on("lookup", lambda *a: log("lookup"))
        c.on("close", lambda h: log("close", h))
        c.destroy()

    check(js, main, ["close false"])


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_listen_on_a_host_then_close_never_binds(host: str) -> None:
    js = f"""
    const s = net.createServer();
    s.on('listening', () => log('listening'));
    s.on('close', () => log('close event'));
    s.listen(0, '{host}');
    s.close((e) => log('close cb', code(e)));
    """

    def main(log: Callable[..., None]) -> None:
        s = net.createServer()
        s.on("listening", lambda: log("listening"))
        s.on("close", lambda: log("close event"))
        s.listen(0, host)
        s.close(lambda e=None: log("close cb", code(e)))

    check(js, main, ["close event", "close cb ERR_SERVER_NOT_RUNNING"])


# -- destroy() settles queued writes and end() callbacks -----------------------------------

STALLED_SERVER_JS = "const s = net.createServer((c) => { c.pause(); });"


def stalled_server() -> net.Server:
    return net.createServer(lambda c: c.pause())


def test_destroy_with_a_write_in_flight_and_queued_ones() -> None:
    js = STALLED_SERVER_JS + """
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1', () => {
        log('w1', c.write(Buffer.alloc(8 << 20), (e) => log('cb1', code(e))));
        log('w2', c.write('x', (e) => log('cb2', code(e))));
        c.end((e) => log('endcb', code(e)));
        c.on('finish', () => log('finish'));
        c.on('error', (e) => log('error', e.code));
        c.on('close', (h) => { log('close', h); s.close(); });
        c.destroy();
        process.nextTick(() => log('tick'));
        setImmediate(() => log('immediate'));
      });
    });
    """

    def main(log: Callable[..., None]) -> None:
        s = stalled_server()

        def connected() -> None:
            log("w1", c.write(bytes(8 << 20), lambda e=None: log("cb1", code(e))))
            log("w2", c.write("x", lambda e=None: log("cb2", code(e))))
            c.end(lambda e=None: log("endcb", code(e)))
            c.on("finish", lambda: log("finish"))
            c.on("error", lambda e: log("error", e.code))
            c.on("close", lambda h: (log("close", h), s.close()))
            c.destroy()
            nextTick(lambda: log("tick"))
            setImmediate(lambda: log("immediate"))

        def listening() -> None:
            nonlocal c
            c = net.connect(s.address().port, "127.0.0.1", connected)  # type: ignore[union-attr]

        c: Any = None
        s.listen(0, "127.0.0.1", listening)

    check(js, main, ["w1 false", "w2 false", "tick", "immediate", "cb1 null",
                     "cb2 ERR_STREAM_DESTROYED", "endcb ERR_STREAM_DESTROYED", "close false"])


def test_destroy_while_connecting_with_writes() -> None:
    js = STALLED_SERVER_JS + """
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1');
      log('w1', c.write('a', (e) => log('cb1', code(e))));
      log('w2', c.write('b', (e) => log('cb2', code(e))));
      c.end((e) => log('endcb', code(e)));
      c.on('close', (h) => { log('close', h); s.close(); });
      c.destroy();
      setImmediate(() => log('immediate'));
    });
    """

    def main(log: Callable[..., None]) -> None:
        s = stalled_server()

        def listening() -> None:
            c = net.connect(s.address().port, "127.0.0.1")  # type: ignore[union-attr]
            log("w1", c.write("a", lambda e=None: log("cb1", code(e))))
            log("w2", c.write("b", lambda e=None: log("cb2", code(e))))
            c.end(lambda e=None: log("endcb", code(e)))
            c.on("close", lambda h: (log("close", h), s.close()))
            c.destroy()
            setImmediate(lambda: log("immediate"))

        s.listen(0, "127.0.0.1", listening)

    early = "ERR_SOCKET_CLOSED_BEFORE_CONNECTION"
    check(js, main, ["w1 true", "w2 true", "immediate", f"cb1 {early}", f"cb2 {early}",
                     f"endcb {early}", "close false"])


def test_destroy_with_the_shutdown_pending_reports_end_callback() -> None:
    js = STALLED_SERVER_JS + """
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1', () => {
        log('w1', c.write('a', (e) => log('cb1', code(e))));
        c.end((e) => log('endcb', code(e)));
        c.on('finish', () => log('finish'));
        c.on('close', (h) => { log('close', h); s.close(); });
        c.destroy();
        process.nextTick(() => log('tick'));
        setImmediate(() => log('immediate'));
        c.end((e) => log('endcb2', code(e)));
      });
    });
    """

    def main(log: Callable[..., None]) -> None:
        s = stalled_server()

        def connected() -> None:
            log("w1", c.write("a", lambda e=None: log("cb1", code(e))))
            c.end(lambda e=None: log("endcb", code(e)))
            c.on("finish", lambda: log("finish"))
            c.on("close", lambda h: (log("close", h), s.close()))
            c.destroy()
            nextTick(lambda: log("tick"))
            setImmediate(lambda: log("immediate"))
            c.end(lambda e=None: log("endcb2", code(e)))

        def listening() -> None:
            nonlocal c
            c = net.connect(s.address().port, "127.0.0.1", connected)  # type: ignore[union-attr]

        c: Any = None
        s.listen(0, "127.0.0.1", listening)

    check(js, main, ["w1 true", "cb1 null", "endcb ERR_STREAM_DESTROYED", "tick",
                     "endcb2 ERR_STREAM_DESTROYED", "immediate", "close false"])


# -- writing after the peer's FIN ---------------------------------------------------------

FIN_SERVER_JS = "const s = net.createServer((c) => { c.end(); });"


def test_write_after_fin_on_a_closed_socket_reports_epipe_and_exits_0() -> None:
    js = FIN_SERVER_JS + """
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1');
      c.on('end', () => {
        log('end');
        log('w1', c.write('x', (e) => log('cb1', code(e))));
      });
      c.on('finish', () => log('finish'));
      c.on('close', (h) => {
        log('close', h); s.close();
        log('w2', c.write('y', (e) => log('cb2', code(e))));
      });
    });
    process.on('exit', (c) => log('exit', c));
    """

    def main(log: Callable[..., None]) -> None:
        s = net.createServer(lambda c: c.end())

        def listening() -> None:
            c = net.connect(s.address().port, "127.0.0.1")  # type: ignore[union-attr]

            def on_end() -> None:
                log("end")
                log("w1", c.write("x", lambda e=None: log("cb1", code(e))))

            def on_close(h: bool) -> None:
                log("close", h)
                s.close()
                log("w2", c.write("y", lambda e=None: log("cb2", code(e))))

            c.on("end", on_end)
            c.on("finish", lambda: log("finish"))
            c.on("close", on_close)

        s.listen(0, "127.0.0.1", listening)
        jsloop.process.on("exit", lambda c: log("exit", c))

    check(js, main, ["end", "w1 true", "cb1 null", "finish", "close false", "w2 false",
                     "cb2 EPIPE", "exit 0"])


def test_write_after_fin_on_an_open_socket_is_an_epipe_error() -> None:
    js = FIN_SERVER_JS + """
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1');
      c.on('end', () => {
        log('end');
        process.nextTick(() => process.nextTick(() => {
          log('w1', c.write('x', (e) => log('cb1', code(e))));
        }));
      });
      c.on('close', (h) => { log('close', h); s.close(); });
    });
    """

    def main(log: Callable[..., None]) -> None:
        s = net.createServer(lambda c: c.end())

        def listening() -> None:
            c = net.connect(s.address().port, "127.0.0.1")  # type: ignore[union-attr]

            def write() -> None:
                log("w1", c.write("x", lambda e=None: log("cb1", code(e))))

            def on_end() -> None:
                log("end")
                nextTick(lambda: nextTick(write))

            c.on("end", on_end)
            c.on("close", lambda h: (log("close", h), s.close()))

        s.listen(0, "127.0.0.1", listening)

    err = check(js, main, ["end", "w1 false", "cb1 EPIPE"], exit_code=1)
    assert isinstance(err, BrokenPipeError)
    assert str(err) == "This socket has been ended by the other party"


# -- end / finish / close order -----------------------------------------------------------


def test_eof_and_shutdown_in_one_event_keep_end() -> None:
    """The peer's FIN is waiting when end() is called: EOF and the shutdown are due in
    the same turn. Node: finish (pending phase), end, close. (The JavaScript peer is a
    net socket; the Python one a plain socket, to put the FIN there at a known time.)"""
    js = """
    let peer;
    const s = net.createServer((c) => { peer = c; c.resume(); });
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect({port: s.address().port, host: '127.0.0.1', allowHalfOpen: true},
                            () => setTimeout(() => { peer.end(); c.end(); }, 20));
      c.resume();
      for (const ev of ['end', 'finish', 'close'])
        c.on(ev, () => { log(ev); if (ev === 'close') s.close(); });
    });
    """
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen()
    peers: list[socket.socket] = []

    def main(log: Callable[..., None]) -> None:
        def connected() -> None:
            peer, _ = lsock.accept()  # established already: does not block
            peers.append(peer)
            peer.shutdown(socket.SHUT_WR)  # the FIN is in c's receive queue now
            c.end()

        c = net.connect({"port": lsock.getsockname()[1], "host": "127.0.0.1",
                         "allowHalfOpen": True}, connected)
        c.resume()
        c.on("end", lambda: log("end"))
        c.on("finish", lambda: log("finish"))
        c.on("close", lambda h: log("close"))

    try:
        check(js, main, ["finish", "end", "close"])
    finally:
        for sock in [lsock, *peers]:
            sock.close()


def test_finish_comes_before_other_sockets_poll_events() -> None:
    """libuv 1.46's uv_shutdown runs in the pending phase: before the poll's 'data'."""
    js = """
    const peers = new Map(); let a, b, ready = 0;
    const s = net.createServer((c) => { peers.set(c.remotePort, c); go(); });
    function go() {
      if (++ready < 4) return;
      setImmediate(() => { peers.get(b.localPort).write('x'); a.end(); log('ended'); });
    }
    s.listen(0, '127.0.0.1', () => {
      b = net.connect(s.address().port, '127.0.0.1', go);
      a = net.connect(s.address().port, '127.0.0.1', go);
      b.on('data', () => { log('b data'); for (const p of peers.values()) p.destroy(); });
      a.on('finish', () => log('a finish'));
      a.on('close', () => { b.destroy(); s.close(); });
    });
    """

    def main(log: Callable[..., None]) -> None:
        peers: dict[int, net.Socket] = {}
        ready = [0]
        a: Any = None
        b: Any = None

        def go(*_: Any) -> None:
            ready[0] += 1
            if ready[0] < 4:
                return

            def now() -> None:
                peers[b.localPort].write("x")
                a.end()
                log("ended")

            setImmediate(now)

        def on_conn(c: net.Socket) -> None:
            peers[c.remotePort] = c  # type: ignore[index]
            go()

        s = net.createServer(on_conn)

        def on_b_data(_: bytes) -> None:
            log("b data")
            for p in list(peers.values()):
                p.destroy()

        def listening() -> None:
            nonlocal a, b
            port = s.address().port  # type: ignore[union-attr]
            b = net.connect(port, "127.0.0.1", go)
            a = net.connect(port, "127.0.0.1", go)
            b.on("data", on_b_data)
            a.on("finish", lambda: log("a finish"))
            a.on("close", lambda h: (b.destroy(), s.close()))

        s.listen(0, "127.0.0.1", listening)

    check(js, main, ["ended", "a finish", "b data"])


# -- idle timeout -------------------------------------------------------------------------


def test_idle_timeout_rearmed_by_a_read_after_it_fired() -> None:
    js = """
    let peer;
    const s = net.createServer((c) => { peer = c; });
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1');
      let n = 0;
      c.setTimeout(50);
      c.on('data', (d) => log('data', String(d)));
      c.on('timeout', () => {
        log('timeout', ++n);
        if (n === 1) peer.write('ping');
        else { c.destroy(); peer.destroy(); s.close(); }
      });
    });
    """

    def main(log: Callable[..., None]) -> None:
        peer: list[net.Socket] = []
        s = net.createServer(peer.append)
        n = [0]

        def listening() -> None:
            c = net.connect(s.address().port, "127.0.0.1")  # type: ignore[union-attr]
            c.setTimeout(50)
            c.on("data", lambda d: log("data", d.decode()))

            def on_timeout() -> None:
                n[0] += 1
                log("timeout", n[0])
                if n[0] == 1:
                    peer[0].write("ping")
                else:
                    c.destroy()
                    peer[0].destroy()
                    s.close()

            c.on("timeout", on_timeout)

        s.listen(0, "127.0.0.1", listening)

    check(js, main, ["timeout 1", "data ping", "timeout 2"])


# -- connect() twice, and again after close ----------------------------------------------


def test_second_connect_while_connecting_is_ealready() -> None:
    js = """
    const s = net.createServer((c) => { log('connection'); c.on('error', () => {}); c.resume(); });
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      const c = new net.Socket();
      c.on('error', (e) => log('error', e.code, e.message));
      c.on('connect', () => log('connect'));
      c.on('close', (h) => { log('close', h); s.close(); });
      c.connect(port, '127.0.0.1');
      c.connect(port, '127.0.0.1');
      log('second connect returned');
    });
    """

    def main(log: Callable[..., None]) -> None:
        def on_conn(c: net.Socket) -> None:
            log("connection")
            c.on("error", lambda e: None)
            c.resume()

        s = net.createServer(on_conn)

        def listening() -> None:
            port = s.address().port  # type: ignore[union-attr]
            c = net.Socket()
            c.on("error", lambda e: log("error", e.code, e.strerror))
            c.on("connect", lambda: log("connect"))
            c.on("close", lambda h: (log("close", h), s.close()))
            c.connect(port, "127.0.0.1")
            c.connect(port, "127.0.0.1")
            log("second connect returned")

        s.listen(0, "127.0.0.1", listening)

    msg = "connect EALREADY 127.0.0.1:PORT - Local (127.0.0.1:PORT)"
    check(js, main, ["second connect returned", f"error EALREADY {msg}", "connection",
                     "close true"])


def test_connect_after_close_reconnects() -> None:
    js = """
    let n = 0;
    const s = net.createServer((c) => { c.end('bye' + (++n)); });
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      const c = net.connect(port, '127.0.0.1');
      c.on('data', (d) => log('data', String(d)));
      c.on('connect', () => log('connect'));
      let closes = 0;
      c.on('close', (h) => {
        log('close', h, c.destroyed);
        if (++closes === 1) c.connect(port, '127.0.0.1'); else s.close();
      });
    });
    """

    def main(log: Callable[..., None]) -> None:
        n = [0]

        def on_conn(c: net.Socket) -> None:
            n[0] += 1
            c.end(f"bye{n[0]}")

        s = net.createServer(on_conn)

        def listening() -> None:
            port = s.address().port  # type: ignore[union-attr]
            c = net.connect(port, "127.0.0.1")
            c.on("data", lambda d: log("data", d.decode()))
            c.on("connect", lambda: log("connect"))
            closes = [0]

            def on_close(h: bool) -> None:
                log("close", h, c.destroyed)
                closes[0] += 1
                if closes[0] == 1:
                    c.connect(port, "127.0.0.1")
                else:
                    s.close()

            c.on("close", on_close)

        s.listen(0, "127.0.0.1", listening)

    check(js, main, ["connect", "data bye1", "close false true", "connect", "data bye2",
                     "close false true"])


# -- a socket that never starts reading does not hold the loop -----------------------------


def test_pause_on_connect_socket_does_not_read_or_hold_the_loop() -> None:
    js = """
    const s = net.createServer({pauseOnConnect: true}, (c) => {
      log('connection');
      c.on('data', (d) => log('server data', String(d)));
      s.close();
    });
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1', () => {
        c.write('hello'); c.unref(); log('client connected');
      });
    });
    process.on('exit', (c) => log('exit', c));
    """

    def main(log: Callable[..., None]) -> None:
        def on_conn(c: net.Socket) -> None:
            log("connection")
            c.on("data", lambda d: log("server data", d.decode()))
            s.close()

        s = net.createServer({"pauseOnConnect": True}, on_conn)

        def listening() -> None:
            def connected() -> None:
                c.write("hello")
                c.unref()
                log("client connected")

            c = net.connect(s.address().port, "127.0.0.1", connected)  # type: ignore[union-attr]

        s.listen(0, "127.0.0.1", listening)
        jsloop.process.on("exit", lambda c: log("exit", c))

    check(js, main, ["connection", "client connected", "exit 0"])


def test_client_paused_before_connect_does_not_read() -> None:
    js = """
    const s = net.createServer((c) => { log('connection'); c.write('hi'); c.unref(); s.close(); });
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1', () => log('connected', c.isPaused()));
      c.pause();
      c.on('data', (d) => log('client data', String(d)));
    });
    process.on('exit', (c) => log('exit', c));
    """

    def main(log: Callable[..., None]) -> None:
        def on_conn(c: net.Socket) -> None:
            log("connection")
            c.write("hi")
            c.unref()
            s.close()

        s = net.createServer(on_conn)

        def listening() -> None:
            c = net.connect(s.address().port, "127.0.0.1",  # type: ignore[union-attr]
                            lambda: log("connected", c.isPaused()))
            c.pause()
            c.on("data", lambda d: log("client data", d.decode()))

        s.listen(0, "127.0.0.1", listening)
        jsloop.process.on("exit", lambda c: log("exit", c))

    check(js, main, ["connection", "connected true", "exit 0"])


# -- big writes ---------------------------------------------------------------------------


def test_a_big_write_is_not_copied() -> None:
    """The unsent rest of a write stays a view into the caller's bytes (was +96 MiB for
    100 MB); queued writes go out in order with their callbacks."""
    size = 24 << 20
    data = bytes(range(256)) * (size // 256)
    got = hashlib.sha256()
    done: list[Any] = []

    def main() -> None:
        def on_conn(c: net.Socket) -> None:
            c.on("data", got.update)
            c.on("end", lambda: (c.end(), s.close()))

        s = net.createServer(on_conn)

        def connected() -> None:
            # Connected: the kernel takes what fits at once and the rest is queued.
            c.write(data, lambda e=None: done.append(("big", e)))
            for i in range(1000):
                c.write(b"%d," % i, lambda e=None, i=i: done.append((i, e)))
            c.end()

        def listening() -> None:
            nonlocal c
            c = net.connect(s.address().port, "127.0.0.1", connected)  # type: ignore[union-attr]

        c: Any = None

        s.listen(0, "127.0.0.1", listening)

    tracemalloc.start()
    try:
        run_bounded(main, timeout=60)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    want = hashlib.sha256(data + b"".join(b"%d," % i for i in range(1000)))
    assert got.hexdigest() == want.hexdigest()
    assert done == [("big", None)] + [(i, None) for i in range(1000)]
    # Nothing near a second copy of the 24 MiB (the receive side's chunks come and go).
    assert peak < 6 << 20, peak


def test_queued_small_writes_are_coalesced() -> None:
    """200k queued small writes leave in writev batches: far fewer send calls than writes."""
    n = 20_000
    calls = {"send": 0, "sendmsg": 0}
    got = bytearray()

    class CountingSocket(socket.socket):
        def send(self, *a: Any) -> int:  # type: ignore[override]
            calls["send"] += 1
            return super().send(*a)

        def sendmsg(self, *a: Any) -> int:  # type: ignore[override]
            calls["sendmsg"] += 1
            return super().sendmsg(*a)

    def main() -> None:
        s = net.createServer(lambda c: (c.on("data", got.extend),
                                        c.on("end", lambda: (c.end(), s.close()))))

        def listening() -> None:
            c = net.Socket()
            c.connect(s.address().port, "127.0.0.1")  # type: ignore[union-attr]
            # Queue while connecting: everything leaves through the writev path.
            for i in range(n):
                c.write(b"%d;" % i)
            c.end()

        s.listen(0, "127.0.0.1", listening)

    orig = socket.socket
    socket.socket = CountingSocket  # type: ignore[misc]
    try:
        run_bounded(main, timeout=30)
    finally:
        socket.socket = orig  # type: ignore[misc]
    assert bytes(got) == b"".join(b"%d;" % i for i in range(n))
    # One call per write before; a few dozen writev batches now.
    assert calls["send"] + calls["sendmsg"] <= n // 100, calls


# -- small API gaps -----------------------------------------------------------------------


def test_api_details_match_node() -> None:
    js = """
    for (const a of ['fe80::2008%eth0@1', 'fe80::2008%eth0', 'fe80::2008%eth0.1:x-', '::1%',
                     '1.2.3.4%eth0', 'fe80::1%1', '::ffff:1.2.3.4', '01.2.3.4'])
      log(a, net.isIP(a));
    const s = new net.Socket();
    for (const v of ['100', -1, Infinity]) {
      try { s.setTimeout(v); log('ok'); } catch (e) { log(e.code, e.message); }
    }
    s.setTimeout(1.5); log('timeout', s.timeout);
    s.timeout = 7; log('timeout set', s.timeout);
    log('bufferSize', s.bufferSize, 'localFamily', s.localFamily, 'server', s.server);
    s.setTimeout(0);
    const srv = net.createServer((c) => {
      log('accepted server is srv', c.server === srv, c.localFamily, c.bufferSize);
      c.end();
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(srv.address(), () => log('connected to address()', c.localFamily));
      c.resume();
      c.on('close', () => srv.close());
    });
    """

    def main(log: Callable[..., None]) -> None:
        for a in ["fe80::2008%eth0@1", "fe80::2008%eth0", "fe80::2008%eth0.1:x-", "::1%",
                  "1.2.3.4%eth0", "fe80::1%1", "::ffff:1.2.3.4", "01.2.3.4"]:
            log(a, net.isIP(a))
        s = net.Socket()
        for v in ["100", -1, float("inf")]:
            try:
                s.setTimeout(v)
                log("ok")
            except (TypeError, ValueError) as e:
                log(e.code, str(e))  # type: ignore[attr-defined]
        s.setTimeout(1.5)
        log("timeout", s.timeout)
        s.timeout = 7
        log("timeout set", s.timeout)
        log("bufferSize", undef(s.bufferSize), "localFamily", undef(s.localFamily),
            "server", s.server)
        s.setTimeout(0)

        def on_conn(c: net.Socket) -> None:
            log("accepted server is srv", c.server is srv, c.localFamily, c.bufferSize)
            c.end()

        srv = net.createServer(on_conn)

        def listening() -> None:
            c = net.connect(srv.address(), lambda: log("connected to address()", c.localFamily))
            c.resume()
            c.on("close", lambda h: srv.close())

        srv.listen(0, "127.0.0.1", listening)

    oor = 'ERR_OUT_OF_RANGE The value of "msecs" is out of range. It must be a non-negative ' \
          "finite number. Received"
    bad_type = 'ERR_INVALID_ARG_TYPE The "msecs" argument must be of type number. Received type'
    check(js, main, [
        "fe80::2008%eth0@1 0", "fe80::2008%eth0 6", "fe80::2008%eth0.1:x- 6", "::1% 0",
        "1.2.3.4%eth0 0", "fe80::1%1 6", "::ffff:1.2.3.4 6", "01.2.3.4 0",
        f"{bad_type} string ('100')", f"{oor} -1", f"{oor} Infinity",
        "timeout 1.5", "timeout set 7", "bufferSize undefined localFamily undefined server null",
        "accepted server is srv true IPv4 0", "connected to address() IPv4",
    ])


def test_empty_writes_in_the_queue_are_sent_and_reported() -> None:
    """An empty write queued behind others (or alone, while connecting) completes; it
    once stalled the flush in an endless loop."""
    js = """
    const s = net.createServer((c) => { let n = 0; c.on('data', (d) => { n += d.length; });
                                        c.on('end', () => { log('server got', n); c.end(); }); });
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1');
      c.write('', (e) => log('cb0', code(e)));
      c.write('ab', (e) => log('cb1', code(e)));
      c.write('', (e) => log('cb2', code(e)));
      c.end(() => log('ended'));
      c.on('close', () => s.close());
    });
    """

    def main(log: Callable[..., None]) -> None:
        def on_conn(c: net.Socket) -> None:
            n = [0]
            c.on("data", lambda d: n.__setitem__(0, n[0] + len(d)))
            c.on("end", lambda: (log("server got", n[0]), c.end()))

        s = net.createServer(on_conn)

        def listening() -> None:
            c = net.connect(s.address().port, "127.0.0.1")  # type: ignore[union-attr]
            c.write("", lambda e=None: log("cb0", code(e)))
            c.write("ab", lambda e=None: log("cb1", code(e)))
            c.write("", lambda e=None: log("cb2", code(e)))
            c.end(lambda: log("ended"))
            c.on("close", lambda h: s.close())

        s.listen(0, "127.0.0.1", listening)

    check(js, main, ["cb0 null", "cb1 null", "cb2 null", "ended", "server got 2"])


def test_destroy_withdraws_a_queued_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pool's DNS slots taken by hung lookups, a socket destroyed while its
    lookup still waits in the queue withdraws it: the lookup never runs. (The running
    ones finish when the resolver answers, as Node's do.)"""
    import threading

    from jsloop import dns

    release = threading.Event()
    started: list[str] = []
    real = dns._getaddrinfo

    def slow_getaddrinfo(host: str, *args: Any) -> Any:
        started.append(host)
        if host.startswith("hung"):
            release.wait(20)
        return real("localhost", *args)

    monkeypatch.setattr(dns, "_getaddrinfo", slow_getaddrinfo)
    monkeypatch.setenv("JSLOOP_THREADPOOL_SIZE", "4")  # two slots for slow work
    events: list[str] = []

    def main() -> None:
        hung = [net.connect(1, f"hung{i}.invalid") for i in range(2)]
        for h in hung:
            h.on("error", lambda e: None)
        queued = net.connect(1, "queued.invalid")
        queued.on("lookup", lambda *a: events.append("lookup"))
        queued.on("close", lambda h: events.append(f"close {h}"))
        queued.destroy()

        def later() -> None:
            for h in hung:
                h.destroy()
            release.set()

        setTimeout(later, 50)

    run_bounded(main)
    assert "queued.invalid" not in started, started
    assert events == ["close False"]


def test_uncork_sends_at_once_and_reports_on_the_next_tick() -> None:
    js = """
    const s = net.createServer((c) => { c.resume(); c.on('end', () => { c.end(); s.close(); }); });
    s.listen(0, '127.0.0.1', () => {
      const c = net.connect(s.address().port, '127.0.0.1', () => {
        c.cork();
        c.write('a', () => log('cb a'));
        c.write('b', () => log('cb b'));
        log('before uncork', c.writableLength);
        c.uncork();
        log('after uncork', c.writableLength);
        process.nextTick(() => log('tick'));
        c.end();
      });
      c.on('close', () => log('close'));
    });
    """

    def main(log: Callable[..., None]) -> None:
        def on_conn(c: net.Socket) -> None:
            c.resume()
            c.on("end", lambda: (c.end(), s.close()))

        s = net.createServer(on_conn)

        def connected() -> None:
            c.cork()
            c.write("a", lambda: log("cb a"))
            c.write("b", lambda: log("cb b"))
            log("before uncork", c.writableLength)
            c.uncork()
            log("after uncork", c.writableLength)
            nextTick(lambda: log("tick"))
            c.end()

        def listening() -> None:
            nonlocal c
            c = net.connect(s.address().port, "127.0.0.1", connected)  # type: ignore[union-attr]
            c.on("close", lambda h: log("close"))

        c: Any = None
        s.listen(0, "127.0.0.1", listening)

    check(js, main, ["before uncork 2", "after uncork 0", "cb a", "cb b", "tick", "close"])
