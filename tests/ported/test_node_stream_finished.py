"""finished() tests ported from Node v20's test/parallel.

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import fs, setImmediate
from jsloop.abort import AbortController
from jsloop.events import EventEmitter
from jsloop.stream import Readable, Transform, Writable, finished
from jsloop.stream import promises as sp


def succeed(must, fn=None):
    def check(err=None, *rest):
        assert err is None, err
        if fn is not None:
            fn()

    return must.call(check)


def test_finished(must):
    """test/parallel/test-stream-finished.js (partial)

    Ported: the first 26 blocks (readable, writable, transform, fs streams, the
    promise form, AbortController signals, premature close, argument errors,
    the cleanup function, destroyed non-readable/non-writable streams, end then
    destroy). Left out: the two blocks that pass a fake signal (an EventTarget
    with ``aborted = true``; jsloop checks for a real AbortSignal), and the rest
    of the file (http, legacy streams, testClosed factories).
    """

    def main():
        rs = Readable(read=lambda n: None)
        finished(rs, succeed(must))
        rs.push(None)
        rs.resume()

        ws = Writable(write=lambda data, enc, cb: cb())
        finished(ws, succeed(must))
        ws.end()

        tr = Transform(transform=lambda data, enc, cb: cb())
        flags = {"finish": False, "ended": False}
        tr.on("end", lambda: flags.__setitem__("ended", True))
        tr.on("finish", lambda: flags.__setitem__("finish", True))
        finished(tr, succeed(must, lambda: _true(flags["finish"] and flags["ended"])))
        tr.end()
        tr.resume()

        rs2 = fs.createReadStream(__file__)
        rs2.resume()
        finished(rs2, must.call())

        @jsloop.asyncfn
        async def run_promise():
            rs3 = fs.createReadStream(__file__)
            ended = [False]
            rs3.resume()
            rs3.on("end", lambda: ended.__setitem__(0, True))
            await sp.finished(rs3)
            assert ended[0]

        run_promise().then(must.call())

        def empty():
            yield from ()

        ac = AbortController()
        rs4 = Readable.from_(empty())
        finished(rs4, {"signal": ac.signal}, must.call(lambda err: _eq(err.name, "AbortError")))
        ac.abort()

        ac2 = AbortController()
        rs5 = Readable.from_(empty())
        jsloop.setTimeout(lambda: ac2.abort(), 1)
        finished(rs5, {"signal": ac2.signal}, must.call(lambda err: _eq(err.name, "AbortError")))

        ac3 = AbortController()

        def gen5():
            yield 5
            setImmediate(lambda: ac3.abort())

        rs6 = Readable.from_(gen5())
        rs6.resume()
        finished(rs6, {"signal": ac3.signal}, succeed(must))

        @jsloop.asyncfn
        async def run_abort():
            ac4 = AbortController()
            rs7 = Readable.from_(empty())
            setImmediate(lambda: ac4.abort())
            try:
                await sp.finished(rs7, {"signal": ac4.signal})
            except Exception as e:
                assert e.name == "AbortError"
                return
            raise AssertionError("not rejected")

        run_abort().then(must.call())

        rs8 = fs.createReadStream("file-does-not-exist")
        finished(rs8, must.call(lambda err: _eq(err.code, "ENOENT")))

        rs9 = Readable()
        finished(rs9, succeed(must))
        rs9.push(None)
        rs9.emit("close")
        rs9.resume()

        rs10 = Readable()
        finished(rs10, must.call(lambda err: _true(err)))
        rs10.emit("close")
        rs10.push(None)
        rs10.resume()

        rs11 = Readable(read=lambda n: None)
        with pytest.raises(TypeError, match="callback") as info:
            finished(rs11, "foo")
        assert info.value.code == "ERR_INVALID_ARG_TYPE"
        with pytest.raises(TypeError, match="options") as info:
            finished(rs11, "foo", lambda *a: None)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"
        with pytest.raises(TypeError, match="callback") as info:
            finished(rs11, {}, "foo")
        assert info.value.code == "ERR_INVALID_ARG_TYPE"
        finished(rs11, None, must.call())
        rs11.push(None)
        rs11.resume()

        ws2 = Writable(write=lambda data, env, cb: cb())
        remove = finished(ws2, must.not_call())
        remove()
        ws2.end()

        rs12 = Readable()
        remove2 = finished(rs12, must.not_call())
        remove2()
        rs12.emit("close")
        rs12.push(None)
        rs12.resume()

        class EE(EventEmitter):  # jsloop's EventEmitter is slotted; JS objects take any key
            pass

        stream_like = EE()
        stream_like.readableEnded = True
        stream_like.readable = True
        with pytest.raises(TypeError) as info:
            finished(stream_like, lambda *a: None)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"
        stream_like.emit("close")

        writable = Writable(write=lambda *a: None)
        writable.writable = False
        writable.destroy()
        finished(writable, must.call(lambda err: _eq(err.code, "ERR_STREAM_PREMATURE_CLOSE")))

        readable = Readable()
        readable.readable = False
        readable.destroy()
        finished(readable, must.call(lambda err: _eq(err.code, "ERR_STREAM_PREMATURE_CLOSE")))

        w = Writable(write=lambda chunk, encoding, callback: setImmediate(callback))
        finished(w, must.call(lambda err: _eq(err.code, "ERR_STREAM_PREMATURE_CLOSE")))
        w.end("asd")
        w.destroy()

    jsloop.run(main)


def _eq(a, b):
    assert a == b, (a, b)


def _true(v):
    assert v
