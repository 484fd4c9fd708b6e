"""jsloop.stream: event and tick order checked against node 20 (outputs copied from runs).

Each test's docstring holds the JS program it mirrors; the expected lines are
what ``node`` v20 printed for it.
"""

from __future__ import annotations

import pytest
from helpers.loopkit import js

import jsloop
from jsloop.stream import (
    Duplex,
    PassThrough,
    Readable,
    Transform,
    Writable,
    finished,
    pipeline,
)
from jsloop.stream import promises as stream_promises


def run(main):
    out: list[str] = []
    jsloop.run(main, out.append)
    return out


def test_pipe_readable_read_and_write_error_order():
    """r.pipe(w) with async writes; 'readable' + read(3); a failing write (see t1.js in docs)."""

    def main(log):
        r = Readable(read=lambda n: None)

        def write(c, e, cb):
            log("write " + c.decode())
            jsloop.setImmediate(cb)

        w = Writable(highWaterMark=3, write=write)
        r.on("end", lambda: log("r end"))
        r.on("close", lambda: log("r close"))
        w.on("finish", lambda: log("w finish"))
        w.on("close", lambda: log("w close"))
        w.on("drain", lambda: log("w drain"))
        r.pipe(w)
        r.push("ab")
        r.push("cd")
        r.push("ef")
        r.push(None)
        log("sync done")
        r2 = Readable(read=lambda n: None)

        def onr():
            while (c := r2.read(3)) is not None:
                log("read " + c.decode())

        r2.on("readable", onr)
        r2.on("end", lambda: log("r2 end"))
        r2.push("hello")
        r2.push("world")
        r2.push(None)
        w2 = Writable(write=lambda c, e, cb: cb(Exception("boom")))
        w2.on("error", lambda e: log("w2 error " + str(e)))
        w2.on("close", lambda: log("w2 close"))
        w2.write("x", lambda e: log("w2 cb " + str(e)))
        jsloop.nextTick(lambda: log("tick"))
        jsloop.Promise.resolve().then(lambda _: log("micro"))

    assert run(main) == [
        "sync done", "write ab", "read hel", "read low", "read orl", "read d", "w2 cb boom",
        "tick", "r2 end", "w2 error boom", "w2 close", "micro", "write cd", "w drain",
        "write ef", "r end", "r close", "w finish", "w close",
    ]


def test_destroy_pipeline_backpressure_and_iteration_order():
    def main(log):
        d = Readable(read=lambda n: None)
        d.on("error", lambda e: log("d error " + str(e)))
        d.on("close", lambda: log("d close"))
        d.destroy(Exception("x"))
        log(f"after destroy {js(d.destroyed)} {d.errored}")
        src = Readable.from_(["a", "b", "c"])
        up = Transform(transform=lambda c, e, cb: cb(None, c.decode().upper()))
        chunks: list[str] = []

        def wr(c, e, cb):
            chunks.append(c.decode())
            cb()

        sink = Writable(write=wr)
        sink.on("finish", lambda: log("sink finish"))
        pipeline(src, up, sink, lambda err=None: log(f"pipeline done {js(err)} {''.join(chunks)}"))
        w = Writable(highWaterMark=4, write=lambda c, e, cb: jsloop.nextTick(cb))
        log(f"w1 {js(w.write('ab'))}")
        log(f"w2 {js(w.write('cd'))}")
        log(f"need {js(w.writableNeedDrain)} len {w.writableLength}")
        w.on("drain", lambda: log("drain"))
        w.end("ef", lambda: log("end cb"))
        w.on("finish", lambda: log("finish"))
        w.on("close", lambda: log("close"))

        @jsloop.asyncfn
        async def it():
            r = Readable.from_([1, 2, 3])
            async for x in r:
                log(f"it {x}")
                if x == 2:
                    break
            log(f"after break destroyed {js(r.destroyed)}")

        it()

    assert run(main) == [
        "after destroy true x", "w1 true", "w2 false", "need true len 4", "d error x",
        "d close", "sink finish", "end cb", "finish", "close", "it 1", "it 2",
        "after break destroyed true", "pipeline done undefined ABC",
    ]


