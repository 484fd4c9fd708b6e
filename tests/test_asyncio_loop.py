"""jsloop.new_event_loop(): asyncio's event-loop API on jsloop's phases, poller and pool."""

from __future__ import annotations

import asyncio
import contextvars
import os
import signal
import socket
import ssl
import sys
import tempfile
import threading

import pytest

import jsloop
from jsloop.aio import JsloopEventLoop


def run(coro_fn, *args):
    with asyncio.Runner(loop_factory=jsloop.new_event_loop) as runner:
        assert isinstance(runner.get_loop(), JsloopEventLoop)
        return runner.run(coro_fn(*args))


def test_new_event_loop_is_an_abstract_event_loop_not_running_not_closed():
    loop = jsloop.new_event_loop()
    try:
        assert isinstance(loop, asyncio.AbstractEventLoop)
        assert not loop.is_running() and not loop.is_closed()
    finally:
        loop.close()
    assert loop.is_closed()
    loop.close()  # idempotent


def test_run_until_complete_returns_and_raises():
    loop = jsloop.new_event_loop()
    try:
        async def ok():
            await asyncio.sleep(0)
            return 42

        async def bad():
            raise KeyError("x")

        assert loop.run_until_complete(ok()) == 42
        with pytest.raises(KeyError):
            loop.run_until_complete(bad())
    finally:
        loop.close()


def test_call_soon_fifo_and_snapshot_rule():
    loop = jsloop.new_event_loop()
    order = []
    try:
        def a():
            order.append("a")
            loop.call_soon(order.append, "c")  # next turn: after b

        loop.call_soon(a)
        loop.call_soon(order.append, "b")
        loop.call_soon(loop.stop)
        loop.run_forever()
        # stop() ends the run after the turn it was called in: "c" is still queued
        assert order == ["a", "b"]
        loop.call_soon(loop.stop)
        loop.run_forever()
        assert order == ["a", "b", "c"]
    finally:
        loop.close()


def test_stop_before_run_forever_runs_one_turn():
    loop = jsloop.new_event_loop()
    seen = []
    try:
        loop.call_soon(seen.append, 1)
        loop.stop()
        loop.run_forever()
        assert seen == [1]
        assert not loop.is_running()
    finally:
        loop.close()


def test_call_later_order_time_and_cancel():
    async def main():
        loop = asyncio.get_running_loop()
        order = []
        t0 = loop.time()
        done = loop.create_future()
        loop.call_later(0.03, order.append, "30ms")
        h = loop.call_later(0.01, order.append, "cancelled")
        loop.call_later(0.02, order.append, "20ms")
        loop.call_at(t0 + 0.005, order.append, "5ms")
        loop.call_later(0.04, done.set_result, None)
        h.cancel()
        await done
        assert order == ["5ms", "20ms", "30ms"]
        assert loop.time() - t0 >= 0.04

    run(main)


def test_call_soon_then_call_later_zero_keeps_asyncio_order():
    async def main():
        loop = asyncio.get_running_loop()
        order = []
        fut = loop.create_future()
        loop.call_later(0, order.append, "later0")
        loop.call_soon(order.append, "soon")
        loop.call_later(0.002, fut.set_result, None)
        await fut
        assert order == ["soon", "later0"]

    run(main)


def test_many_cancelled_timers_do_not_leak_or_fire():
    async def main():
        loop = asyncio.get_running_loop()
        fired = []
        handles = [loop.call_later(10 + i, fired.append, i) for i in range(500)]
        for h in handles:
            h.cancel()
        await asyncio.sleep(0.01)
        assert fired == []
        assert len(loop._scheduled) < 500  # asyncio's compaction rule ran

    run(main)


def test_call_soon_threadsafe_from_threads():
    async def main():
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        got = []

        def worker(i):
            loop.call_soon_threadsafe(got.append, i)
            if i == 9:
                loop.call_soon_threadsafe(lambda: fut.set_result(None) if len(got) == 10 else None)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        while len(got) < 10:
            await asyncio.sleep(0.001)
        assert sorted(got) == list(range(10))

    run(main)


def test_add_reader_add_writer_remove():
    async def main():
        loop = asyncio.get_running_loop()
        a, b = socket.socketpair()
        a.setblocking(False)
        b.setblocking(False)
        try:
            readable = loop.create_future()
            writable = loop.create_future()
            loop.add_reader(a.fileno(), lambda: readable.set_result(a.recv(100)))
            loop.add_writer(b.fileno(), lambda: writable.done() or writable.set_result(True))
            assert await writable is True
            assert loop.remove_writer(b.fileno()) is True
            assert loop.remove_writer(b.fileno()) is False
            b.send(b"ping")
            assert await readable == b"ping"
            assert loop.remove_reader(a.fileno()) is True
        finally:
            a.close()
            b.close()

    run(main)


