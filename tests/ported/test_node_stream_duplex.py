"""Duplex and assorted stream tests ported from Node v20's test/parallel (one per file).

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import nextTick, setImmediate
from jsloop.abort import AbortController
from jsloop.stream import Duplex, Readable, Transform, Writable, finished

from .node_assert import eq, is_, run


def _dup(**kw):
    return Duplex(write=lambda chunk, enc, cb: cb(), read=lambda n: None, **kw)


def test_duplex_destroy(must):
    """test/parallel/test-stream-duplex-destroy.js"""

    def main():
        d = _dup()
        d.resume()
        d.on("end", must.not_call())
        d.on("finish", must.not_call())
        d.on("close", must.call())
        d.destroy()
        assert d.destroyed is True

        d = _dup()
        d.resume()
        expected = Exception("kaboom")
        d.on("end", must.not_call())
        d.on("finish", must.not_call())
        d.on("error", must.call(lambda err: is_(err, expected)))
        d.destroy(expected)
        assert d.destroyed is True

        d3 = _dup()

        def d3d(err, cb):
            assert err is expected
            cb(err)

        d3._destroy = must.call(d3d)
        d3.on("finish", must.not_call())
        d3.on("error", must.call(lambda err: is_(err, expected)))
        d3.destroy(expected)
        assert d3.destroyed is True

        def d4d(err, cb):
            assert err is expected
            cb()

        d4 = _dup(destroy=must.call(d4d))
        d4.resume()
        d4.on("end", must.not_call())
        d4.on("finish", must.not_call())
        d4.on("error", must.not_call())
        d4.on("close", must.call())
        d4.destroy(expected)
        assert d4.destroyed is True

        d5 = _dup()

        def d5d(err, cb):
            assert err is None
            cb()

        d5._destroy = must.call(d5d)
        d5.destroy()
        assert d5.destroyed is True

        d6 = _dup()
        d6.resume()

        def d6d(err, cb):
            assert err is None

            def later():
                d6.push(None)
                d6.end()
                cb()

            nextTick(later)

        d6._destroy = must.call(d6d)
        fail = must.not_call()
        d6.on("finish", fail)
        d6.on("end", fail)
        d6.destroy()
        d6.removeListener("end", fail)
        d6.removeListener("finish", fail)
        d6.on("end", must.not_call())
        d6.on("finish", must.not_call())
        assert d6.destroyed is True

        d7 = _dup()

        def d7d(err, cb):
            assert err is None
            cb(expected)

        d7._destroy = must.call(d7d)
        d7.on("finish", must.not_call())
        d7.on("end", must.not_call())
        d7.on("error", must.call(lambda err: is_(err, expected)))
        d7.destroy()
        assert d7.destroyed is True

        d8 = _dup(allowHalfOpen=True)
        d8.resume()
        d8.on("finish", must.not_call())
        d8.on("end", must.not_call())
        d8.destroy()
        assert d8.destroyed is True

        d9 = _dup()
        d9.destroyed = True
        assert d9.destroyed is True
        d9.on("finish", must.not_call())
        d9.on("end", must.not_call())
        d9.destroy()

        d10 = _dup(writable=False, autoDestroy=True)
        d10.push(None)
        d10.resume()
        d10.on("close", must.call())

        d11 = _dup(readable=False, autoDestroy=True)
        d11.end()
        d11.on("close", must.call())

        d12 = _dup(allowHalfOpen=False, autoDestroy=True)
        d12.push(None)
        d12.resume()
        org_end = d12.end
        d12.end = must.not_call()

        def on_end12():
            def later():
                d12.end = must.call(org_end)

            nextTick(later)

        d12.on("end", on_end12)
        d12.on("close", must.call())

        controller = AbortController()
        d13 = _dup(signal=controller.signal)
        count = [0]

        def on_err13(e):
            assert count[0] == 0
            count[0] += 1
            assert e.name == "AbortError"

        d13.on("error", must.call(on_err13))
        d13.on("close", must.call())
        controller.abort()

    run(main)


def test_duplex_props():
    """test/parallel/test-stream-duplex-props.js"""
    d = Duplex(objectMode=True, highWaterMark=100)
    assert (d.writableObjectMode, d.writableHighWaterMark) == (True, 100)
    assert (d.readableObjectMode, d.readableHighWaterMark) == (True, 100)
    d = Duplex(readableObjectMode=False, readableHighWaterMark=10,
               writableObjectMode=True, writableHighWaterMark=100)
    assert (d.writableObjectMode, d.writableHighWaterMark) == (True, 100)
    assert (d.readableObjectMode, d.readableHighWaterMark) == (False, 10)


def test_duplex_readable_end(must):
    """test/parallel/test-stream-duplex-readable-end.js"""
    loops = [5]

    def main():
        def read(n):
            if loops[0]:
                loops[0] -= 1
                src.push(bytes(20000))
            else:
                loops[0] -= 1

        src = Readable(read=read)

        def transform(chunk, output, fn):
            dst.push(None)
            fn()

        dst = Transform(transform=transform)
        src.pipe(dst)
        dst.on("data", lambda *_a: None)

        def on_end():
            assert loops[0] == 3
            assert src.isPaused()

        dst.on("end", must.call(on_end))

    run(main)


def test_duplex_writable_finished(must):
    """test/parallel/test-stream-duplex-writable-finished.js"""

    def main():
        assert hasattr(Duplex, "writableFinished")
        duplex = Duplex()

        def _write(chunk, encoding, cb):
            assert duplex.writableFinished is False
            cb()

        duplex._write = _write
        duplex.on("finish", must.call(lambda: is_(duplex.writableFinished, True)))
        duplex.end("testing finished state",
                   must.call(lambda *_a: is_(duplex.writableFinished, True)))

    run(main)


def test_duplex_readable_writable(must):
    """test/parallel/test-stream-duplex-readable-writable.js"""

    def main():
        duplex = Duplex(readable=False)
        assert duplex.readable is False
        duplex.push("asd")
        duplex.on("error", must.call(lambda err: eq(err.code, "ERR_STREAM_PUSH_AFTER_EOF")))
        duplex.on("data", must.not_call())
        duplex.on("end", must.not_call())

        duplex2 = Duplex(writable=False, write=must.not_call())
        assert duplex2.writable is False
        duplex2.write("asd")
        duplex2.on("error", must.call(lambda err: eq(err.code, "ERR_STREAM_WRITE_AFTER_END")))
        duplex2.on("finish", must.not_call())

        duplex3 = Duplex(readable=False)
        assert duplex3.readable is False
        duplex3.on("data", must.not_call())
        duplex3.on("end", must.not_call())

        @jsloop.asyncfn
        async def consume():
            async for chunk in duplex3:
                raise AssertionError(chunk)

        consume().then(must.call())

    run(main)


def test_backpressure(must):
    """test/parallel/test-stream-backpressure.js"""
    pushes = [0]
    total = 65500 + 40 * 1024

    def main():
        def read(*_a):
            pushes[0] += 1
            if pushes[0] - 1 == 10:
                rs.push(None)
                return
            assert rs._readableState.length <= total
            rs.push(bytes(65500))
            for _ in range(40):
                rs.push(bytes(1024))

        rs = Readable(read=must.call(read, 11))
        ws = Writable(write=must.call(lambda data, enc, cb: setImmediate(cb), 41 * 10))
        rs.pipe(ws)

    run(main)


def test_destroy_event_order(must):
    """test/parallel/test-stream-destroy-event-order.js"""
    state = {"closed": False, "errored": False}

    def main():
        rs = Readable(read=lambda n: None)

        def on_close():
            state["closed"] = True
            assert state["errored"]

        def on_error(err):
            state["errored"] = True
            assert not state["closed"]

        rs.on("close", must.call(on_close))
        rs.on("error", must.call(on_error))
        rs.destroy(Exception("kaboom"))

    run(main)


def test_error_once(must):
    """test/parallel/test-stream-error-once.js"""

    def main():
        writable = Writable()
        writable.on("error", must.call())
        writable.end()
        writable.write("h")
        writable.write("h")
        readable = Readable()
        readable.on("error", must.call())
        readable.push(None)
        readable.push("h")
        readable.push("h")

    run(main)


def test_end_of_streams():
    """test/parallel/test-stream-end-of-streams.js"""

    def main():
        with pytest.raises(TypeError) as info:
            finished({}, lambda *_a: None)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"
        stream_obj = Duplex()
        stream_obj.end()
        finished(stream_obj, lambda *_a: None)

    run(main)


def test_big_push(must):
    """test/parallel/test-stream-big-push.js"""
    s = "asdfasdfasdfasdfasdf"

    def main():
        r = Readable(highWaterMark=5, encoding="utf8")
        reads = [0]

        def _read(*_a):
            if reads[0] == 0:
                jsloop.setTimeout(lambda: r.push(s), 1)
                reads[0] += 1
            elif reads[0] == 1:
                assert r.push(s) is False
                reads[0] += 1
            else:
                r.push(None)

        r._read = must.call(_read, 3)
        r.on("end", must.call())
        assert not r.push(s)
        assert r.read() == s
        assert r.read() is None

        def on_readable():
            assert r.read() == s + s
            assert r.read() is None

        r.once("readable", on_readable)

    run(main)