def test_async_iteration_ticks():
    def main(log):
        def clock(n):
            p = jsloop.Promise.resolve()
            for i in range(1, n + 1):
                p = p.then(lambda _v, i=i: log(f"c{i}"))

        r = Readable(objectMode=True, read=lambda n: None)
        for v in (1, 2, 3, None):
            r.push(v)

        def go():
            clock(12)

            @jsloop.asyncfn
            async def f():
                async for x in r:
                    log(f"it {x}")
                log("done")

            f()

        jsloop.nextTick(go)

    assert " ".join(run(main)) == (
        "c1 c2 it 1 c3 c4 it 2 c5 c6 it 3 c7 c8 c9 c10 c11 c12 done"
    )


def test_duplex_both_sides_and_passthrough():
    def main(log):
        got: list[bytes] = []

        def write(chunk, enc, cb):
            got.append(chunk)
            cb()

        d = Duplex(read=lambda n: None, write=write)
        d.on("data", lambda c: log("data " + c.decode()))
        d.on("finish", lambda: log("finish"))
        d.on("end", lambda: log("end"))
        d.on("close", lambda: log("close"))
        d.write("in")
        d.end()
        d.push("out")
        d.push(None)
        pt = PassThrough()
        pt.on("data", lambda c: log("pt " + c.decode()))
        pt.end("x")

    out = run(main)
    assert out == ["pt x", "data out", "finish", "end", "close"]


def test_promises_pipeline_and_finished():
    def main(log):
        @jsloop.asyncfn
        async def go():
            src = Readable.from_([b"a", b"b"])
            collected: list[bytes] = []

            async def gen(source):
                async for chunk in source:
                    yield chunk * 2

            def wr(c, e, cb):
                collected.append(c)
                cb()

            w = Writable(write=wr)
            await stream_promises.pipeline(src, gen, w)
            log("piped " + b"".join(collected).decode())
            r = Readable(read=lambda n: None)
            r.resume()
            r.push(None)
            await stream_promises.finished(r)
            log("finished")
            r2 = Readable(read=lambda n: None)
            r2.destroy()
            with pytest.raises(Exception) as info:
                await stream_promises.finished(r2)
            log(info.value.code)

        go()

    assert run(main) == ["piped aabb", "finished", "ERR_STREAM_PREMATURE_CLOSE"]


def test_finished_callback_once_on_error():
    def main(log):
        w = Writable(write=lambda c, e, cb: cb(Exception("bad")))
        w.on("error", lambda e: None)
        finished(w, lambda err=None: log(f"finished {err}"))
        w.write(b"x")

    assert run(main) == ["finished bad"]


def test_bad_input_raises_node_errors():
    w = Writable(write=lambda c, e, cb: cb())
    with pytest.raises(TypeError) as info:
        w.write(None)
    assert info.value.code == "ERR_STREAM_NULL_VALUES"
    with pytest.raises(TypeError) as info:
        w.write(123)
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    with pytest.raises(TypeError) as info:
        Readable(highWaterMark=-1)
    assert info.value.code == "ERR_INVALID_ARG_VALUE"
    with pytest.raises(TypeError) as info:
        pipeline(Readable())
    assert info.value.code == "ERR_INVALID_ARG_TYPE"


def test_to_array_collects_and_honours_an_abort_signal():
    from jsloop.abort import AbortController

    def main(log):
        r = Readable.from_(["a", "b"])
        r.toArray().then(lambda v: log(f"array {v}"))
        ac = AbortController()
        s = Readable(objectMode=True, read=lambda n: None)
        s.push(1)
        s.toArray({"signal": ac.signal}).then(None, lambda err: log(err.name))
        ac.abort()

    assert run(main) == ["AbortError", "array ['a', 'b']"]