def test_sock_methods_roundtrip():
    async def main():
        loop = asyncio.get_running_loop()
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        srv.setblocking(False)
        cli = socket.socket()
        cli.setblocking(False)
        try:
            accept = asyncio.ensure_future(loop.sock_accept(srv))
            await loop.sock_connect(cli, srv.getsockname())
            conn, _ = await accept
            with conn:
                conn.setblocking(False)
                payload = os.urandom(3_000_000)
                send = asyncio.ensure_future(loop.sock_sendall(cli, payload))
                got = bytearray()
                buf = bytearray(65536)
                while len(got) < len(payload):
                    n = await loop.sock_recv_into(conn, buf)
                    got += buf[:n]
                await send
                assert bytes(got) == payload
                await loop.sock_sendall(conn, b"back")
                assert await loop.sock_recv(cli, 10) == b"back"
        finally:
            cli.close()
            srv.close()

    run(main)


async def _echo(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


def test_streams_200_concurrent_echo_clients_every_byte():
    async def main():
        server = await asyncio.start_server(_echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]

        async def client(i):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            payload = os.urandom(20_000 + i * 37)
            writer.write(payload)
            await writer.drain()
            got = await reader.readexactly(len(payload))
            writer.close()
            await writer.wait_closed()
            return got == payload

        async with server:
            results = await asyncio.gather(*(client(i) for i in range(200)))
        assert results == [True] * 200

    run(main)


def test_unix_server_and_connection():
    async def main():
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "s.sock")
            server = await asyncio.start_unix_server(_echo, path)
            async with server:
                reader, writer = await asyncio.open_unix_connection(path)
                writer.write(b"over unix")
                await writer.drain()
                assert await reader.readexactly(9) == b"over unix"
                writer.close()
                await writer.wait_closed()

    run(main)


def test_protocol_create_connection_and_sendfile(tmp_path):
    data = os.urandom(1_500_000)
    path = tmp_path / "blob"
    path.write_bytes(data)

    async def main():
        loop = asyncio.get_running_loop()
        received = bytearray()
        closed = loop.create_future()

        class Sink(asyncio.Protocol):
            def data_received(self, chunk):
                received.extend(chunk)

            def connection_lost(self, exc):
                closed.set_result(exc)

        server = await loop.create_server(Sink, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport, _ = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port)
        with open(path, "rb") as f:
            sent = await loop.sendfile(transport, f)
        assert sent == len(data)
        transport.close()
        assert await closed is None
        server.close()
        await server.wait_closed()
        assert bytes(received) == data

    run(main)


def test_start_tls_with_trustme():
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)

    async def handle(reader, writer):
        line = await reader.readline()
        if line == b"STARTTLS\n":
            writer.write(b"OK\n")
            await writer.drain()
            await writer.start_tls(server_ctx)
            msg = await reader.readline()
            writer.write(b"secure " + msg)
            await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"STARTTLS\n")
            assert await reader.readline() == b"OK\n"
            await writer.start_tls(client_ctx, server_hostname="localhost")
            assert writer.get_extra_info("ssl_object") is not None
            writer.write(b"hello\n")
            assert await reader.readline() == b"secure hello\n"
            writer.close()
            await writer.wait_closed()

    run(main)


def test_ssl_server_and_client_direct():
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)

    async def main():
        server = await asyncio.start_server(_echo, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        async with server:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=client_ctx, server_hostname="localhost"
            )
            payload = os.urandom(300_000)
            writer.write(payload)
            assert await reader.readexactly(len(payload)) == payload
            writer.close()
            await writer.wait_closed()

    run(main)


def test_subprocess_exec_with_pipes_and_shell():
    async def main():
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c",
            "import sys; d = sys.stdin.buffer.read(); "
            "sys.stdout.buffer.write(d[::-1]); sys.stderr.write('err'); sys.exit(3)",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        data = os.urandom(200_000)
        out, err = await asyncio.wait_for(proc.communicate(data), 30)
        assert out == data[::-1] and err == b"err" and proc.returncode == 3
        sh = await asyncio.create_subprocess_shell(
            "echo $((6*7))", stdout=asyncio.subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(sh.communicate(), 30)
        assert out == b"42\n" and sh.returncode == 0

    run(main)


def test_subprocess_kill_reports_signal():
    async def main():
        proc = await asyncio.create_subprocess_exec("sleep", "30")
        proc.kill()
        assert await asyncio.wait_for(proc.wait(), 30) == -signal.SIGKILL

    run(main)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals")
def test_add_signal_handler():
    async def main():
        loop = asyncio.get_running_loop()
        got = loop.create_future()
        loop.add_signal_handler(signal.SIGUSR1, got.set_result, "usr1")
        try:
            os.kill(os.getpid(), signal.SIGUSR1)
            assert await asyncio.wait_for(got, 10) == "usr1"
        finally:
            assert loop.remove_signal_handler(signal.SIGUSR1) is True

    run(main)


def test_run_in_executor_and_getaddrinfo_use_jsloops_pool():
    async def main():
        loop = asyncio.get_running_loop()
        name = await loop.run_in_executor(None, lambda: threading.current_thread().name)
        assert name.startswith("jsloop-pool-")
        assert await asyncio.to_thread(lambda: 7) == 7
        infos = await loop.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM)
        assert infos[0][4] == ("127.0.0.1", 80)
        with pytest.raises(ZeroDivisionError):
            await loop.run_in_executor(None, lambda: 1 / 0)

    run(main)


