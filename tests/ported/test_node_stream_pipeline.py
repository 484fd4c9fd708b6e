"""pipeline() tests ported from Node v20's test/parallel.

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import Promise, setImmediate
from jsloop.abort import AbortController, AbortSignal
from jsloop.stream import PassThrough, Readable, Transform, Writable, pipeline
from jsloop.stream import promises as sp


def succeed(must, fn=None):
    def check(err=None, *rest):
        assert err is None, err
        if fn is not None:
            fn(*rest)

    return must.call(check)


def _eq(a, b):
    assert a == b, (a, b)


def _sink(res):
    def write(chunk, encoding, callback):
        res.append(chunk.decode())
        callback()

    return Writable(write=write)


def test_pipeline(must):
    """test/parallel/test-stream-pipeline.js (partial)

    Ported: the blocks with Node streams, generators and async generators that
    need no http/net/legacy ``Stream`` objects: plain read→write, missing
    arguments, destroy with and without an error, a failing transform
    destroying every stage, the promise form, AbortSignal (aborted before, during
    and in the producer), a missing callback, sync/async generator sources (as
    objects and as functions), async-generator transforms, an ``async def`` sink
    and its return value, a pipeline ending in a transform, a throwing source.
    """

    def main():
        finished = [False]
        processed = []
        expected = [b"a", b"b", b"c"]
        read = Readable(read=lambda n: None)

        def wr(data, enc, cb):
            processed.append(data)
            cb()

        write = Writable(write=wr)
        write.on("finish", lambda: finished.__setitem__(0, True))
        for chunk in expected:
            read.push(chunk)
        read.push(None)

        def after1():
            assert finished[0]
            assert processed == expected

        pipeline(read, write, succeed(must, lambda *_a: after1()))

        read2 = Readable(read=lambda n: None)
        with pytest.raises(TypeError) as info:
            pipeline(read2, lambda *a: None)
        assert info.value.code == "ERR_MISSING_ARGS"
        with pytest.raises(TypeError) as info:
            pipeline(lambda *a: None)
        assert info.value.code == "ERR_MISSING_ARGS"
        with pytest.raises(TypeError) as info:
            pipeline()
        assert info.value.code == "ERR_INVALID_ARG_TYPE"

        read3 = Readable(read=lambda n: None)
        write3 = Writable(write=lambda data, enc, cb: cb())
        read3.push("data")
        setImmediate(lambda: read3.destroy())
        pipeline(read3, write3, must.call(lambda err: _eq(bool(err), True)))

        read4 = Readable(read=lambda n: None)
        write4 = Writable(write=lambda data, enc, cb: cb())
        read4.push("data")
        setImmediate(lambda: read4.destroy(Exception("kaboom")))
        dst = pipeline(read4, write4, must.call(lambda err: _eq(str(err), "kaboom")))
        assert dst is write4

        read5 = Readable(read=lambda n: None)
        transform5 = Transform(transform=lambda data, enc, cb: cb(Exception("kaboom")))
        write5 = Writable(write=lambda data, enc, cb: cb())
        for s in (read5, transform5, write5):
            s.on("close", must.call())
            s.on("error", must.call(lambda err: _eq(str(err), "kaboom")))
        dst5 = pipeline(read5, transform5, write5, must.call(lambda err: _eq(str(err), "kaboom")))
        assert dst5 is write5
        read5.push("hello")

        @jsloop.asyncfn
        async def run_promise():
            read6 = Readable(read=lambda n: None)
            write6 = Writable(write=lambda data, enc, cb: cb())
            read6.push("data")
            read6.push(None)
            fin = [False]
            write6.on("finish", lambda: fin.__setitem__(0, True))
            await sp.pipeline(read6, write6)
            assert fin[0]

        run_promise().then(must.call())

        def expect_abort(make):
            @jsloop.asyncfn
            async def run():
                try:
                    await make()
                except Exception as e:
                    assert e.name == "AbortError"
                    return
                raise AssertionError("pipeline did not reject")

            run().then(must.call())

        def abort_first():
            ac = AbortController()

            async def producer(_opts=None):
                ac.abort()
                await Promise.resolve()
                yield "8"

            w = Writable(write=lambda chunk, encoding, callback: callback())
            return sp.pipeline(producer, w, signal=ac.signal)

        expect_abort(abort_first)

        def abort_between():
            ac = AbortController()

            async def producer(_opts=None):
                yield "5"
                await Promise.resolve()
                ac.abort()
                await Promise.resolve()
                yield "8"

            w = Writable(write=lambda chunk, encoding, callback: callback())
            return sp.pipeline(producer, w, signal=ac.signal)

        expect_abort(abort_between)

        def already_aborted():
            async def producer(_opts=None):
                yield "5"
                await Promise.resolve()
                yield "8"

            w = Writable(write=lambda chunk, encoding, callback: callback())
            return sp.pipeline(producer, w, signal=AbortSignal.abort())

        expect_abort(already_aborted)

        read7 = Readable(read=lambda n: None)
        transform7 = Transform(transform=lambda data, enc, cb: cb(Exception("kaboom")))
        write7 = Writable(write=lambda data, enc, cb: cb())
        with pytest.raises(TypeError) as info:
            pipeline(read7, transform7, write7)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"

        def gen():
            yield "hello"
            yield "world"

        async def agen(_opts=None):
            await Promise.resolve()
            yield "hello"
            yield "world"

        for source in (gen(), agen(), lambda _opts=None: gen(), agen):
            res: list[str] = []
            pipeline(source, _sink(res),
                     succeed(must, lambda *_a, res=res: _eq("".join(res), "helloworld")))

        async def upper(source, _opts=None):
            async for chunk in source:
                yield chunk.upper()

        res2: list[str] = []

        async def collect(source, _opts=None):
            async for chunk in source:
                res2.append(chunk)

        pipeline(agen, upper, collect,
                 succeed(must, lambda *_a: _eq("".join(res2), "HELLOWORLD")))

        async def join(source, _opts=None):
            ret = ""
            async for chunk in source:
                ret += chunk
            return ret

        pipeline(agen, upper, join, succeed(must, lambda val: _eq(val, "HELLOWORLD")))

        async def hello(_opts=None):
            await Promise.resolve()
            yield "hello"

        async def drain(source, _opts=None):
            async for _chunk in source:
                pass
            return
            yield

        ret = pipeline(hello, drain, must.call(lambda err=None: _eq(err, None)))
        ret.resume()
        assert callable(ret.pipe)

        async def boom(_opts=None):
            await Promise.resolve()
            raise Exception("kaboom")
            yield

        ret2 = pipeline(boom, drain, must.call(lambda err: _eq(str(err), "kaboom")))
        ret2.resume()
        assert callable(ret2.pipe)

        s = PassThrough()

        async def boom_now(_opts=None):
            raise Exception("kaboom")
            yield

        def check_s(err):
            assert str(err) == "kaboom"
            assert s.destroyed is True

        pipeline(boom_now, s, must.call(check_s))

    jsloop.run(main)


def test_pipeline_with_empty_string(must):
    """test/parallel/test-stream-pipeline-with-empty-string.js"""

    @jsloop.asyncfn
    async def run_test():
        await Promise.resolve(pipeline("", PassThrough(objectMode=True), must.call()))

    jsloop.run(lambda: run_test().then(must.call()))


def test_pipeline_queued_end_in_destroy(must):
    """test/parallel/test-stream-pipeline-queued-end-in-destroy.js"""
    from jsloop.stream import Duplex

    def main():
        readable = Readable(read=must.call())

        def destroy(err, cb):
            duplex.end()
            cb(err)

        duplex = Duplex(write=lambda chunk, enc, cb: None, read=lambda n: None, destroy=destroy)
        duplex.on("finished", must.not_call())
        pipeline(readable, duplex,
                 must.call(lambda err: _eq(err.code, "ERR_STREAM_PREMATURE_CLOSE")))
        readable.push("foo")
        setImmediate(lambda: readable.destroy())

    jsloop.run(main)


def test_pipeline_listeners(must):
    """test/parallel/test-stream-pipeline-listeners.js"""
    from helpers.loopkit import cleanup_process, on

    from jsloop.stream import Duplex

    def main():
        on("uncaughtException", must.call(lambda err: _eq(str(err), "no way"), 2))
        a = PassThrough()
        a.end("foobar")
        b = Duplex(write=lambda chunk, encoding, callback: callback())

        def done_ab(error=None, *_rest):
            assert error is None
            assert a.listenerCount("error") > 0
            assert b.listenerCount("error") == 0

            def later():
                assert b.listenerCount("error") == 0
                b.destroy(Exception("no way"))

            jsloop.setTimeout(later, 100)

        pipeline(a, b, must.call(done_ab))

        c = PassThrough()
        c.end("foobar")

        async def upper(source, _opts=None):
            async for chunk in source:
                yield chunk.decode().upper()

        def done_cd(error=None, *_rest):
            assert error is None
            assert c.listenerCount("error") > 0
            assert d.listenerCount("error") == 0

            def later():
                assert b.listenerCount("error") == 0
                d.destroy(Exception("no way"))

            jsloop.setTimeout(later, 100)

        d = pipeline(c, upper, must.call(done_cd))

        e = PassThrough()
        e.end("foobar")
        f = Writable(write=lambda chunk, encoding, callback: callback())

        def done_ef(error=None, *_rest):
            assert error is None
            assert e.listenerCount("error") > 0
            assert f.listenerCount("error") > 0

            def later():
                assert f.listenerCount("error") > 0
                f.destroy(Exception("no way"))

            jsloop.setTimeout(later, 100)

        pipeline(e, f, must.call(done_ef))

    try:
        jsloop.run(main)
    finally:
        cleanup_process()


def test_pipe_error_unhandled(must):
    """test/parallel/test-stream-pipe-error-unhandled.js"""
    from helpers.loopkit import cleanup_process, on

    def main():
        on("uncaughtException", must.call(lambda err: _eq(str(err), "asd")))
        r = Readable(read=lambda n: r.push("asd"))
        w = Writable(autoDestroy=True, write=lambda *a: None)
        r.pipe(w)
        w.destroy(Exception("asd"))

    try:
        jsloop.run(main)
    finally:
        cleanup_process()
