"""net.Socket is a stream.Duplex (issue 9): the stream layer's API and helpers
work on real sockets (127.0.0.1, port 0): isinstance, paused-mode ``read()`` and
``'readable'``, ``readableLength``/``readableFlowing``, ``writableLength``/
``writableNeedDrain``/``'drain'``, ``pipe`` and ``pipeline`` through a Transform,
``finished``, async iteration through the stream's iterator, and destroy state."""

from __future__ import annotations

from typing import Any

import pytest
from _io_helpers import no_leaks, run_bounded  # noqa: F401

import jsloop
from jsloop import net, stream

pytestmark = pytest.mark.usefixtures("no_leaks")


def serve(on_conn: Any, then: Any) -> net.Server:
    server = net.createServer(on_conn)
    server.listen(0, "127.0.0.1", lambda: then(server.address().port))  # type: ignore[union-attr]
    return server


def test_socket_is_a_duplex_with_stream_state() -> None:
    seen: dict[str, Any] = {}

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.end(b"hi")

        def go(port: int) -> None:
            sock = net.connect(port, "127.0.0.1")
            seen["types"] = (isinstance(sock, stream.Duplex), isinstance(sock, stream.Readable),
                             isinstance(sock, stream.Writable))
            seen["flowing0"] = sock.readableFlowing
            seen["hwm"] = (sock.readableHighWaterMark, sock.writableHighWaterMark)

            def on_close(had_error: bool) -> None:
                seen["end"] = (sock.readableEnded, sock.writableFinished, sock.destroyed,
                               sock.closed, sock.errored, had_error)
                server.close()

            sock.on("data", lambda chunk: seen.setdefault("data", chunk))
            sock.on("end", sock.end)
            sock.on("close", on_close)

        server = serve(on_conn, go)

    run_bounded(main)
    assert seen["types"] == (True, True, True)
    assert seen["flowing0"] is None
    assert seen["hwm"] == (16384, 16384)
    assert seen["data"] == b"hi"
    assert seen["end"] == (True, True, True, True, None, False)


def test_paused_mode_read_and_readable_event() -> None:
    payload = bytes(range(256)) * 40  # 10,240 B
    got: list[bytes] = []
    lengths: list[int] = []

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.end(payload)

        def go(port: int) -> None:
            sock = net.connect(port, "127.0.0.1")

            def on_readable() -> None:
                lengths.append(sock.readableLength)
                while (chunk := sock.read(1000)) is not None:
                    got.append(chunk)

            sock.on("readable", on_readable)
            sock.on("end", lambda: (sock.end(), server.close()))

        server = serve(on_conn, go)

    run_bounded(main)
    assert b"".join(got) == payload
    assert all(len(c) == 1000 for c in got[:-1])
    assert max(lengths) > 0


def test_backpressure_write_false_then_drain() -> None:
    log: list[Any] = []

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.pause()  # the peer does not read: the client's writes pile up

            def later() -> None:
                conn.resume()
                conn.on("end", conn.end)

            conn.once("timeout", later)
            conn.setTimeout(50)

        def go(port: int) -> None:
            sock = net.connect(port, "127.0.0.1")

            def fill() -> None:
                chunk = b"x" * 65536
                while sock.write(chunk):
                    pass
                log.append(("full", sock.writableNeedDrain, sock.writableLength >= 16384))
                sock.once("drain", lambda: (log.append(("drain", sock.writableNeedDrain)),
                                            sock.end()))

            sock.on("connect", fill)
            sock.resume()
            sock.on("close", lambda _e: server.close())

        server = serve(on_conn, go)

    run_bounded(main)
    assert log == [("full", True, True), ("drain", False)]


def test_pipeline_socket_through_transform_to_socket() -> None:
    """A server pipes each connection through an upper-casing Transform back to it."""
    got = bytearray()
    result: dict[str, Any] = {}

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            upper = stream.Transform(transform=lambda chunk, enc, cb: cb(None, chunk.upper()))
            stream.pipeline(conn, upper, conn, lambda err=None: result.setdefault("err", err))

        def go(port: int) -> None:
            sock = net.connect(port, "127.0.0.1", lambda: sock.end(b"hello " * 5000))
            sock.on("data", got.extend)
            stream.finished(sock, lambda err=None: (result.setdefault("finished", err),
                                                     server.close()))

        server = serve(on_conn, go)

    run_bounded(main)
    assert bytes(got) == b"HELLO " * 5000
    assert result == {"err": None, "finished": None}


def test_pipe_from_socket_into_a_writable() -> None:
    parts: list[bytes] = []

    def main() -> None:
        def on_conn(conn: net.Socket) -> None:
            conn.end(b"a" * 100_000)

        def go(port: int) -> None:
            sock = net.connect(port, "127.0.0.1")
            sink = stream.Writable(write=lambda chunk, enc, cb: (parts.append(chunk), cb()))
            sink.on("finish", server.close)
            sock.pipe(sink)
            sock.on("end", sock.end)

        server = serve(on_conn, go)

    run_bounded(main)
    assert b"".join(parts) == b"a" * 100_000


def test_async_iteration_break_destroys_the_socket() -> None:
    def main() -> Any:
        done = jsloop.Promise.withResolvers()

        def on_conn(conn: net.Socket) -> None:
            conn.on("error", lambda _e: None)
            conn.write(b"first")

        async def reader(port: int) -> Any:
            sock = net.connect(port, "127.0.0.1")
            async for chunk in sock:
                first = chunk
                break
            server.close()
            return first, sock.destroyed

        server = serve(on_conn, lambda port: done.resolve(jsloop.asyncfn(reader)(port)))
        return done.promise

    assert run_bounded(main) == (b"first", True)


def test_destroy_with_error_sets_errored_and_emits_error_then_close() -> None:
    log: list[Any] = []

    def main() -> None:
        def go(port: int) -> None:
            sock = net.connect(port, "127.0.0.1")

            def on_connect() -> None:
                sock.destroy(RuntimeError("boom"))
                log.append(("destroyed", sock.destroyed, str(sock.errored)))

            sock.on("connect", on_connect)
            sock.on("error", lambda e: log.append(("error", str(e))))
            sock.on("close", lambda had_error: (log.append(("close", had_error)),
                                                server.close()))

        server = serve(lambda conn: conn.on("end", conn.end), go)

    run_bounded(main)
    assert log == [("destroyed", True, "boom"), ("error", "boom"), ("close", True)]
