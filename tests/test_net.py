"""jsloop.net on real sockets (127.0.0.1 / ::1 / Unix, port 0): echo under random
chunking, backpressure, half-close, resets, refused connects, argument errors,
addresses, timeouts, async iteration, and fd exhaustion at accept."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from _io_helpers import REPO, MustCall, no_leaks, run_bounded, wait_for_line  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jsloop
from jsloop import net

pytestmark = pytest.mark.usefixtures("no_leaks")

HWM = net.HIGH_WATER_MARK


def echo_server(**options: Any) -> net.Server:
    def on_conn(conn: net.Socket) -> None:
        conn.on("data", lambda chunk: conn.write(chunk) or conn.pause())
        conn.on("drain", conn.resume)
        conn.on("error", lambda err: None)

    return net.createServer(on_conn, **options)


def echo_through(chunk_lists: list[list[bytes]], host: str = "127.0.0.1") -> list[bytes]:
    """Serve an echo server; one client per chunk list writes its chunks, ends,
    collects what comes back. Returns the bytes each client received."""
    received: list[bytearray] = [bytearray() for _ in chunk_lists]

    def main() -> None:
        server = echo_server()
        remaining = [len(chunk_lists)]

        def start() -> None:
            port = server.address().port  # type: ignore[union-attr]
            for i, chunks in enumerate(chunk_lists):
                client(i, chunks, port)

        def client(i: int, chunks: list[bytes], port: int) -> None:
            sock = net.connect(port, host)

            def on_connect() -> None:
                for c in chunks:
                    sock.write(c)
                sock.end()

            def on_close(had_error: bool) -> None:
                assert not had_error
                remaining[0] -= 1
                if remaining[0] == 0:
                    server.close()

            sock.on("connect", on_connect)
            sock.on("data", received[i].extend)
            sock.on("close", on_close)

        server.listen(0, host, start)

    run_bounded(main, timeout=30)
    return [bytes(r) for r in received]


chunks_strategy = st.lists(st.binary(min_size=1, max_size=70_000), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=chunks_strategy)
def test_echo_random_chunks_one_connection(chunks: list[bytes]) -> None:
    assert echo_through([chunks]) == [b"".join(chunks)]


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_echo_random_chunks_200_connections(data: st.DataObject) -> None:
    lists = [
        data.draw(st.lists(st.binary(min_size=1, max_size=3000), min_size=1, max_size=5))
        for _ in range(200)
    ]
    assert echo_through(lists) == [b"".join(c) for c in lists]


def test_slow_reader_bounded_memory_drain_and_nothing_lost() -> None:
    # More than loopback's kernel buffers (send + receive, several MB) can absorb.
    piece = os.urandom(8192)
    total = 3000 * len(piece)
    stats = {"false": 0, "drain": 0, "max_queued": 0}
    got = bytearray()

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            sent = [0]

            def pump() -> None:
                while sent[0] < total:
                    ok = conn.write(piece)
                    sent[0] += len(piece)
                    stats["max_queued"] = max(stats["max_queued"], conn.writableLength)
                    if not ok:
                        stats["false"] += 1
                        # The reader resumes only once the server had to stop writing.
                        client.resume()
                        return  # wait for 'drain'
                conn.end()

            def on_drain() -> None:
                stats["drain"] += 1
                pump()

            conn.on("drain", on_drain)
            pump()

        server = net.createServer(on_conn)

        def on_listening() -> None:
            nonlocal client
            client = net.connect(server.address().port, "127.0.0.1")  # type: ignore[union-attr]
            client.pause()
            client.on("data", got.extend)
            client.on("end", lambda: server.close())

        client: Any = None
        server.listen(0, "127.0.0.1", on_listening)

    run_bounded(main, timeout=30)
    assert len(got) == total
    assert got == piece * (total // len(piece))  # nothing lost, nothing reordered
    assert stats["false"] >= 1 and stats["drain"] == stats["false"]
    # Memory stays bounded by the high-water mark (plus the one write that crossed it).
    assert stats["max_queued"] < HWM + len(piece)


def test_write_completed_at_once_returns_true_and_calls_back_via_next_tick() -> None:
    # node 20: a 20 KB write the kernel takes whole returns true (nothing stays
    # buffered); its callback runs in the nextTick queue, before promise jobs.
    events: list[Any] = []

    def main() -> None:
        server = echo_server()

        def go() -> None:
            sock = net.connect(server.address().port, "127.0.0.1")  # type: ignore[union-attr]

            def on_connect() -> None:
                events.append(("ret", sock.write(b"x" * 20000, lambda err: events.append(
                    ("cb", err)))))
                events.append(("len", sock.writableLength))
                events.append(("ret-small", sock.write("y", lambda err: events.append(
                    ("cb2", err)))))
                jsloop.nextTick(lambda: events.append("tick"))
                jsloop.Promise.resolve().then(lambda _v: events.append("micro"))
                jsloop.setImmediate(lambda: (events.append("imm"), sock.destroy(),
                                             server.close()))

            sock.on("connect", on_connect)
            sock.on("drain", lambda: events.append("drain"))

        server.listen(0, "127.0.0.1", go)

    run_bounded(main)
    assert events == [("ret", True), ("len", 0), ("ret-small", True), ("cb", None),
                      ("cb2", None), "tick", "micro", "imm"]


def test_half_close_with_allow_half_open() -> None:
    log: list[Any] = []

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.on("data", lambda d: log.append(("server data", d)))

            def on_end() -> None:
                log.append(("server end", conn.writable))
                conn.write(b"still here")  # our side stays open after the peer's FIN
                conn.end(b"bye")

            conn.on("end", on_end)
            conn.on("close", lambda had_error: log.append(("server close", had_error)))

        server = net.createServer(on_conn, allowHalfOpen=True)

        def go() -> None:
            sock = net.connect(server.address().port, "127.0.0.1",  # type: ignore[union-attr]
                               lambda: sock.end(b"hello"))
            sock.on("data", lambda d: log.append(("client data", d)))
            sock.on("end", lambda: log.append("client end"))
            sock.on("close", lambda had_error: (log.append(("client close", had_error)),
                                                server.close()))

        server.listen(0, "127.0.0.1", go)

    run_bounded(main)
    assert log[0] == ("server data", b"hello")
    assert log[1] == ("server end", True)
    client_data = b"".join(e[1] for e in log if e[0] == "client data")
    assert client_data == b"still herebye"
    assert "client end" in log
    assert ("client close", False) in log and ("server close", False) in log


def test_peer_reset_mid_stream_errors_only_that_socket() -> None:
    log: list[Any] = []

    def main() -> None:
        conns: list[net.Socket] = []

        def on_conn(conn: net.Socket) -> None:
            idx = len(conns)
            conns.append(conn)
            conn.on("data", lambda d: (log.append((idx, "data", bytes(d))), conn.write(d)))
            conn.on("error", lambda err: log.append((idx, "error", err.code)))
            conn.on("close", lambda had_error: on_close(idx, had_error))

        def on_close(idx: int, had_error: bool) -> None:
            log.append((idx, "close", had_error))
            if idx == 0:
                # The server goes on serving after one connection was reset.
                connect_good(server.address().port)  # type: ignore[union-attr]

        server = net.createServer(on_conn)

        def go() -> None:
            port = server.address().port  # type: ignore[union-attr]
            bad = net.connect(port, "127.0.0.1")
            bad.on("connect", lambda: bad.write(b"partial"))
            # Reset once the server echoed something: a RST mid-stream.
            bad.on("data", lambda d: bad.resetAndDestroy())

        def connect_good(port: int) -> None:
            good = net.connect(port, "127.0.0.1")
            good.on("connect", lambda: good.write(b"hi"))
            good.on("data", lambda d: (good.end(), server.close()))

        server.listen(0, "127.0.0.1", go)

    run_bounded(main)
    assert (0, "data", b"partial") in log
    assert (0, "error", "ECONNRESET") in log
    assert (0, "close", True) in log
    assert log.index((0, "error", "ECONNRESET")) < log.index((0, "close", True))
    assert (1, "data", b"hi") in log
    assert (1, "close", False) in log
    assert not any(e[0] == 1 and e[1] == "error" for e in log)


def test_connect_to_closed_port_rejects_econnrefused() -> None:
    # A bound but not listening socket answers SYN with RST: a closed port that
    # no other process can take from us while the test runs.
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    port = holder.getsockname()[1]
    log: list[Any] = []

    def main() -> None:
        sock = net.connect(port, "127.0.0.1")
        sock.on("connect", lambda: log.append("connected?!"))
        sock.on("error", lambda err: log.append(("error", type(err).__name__, err.code,
                                                 err.syscall, err.address, err.port,
                                                 str(err))))
        sock.on("close", lambda had_error: log.append(("close", had_error)))

    try:
        run_bounded(main)
    finally:
        holder.close()
    assert log == [
        ("error", "ConnectionRefusedError", "ECONNREFUSED", "connect", "127.0.0.1", port,
         f"[Errno 111] connect ECONNREFUSED 127.0.0.1:{port}"),
        ("close", True),
    ]


def test_connect_unknown_host_gives_enotfound_and_lookup_event() -> None:
    log: list[Any] = []

    def main() -> None:
        sock = net.connect(80, "no-such-host.invalid")
        sock.on("lookup", lambda err, addr, fam, host: log.append(("lookup", err.code, host)))
        sock.on("error", lambda err: log.append(("error", err.code)))
        sock.on("close", lambda had_error: log.append(("close", had_error)))

    run_bounded(main, timeout=30)
    assert log == [("lookup", "ENOTFOUND", "no-such-host.invalid"), ("error", "ENOTFOUND"),
                   ("close", True)]


@pytest.mark.parametrize(
    ("call", "exc_type", "code"),
    [
        (lambda: net.createServer().listen(70000), ValueError, "ERR_SOCKET_BAD_PORT"),
        (lambda: net.createServer().listen(-1), ValueError, "ERR_SOCKET_BAD_PORT"),
        (lambda: net.createServer().listen(1.5), ValueError, "ERR_SOCKET_BAD_PORT"),
        (lambda: net.createServer().listen({"port": "x"}), ValueError, "ERR_SOCKET_BAD_PORT"),
        (lambda: net.connect(70000), ValueError, "ERR_SOCKET_BAD_PORT"),
        (lambda: net.connect({"port": "x"}), ValueError, "ERR_SOCKET_BAD_PORT"),
        (lambda: net.connect({}), TypeError, "ERR_MISSING_ARGS"),
        (lambda: net.connect(80, 5), TypeError, "ERR_INVALID_ARG_TYPE"),
        (lambda: net.createServer(5), TypeError, "ERR_INVALID_ARG_TYPE"),
        (lambda: net.Socket().write(5), TypeError, "ERR_INVALID_ARG_TYPE"),
        (lambda: net.createServer().listen(0, ["h"]), TypeError, "ERR_INVALID_ARG_TYPE"),
    ],
)
def test_bad_arguments_raise_node_errors(call: Any, exc_type: type, code: str) -> None:
    def main() -> None:
        with pytest.raises(exc_type) as info:
            call()
        assert info.value.code == code  # type: ignore[attr-defined]

    run_bounded(main)


def test_listen_on_used_port_emits_eaddrinuse() -> None:
    log: list[Any] = []

    def main() -> None:
        first = net.createServer()

        def second_listen() -> None:
            port = first.address().port  # type: ignore[union-attr]
            second = net.createServer()
            second.on("error", lambda err: (log.append((err.code, err.syscall, err.port == port)),
                                            first.close()))
            second.listen(port, "127.0.0.1")

        first.listen(0, "127.0.0.1", second_listen)

    run_bounded(main)
    assert log == [("EADDRINUSE", "listen", True)]


def test_addresses_and_byte_counts() -> None:
    info: dict[str, Any] = {}

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            info["server_remote"] = (conn.remoteAddress, conn.remotePort, conn.remoteFamily)
            conn.on("data", lambda d: conn.end(d))
            conn.on("close", lambda *_: (info.__setitem__("server_bytes",
                                                          (conn.bytesRead, conn.bytesWritten)),
                                         server.close()))

        server = net.createServer(on_conn)

        def go() -> None:
            addr = server.address()
            info["address"] = addr
            sock = net.connect(addr.port, "127.0.0.1")  # type: ignore[union-attr]

            def on_connect() -> None:
                info["client_local"] = (sock.localAddress, sock.localPort)
                info["client_remote"] = (sock.remoteAddress, sock.remotePort)
                sock.write(b"12345")

            sock.on("connect", on_connect)
            sock.on("data", lambda d: None)
            sock.on("end", lambda: info.__setitem__("client_bytes",
                                                    (sock.bytesRead, sock.bytesWritten)))

        server.listen(0, "127.0.0.1", go)

    run_bounded(main)
    addr = info["address"]
    assert addr.address == "127.0.0.1" and addr.family == "IPv4" and addr["port"] == addr.port
    assert info["client_remote"] == ("127.0.0.1", addr.port)
    assert info["server_remote"] == ("127.0.0.1", info["client_local"][1], "IPv4")
    assert info["server_bytes"] == (5, 5)
    assert info["client_bytes"] == (5, 5)


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
def test_ipv6_echo() -> None:
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("::1 not available")
    assert echo_through([[b"over", b" ipv6"]], host="::1") == [b"over ipv6"]


def test_unix_socket_echo_and_path_cleanup(tmp_path: Path) -> None:
    path = str(tmp_path / "echo.sock")
    got = bytearray()
    seen: dict[str, Any] = {}

    def main() -> None:
        server = echo_server()

        def go() -> None:
            seen["address"] = server.address()
            sock = net.connect(path, lambda: sock.end(b"via unix"))
            sock.on("data", got.extend)
            sock.on("close", lambda *_: server.close())

        server.listen(path, go)

    run_bounded(main)
    assert seen["address"] == path
    assert bytes(got) == b"via unix"
    assert not os.path.exists(path)  # libuv unlinks the path on close


def test_unix_connect_missing_path_errors(tmp_path: Path) -> None:
    log: list[Any] = []

    def main() -> None:
        sock = net.connect(str(tmp_path / "missing.sock"))
        sock.on("error", lambda err: log.append((type(err).__name__, err.code, err.syscall)))
        sock.on("close", lambda had_error: log.append(("close", had_error)))

    run_bounded(main)
    assert log == [("FileNotFoundError", "ENOENT", "connect"), ("close", True)]


def test_async_iteration_over_a_socket() -> None:
    payload = os.urandom(200_000)

    def main() -> Any:
        server = net.createServer(lambda conn: conn.end(payload))
        done = jsloop.Promise.withResolvers()

        async def read_all() -> bytes:
            sock = net.connect(server.address().port, "127.0.0.1")  # type: ignore[union-attr]
            parts = []
            async for chunk in sock:
                parts.append(chunk)
            server.close()
            return b"".join(parts)

        server.listen(0, "127.0.0.1", lambda: done.resolve(jsloop.asyncfn(read_all)()))
        return done.promise

    assert run_bounded(main) == payload


def test_set_timeout_emits_timeout_on_idle_socket() -> None:
    log: list[Any] = []

    def main() -> None:
        server = net.createServer(lambda conn: conn.on("end", conn.end))

        def go() -> None:
            sock = net.connect(server.address().port, "127.0.0.1")  # type: ignore[union-attr]
            start = time.monotonic()

            def on_timeout() -> None:
                log.append(time.monotonic() - start)
                sock.destroy()
                server.close()

            sock.setTimeout(50, on_timeout)
            sock.on("data", lambda d: None)

        server.listen(0, "127.0.0.1", go)

    run_bounded(main)
    assert len(log) == 1 and log[0] >= 0.045


def test_server_close_waits_for_connections_and_reports_not_running() -> None:
    log: list[Any] = []

    def main() -> None:
        server = net.createServer(lambda conn: (server.close(lambda *a: log.append(
            ("closed", a))), jsloop.setImmediate(conn.destroy)))

        def go() -> None:
            sock = net.connect(server.address().port, "127.0.0.1")  # type: ignore[union-attr]
            sock.on("close", lambda *_: log.append("client close"))

        server.listen(0, "127.0.0.1", go)

    run_bounded(main)
    assert ("closed", ()) in log

    errors: list[Any] = []

    def main2() -> None:
        net.createServer().close(lambda err: errors.append(err.code))

    run_bounded(main2)
    assert errors == ["ERR_SERVER_NOT_RUNNING"]


def test_unref_server_does_not_keep_loop_alive() -> None:
    def main() -> None:
        server = net.createServer()
        server.listen(0, "127.0.0.1")
        server.unref()

    run_bounded(main, timeout=5)


EMFILE_CHILD = textwrap.dedent(
    """
    import os, resource, sys
    import jsloop
    from jsloop import net, process

    def main():
        hog = []
        def on_conn(conn):
            conn.on("data", conn.write)
        server = net.createServer(on_conn)
        def listening():
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
            try:
                while True:
                    hog.append(os.open("/dev/null", os.O_RDONLY))
            except OSError:
                pass
            print("port", server.address().port, "exhausted", flush=True)
        def free(*_):
            for fd in hog:
                os.close(fd)
            hog.clear()
            print("freed", flush=True)
        def quit(*_):
            server.close()
            process.removeAllListeners("SIGUSR1")
            process.removeAllListeners("SIGTERM")
        process.on("SIGUSR1", free)
        process.on("SIGTERM", quit)
        server.listen(0, "127.0.0.1", listening)

    jsloop.run(main)
    print("clean exit", flush=True)
    """
)


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_emfile_at_accept_neither_spins_nor_kills_the_server() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", EMFILE_CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    client = None
    try:
        m = wait_for_line(proc, r"port (\d+) exhausted")
        port = int(m.group(1))
        # The kernel completes the handshake into the backlog; the server cannot accept.
        client = socket.create_connection(("127.0.0.1", port), timeout=20)
        client.sendall(b"ping")
        before = _cpu_seconds(proc.pid)
        t0 = time.monotonic()
        client.settimeout(0.6)  # a measuring window, not synchronisation
        with pytest.raises(socket.timeout):
            client.recv(10)
        used = _cpu_seconds(proc.pid) - before
        window = time.monotonic() - t0
        assert used < 0.5 * window, f"server burned {used:.2f}s CPU in {window:.2f}s"
        # Free the fds: the pending connection is accepted and served.
        proc.send_signal(signal.SIGUSR1)
        wait_for_line(proc, "freed")
        client.settimeout(20)
        assert client.recv(10) == b"ping"
        client.sendall(b"again")
        assert client.recv(10) == b"again"
        client.close()
        client = None
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "clean exit" in out
    finally:
        if client is not None:
            client.close()
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