def test_shutdown_default_executor_waits_then_refuses():
    loop = jsloop.new_event_loop()
    try:
        ev = threading.Event()
        fut = loop.run_in_executor(None, ev.wait, 5)
        loop.call_later(0.01, ev.set)
        loop.run_until_complete(loop.shutdown_default_executor())
        assert fut.done() and fut.result() is True
        with pytest.raises(RuntimeError):
            loop.run_in_executor(None, print)
    finally:
        loop.close()


def test_shutdown_asyncgens_closes_generators():
    loop = jsloop.new_event_loop()
    closed = []
    try:
        async def gen():
            try:
                yield 1
                yield 2
            finally:
                closed.append(True)

        async def main():
            g = gen()
            assert await g.__anext__() == 1
            return g

        g = loop.run_until_complete(main())
        loop.run_until_complete(loop.shutdown_asyncgens())
        assert closed == [True]
        del g
    finally:
        loop.close()


def test_exception_handler_gets_callback_errors():
    async def main():
        loop = asyncio.get_running_loop()
        seen = []
        loop.set_exception_handler(lambda _loop, ctx: seen.append(ctx["exception"]))
        fut = loop.create_future()
        loop.call_soon(lambda: 1 / 0)
        loop.call_soon(fut.set_result, None)
        await fut
        assert len(seen) == 1 and isinstance(seen[0], ZeroDivisionError)

    run(main)


def test_jsloop_callback_error_goes_to_asyncio_exception_handler():
    async def main():
        loop = asyncio.get_running_loop()
        seen = []
        loop.set_exception_handler(lambda _loop, ctx: seen.append(ctx["exception"]))
        fut = loop.create_future()

        def boom():
            raise ValueError("from setTimeout")

        jsloop.setTimeout(boom, 1)
        jsloop.setTimeout(fut.set_result, 3, None)
        await fut
        assert [type(e) for e in seen] == [ValueError]

    run(main)


def test_debug_mode_logs_slow_callbacks(caplog):
    loop = jsloop.new_event_loop()
    try:
        loop.set_debug(True)
        assert loop.get_debug()
        loop.slow_callback_duration = 0.001

        def slow():
            import time

            time.sleep(0.01)

        loop.call_soon(slow)
        loop.call_soon(loop.stop)
        with caplog.at_level("WARNING", logger="asyncio"):
            loop.run_forever()
        assert any("Executing" in r.getMessage() for r in caplog.records)
    finally:
        loop.close()


def test_run_forever_while_running_and_close_while_running_raise():
    async def main():
        loop = asyncio.get_running_loop()
        assert loop.is_running()
        with pytest.raises(RuntimeError):
            loop.run_forever()
        with pytest.raises(RuntimeError):
            loop.close()

    run(main)


def test_asyncio_run_with_policy_and_install():
    async def main():
        return type(asyncio.get_running_loop()).__name__

    old = asyncio.get_event_loop_policy()
    try:
        asyncio.set_event_loop_policy(jsloop.EventLoopPolicy())
        assert asyncio.run(main()) == "JsloopEventLoop"
        asyncio.set_event_loop_policy(None)
        jsloop.install()
        assert isinstance(asyncio.get_event_loop_policy(), jsloop.EventLoopPolicy)
        assert asyncio.run(main()) == "JsloopEventLoop"
    finally:
        asyncio.set_event_loop_policy(old)


def test_contextvars_flow_into_tasks_and_callbacks():
    var = contextvars.ContextVar("var", default="unset")

    async def main():
        loop = asyncio.get_running_loop()
        var.set("outer")
        fut = loop.create_future()
        loop.call_soon(lambda: fut.set_result(var.get()))
        assert await fut == "outer"

        async def child():
            seen = var.get()
            var.set("child")
            return seen

        assert await asyncio.create_task(child()) == "outer"
        assert var.get() == "outer"

    run(main)


def test_jsloop_apis_inside_a_standalone_asyncio_loop():
    async def main():
        order = []
        p = jsloop.Promise(lambda res, rej: jsloop.setTimeout(res, 5, "timeout"))
        jsloop.nextTick(order.append, "tick")
        jsloop.queueMicrotask(lambda: order.append("micro"))
        assert await p == "timeout"
        assert order == ["tick", "micro"]

    run(main)
