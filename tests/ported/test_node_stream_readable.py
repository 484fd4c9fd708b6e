"""Readable tests ported from Node v20's test/parallel (one test per upstream file).

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
JS ``this`` inside option functions becomes the stream variable; ``undefined`` and
``null`` are both None; Buffers are bytes.
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import nextTick, queueMicrotask, setImmediate
from jsloop.abort import AbortController
from jsloop.stream import (
    Duplex,
    PassThrough,
    Readable,
    addAbortSignal,
    isDisturbed,
    isErrored,
)

from .node_assert import eq, is_, run


def code_is(must, code, message=None):
    def check(err):
        assert err.code == code
        if message is not None:
            assert str(err) == message

    return must.call(check)


def test_readable_destroy(must):
    """test/parallel/test-stream-readable-destroy.js"""

    def main():
        read = Readable(read=lambda n: None)
        read.resume()
        read.on("close", must.call())
        read.destroy()
        assert read.errored is None
        assert read.destroyed is True

        read = Readable(read=lambda n: None)
        read.resume()
        expected = Exception("kaboom")
        read.on("end", must.not_call())
        read.on("close", must.call())
        read.on("error", must.call(lambda err: is_(err, expected)))
        read.destroy(expected)
        assert read.errored is expected
        assert read.destroyed is True

        read3 = Readable(read=lambda n: None)

        def d3(err, cb):
            assert err is expected
            cb(err)

        read3._destroy = must.call(d3)
        read3.on("end", must.not_call())
        read3.on("close", must.call())
        read3.on("error", must.call(lambda err: is_(err, expected)))
        read3.destroy(expected)
        assert read3.destroyed is True

        def d4(err, cb):
            assert err is expected
            cb()

        read4 = Readable(read=lambda n: None, destroy=must.call(d4))
        read4.on("end", must.not_call())
        read4.on("error", must.not_call())
        read4.on("close", must.call())
        read4.destroy(expected)
        assert read4.destroyed is True

        read5 = Readable(read=lambda n: None)

        def d5(err, cb):
            assert err is None
            cb()

        read5._destroy = must.call(d5)
        read5.destroy()
        assert read5.destroyed is True

        read6 = Readable(read=lambda n: None)
        read6.resume()

        def d6(err, cb):
            assert err is None

            def later():
                read6.push(None)
                cb()

            nextTick(later)

        read6._destroy = must.call(d6)
        fail = must.not_call()
        read6.on("end", fail)
        read6.on("close", must.call())
        read6.destroy()
        read6.removeListener("end", fail)
        read6.on("end", must.not_call())
        assert read6.destroyed is True

        read7 = Readable(read=lambda n: None)
        exp7 = Exception("kaboom")

        def d7(err, cb):
            assert err is None
            cb(exp7)

        read7._destroy = must.call(d7)
        ticked = [False]
        read7.on("end", must.not_call())

        def err7(err):
            assert ticked[0] is True
            assert read7._readableState.errorEmitted is True
            assert read7._readableState.errored is exp7
            assert err is exp7

        read7.on("error", must.call(err7))
        read7.destroy()
        assert read7._readableState.errorEmitted is False
        assert read7._readableState.errored is exp7
        assert read7.destroyed is True
        ticked[0] = True

        read8 = Readable(read=lambda n: None)
        read8.resume()
        read8.destroyed = True
        assert read8.destroyed is True
        read8.on("end", must.not_call())
        read8.destroy()

        read9 = Readable(read=lambda n: None)
        read9.resume()
        exp9 = Exception("kaboom")
        ticked9 = [False]

        def close9():
            assert read9._readableState.errorEmitted is True
            assert ticked9[0] is True

        read9.on("close", must.call(close9))
        read9.on("error", must.call(lambda err: is_(err, exp9)))
        assert read9._readableState.errored is None
        assert read9._readableState.errorEmitted is False

        def cb9(err):
            assert read9._readableState.errored is exp9
            assert err is exp9

        read9.destroy(exp9, must.call(cb9))
        assert read9._readableState.errorEmitted is False
        assert read9._readableState.errored is exp9
        ticked9[0] = True

        ticked10 = [False]
        readable = Readable(destroy=must.call(lambda err, cb: nextTick(cb, Exception("kaboom 1"))),
                            read=lambda n: None)

        def close10():
            assert ticked10[0] is True
            assert readable._readableState.errorEmitted is True

        def err10(err):
            assert ticked10[0] is True
            assert str(err) == "kaboom 1"
            assert readable._readableState.errorEmitted is True

        readable.on("close", must.call(close10))
        readable.on("error", must.call(err10))
        readable.destroy()
        assert readable.destroyed is True
        assert readable._readableState.errored is None
        assert readable._readableState.errorEmitted is False
        readable.destroy(Exception("kaboom 2"))
        assert readable._readableState.errorEmitted is False
        assert readable._readableState.errored is None
        ticked10[0] = True

        read11 = Readable(read=lambda n: None)
        read11.destroy()
        read11.push("hi")
        read11.on("data", must.not_call())

        read12 = Readable(read=must.not_call())
        read12.destroy()
        assert read12.destroyed is True
        read12.read()

        def r13(n):
            read13.push(None)
            read13.push("asd")

        read13 = Readable(autoDestroy=False, read=r13)
        read13.on("error", must.call(lambda *_a: _truthy(read13._readableState.errored)))
        read13.resume()

        controller = AbortController()
        read14 = addAbortSignal(controller.signal, Readable(read=lambda n: read14.push("asd")))
        read14.on("error", must.call(lambda e: eq(e.name, "AbortError")))
        controller.abort()
        read14.on("data", must.not_call())

        controller2 = AbortController()
        read15 = Readable(signal=controller2.signal, read=lambda n: read15.push("asd"))
        read15.on("error", must.call(lambda e: eq(e.name, "AbortError")))
        controller2.abort()
        read15.on("data", must.not_call())

        controller3 = AbortController()
        read16 = addAbortSignal(controller3.signal, Readable(objectMode=True,
                                                             read=lambda n: False))
        read16.push("asd")
        read16.on("error", must.call(lambda e: eq(e.name, "AbortError")))

        @jsloop.asyncfn
        async def consume():
            try:
                async for _chunk in read16:
                    pass
            except Exception as exc:
                assert exc.name == "AbortError"
                return "rejected"
            return "resolved"

        consume().then(must.call(lambda v: eq(v, "rejected")))
        jsloop.setTimeout(lambda: controller3.abort(), 0)

        read17 = Readable(read=lambda n: None)
        read17.on("data", must.not_call())

        def push_read(*_a):
            read17.push("asd")
            read17.read()

        read17.on("error", must.call(push_read))
        read17.on("close", must.call(push_read))
        read17.destroy(Exception("asd"))

        read18 = Readable(read=lambda n: None)
        read18.on("data", must.not_call())

        def push_read18(*_a):
            read18.push("asd")
            read18.read()

        read18.on("close", must.call(push_read18))
        read18.destroy()

        read19 = Readable(read=lambda n: None)
        read19.on("data", must.not_call())

        def push_unshift(*_a):
            read19.push("asd")
            read19.unshift("asd")

        read19.on("close", must.call(push_unshift))
        read19.destroy()

        read20 = Readable(read=lambda n: None)
        read20.on("data", must.not_call())
        read20.destroy()
        read20.unshift("asd")

        read21 = Readable(read=lambda n: None)
        read21.resume()
        read21.on("data", must.not_call())
        read21.on("close", must.call(lambda *_a: read21.push("asd")))
        read21.destroy()

        read22 = Readable(read=lambda n: None)
        read22.on("data", must.not_call())
        read22.destroy()
        read22.push("asd")

    run(main)


def _truthy(v):
    assert v


def test_readable_event(must):
    """test/parallel/test-stream-readable-event.js"""

    def main():
        r = Readable(highWaterMark=3)
        r._read = must.not_call()
        r.push(b"blerg")

        def later1():
            assert not r._readableState.reading
            r.on("readable", must.call())

        jsloop.setTimeout(later1, 1)

        r2 = Readable(highWaterMark=3)
        r2._read = must.call()
        r2.push(b"bl")

        def later2():
            assert r2._readableState.reading
            r2.on("readable", must.call())

        jsloop.setTimeout(later2, 1)

        r3 = Readable(highWaterMark=30)
        r3._read = must.not_call()
        r3.push(b"blerg")
        r3.push(None)

        def later3():
            assert not r3._readableState.reading
            r3.on("readable", must.call())

        jsloop.setTimeout(later3, 1)

        underlying = ["", "x", "y", "", "z"]
        expected = [d for d in underlying if d]
        result = []
        r4 = Readable(encoding="utf8")

        def read4(n):
            def later():
                if not underlying:
                    r4.push(None)
                else:
                    r4.push(underlying.pop(0))

            nextTick(later)

        r4._read = read4

        def on_readable4():
            data = r4.read()
            if data is not None:
                result.append(data)

        r4.on("readable", on_readable4)
        r4.on("end", must.call(lambda: eq(result, expected)))

        r5 = Readable()
        r5._read = lambda n: None
        r5.on("data", lambda *_a: None)
        r5.removeAllListeners()
        assert len(r5.eventNames()) == 0

    run(main)


def test_end_paused(must):
    """test/parallel/test-stream-end-paused.js"""
    called_read = [False]

    def main():
        stream = Readable()

        def _read(n):
            assert not called_read[0]
            called_read[0] = True
            stream.push(None)

        stream._read = _read

        def on_data(*_a):
            raise AssertionError("should not ever get data")

        stream.on("data", on_data)
        stream.pause()

        def later():
            stream.on("end", must.call())
            stream.resume()

        jsloop.setTimeout(must.call(later), 1)

    run(main)
    assert called_read[0]


def test_readable_ended(must):
    """test/parallel/test-stream-readable-ended.js"""

    def main():
        assert "readableEnded" in vars(Readable)
        readable = Readable()

        def _read(n):
            assert readable.readableEnded is False
            readable.push("asd")
            assert readable.readableEnded is False
            readable.push(None)
            assert readable.readableEnded is False

        readable._read = _read
        readable.on("end", must.call(lambda: is_(readable.readableEnded, True)))
        readable.on("data", must.call(lambda *_a: is_(readable.readableEnded, False)))

        readable2 = Readable()
        readable2.on("readable", lambda: readable2.read())
        readable2.on("error", must.not_call())
        readable2.on("end", must.call())
        readable2.push("a")
        readable2.push(None)
        readable2.push(None)

    run(main)


def test_readable_need_readable(must):
    """test/parallel/test-stream-readable-needReadable.js"""

    def main():
        readable = Readable(read=lambda n: None)
        assert readable._readableState.needReadable is False

        def on_readable():
            assert readable._readableState.needReadable is False
            readable.read()

        readable.on("readable", must.call(on_readable))
        assert readable._readableState.needReadable is True
        readable.push("foo")
        readable.push(None)
        readable.on("end", must.call(lambda: is_(readable._readableState.needReadable, False)))

        async_readable = Readable(read=lambda n: None)

        def on_async_readable():
            if async_readable.read() is not None:
                assert async_readable._readableState.needReadable is True

        async_readable.on("readable", must.call(on_async_readable, 2))
        nextTick(must.call(lambda: async_readable.push("foooo")))
        nextTick(must.call(lambda: async_readable.push("bar")))

        def end_async():
            async_readable.push(None)
            assert async_readable._readableState.needReadable is False

        setImmediate(must.call(end_async))

        flowing = Readable(read=lambda n: None)
        flowing.push("foooo")
        flowing.push("bar")
        flowing.push("quo")
        nextTick(must.call(lambda: flowing.push(None)))
        flowing.on("data", must.call(lambda data: is_(
            flowing._readableState.needReadable, False), 3))

        slow = Readable(read=lambda n: None)

        def on_slow():
            chunk = slow.read(8)
            state = slow._readableState
            if chunk is None:
                assert state.needReadable is True
            else:
                assert state.needReadable is False

        slow.on("readable", must.call(on_slow, 4))

        def step4():
            slow.push(None)

        def step3():
            slow.push("foo")
            nextTick(must.call(step4))

        def step2():
            slow.push("foo")
            nextTick(must.call(step3))

        def step1():
            slow.push("foo")
            nextTick(must.call(step2))

        nextTick(must.call(step1))

    run(main)


def test_readable_hwm_0(must):
    """test/parallel/test-stream-readable-hwm-0.js"""
    pushed_null = [False]

    def main():
        r = Readable(read=must.call(), highWaterMark=0)

        def on_readable():
            assert r.read() is None
            assert pushed_null[0] is True

        r.on("readable", must.call(on_readable))
        r.on("end", must.call())

        def later():
            assert r.read() is None
            pushed_null[0] = True
            r.push(None)

        nextTick(later)

    run(main)


def test_readable_hwm_0_async(must):
    """test/parallel/test-stream-readable-hwm-0-async.js"""
    count = [5]

    def main():
        def push_one():
            if count[0]:
                count[0] -= 1
                r.push("a")
            else:
                count[0] -= 1
                r.push(None)

        r = Readable(read=must.call(lambda *_a: nextTick(must.call(push_one)), 6),
                     highWaterMark=0)
        r.on("end", must.call())
        r.on("data", must.call(times=5))

    run(main)


def test_readable_hwm_0_no_flow_data(must):
    """test/parallel/test-stream-readable-hwm-0-no-flow-data.js"""
    stream_data = ["a", None]
    calls: list[str] = []

    def js(v):
        return "null" if v is None else v

    def main():
        def _read(*_a):
            calls.append("_read:" + js(stream_data[0]))

            def later():
                calls.append("push:" + js(stream_data[0]))
                r.push(stream_data.pop(0))

            nextTick(later)

        r = Readable(read=must.call(_read, 2), highWaterMark=0, objectMode=True)
        assert r.readableFlowing is None
        r.on("readable", must.call(lambda: calls.append("readable"), 2))
        assert r.readableFlowing is False
        r.on("data", must.call(lambda data: calls.append("data:" + data), 1))
        r.on("end", must.call(lambda: calls.append("end")))
        assert r.readableFlowing is False
        base = ["_read:a", "push:a", "readable"]

        def first():
            eq(calls, base)
            eq(r.read(), "a")
            eq(calls, [*base, "data:a"])
            assert r.read() is None

            def second():
                after = [*base, "data:a", "_read:null", "push:null", "readable"]
                eq(calls, after)
                assert r.read() is None
                eq(calls, after)
                nextTick(lambda: eq(calls, [*after, "end"]))

            setImmediate(second)

        setImmediate(first)

    run(main)


def test_readable_pause_and_resume(must):
    """test/parallel/test-stream-readable-pause-and-resume.js"""
    state = {"ticks": 18, "expected": 19}

    def main():
        def _read(n):
            state["ticks"] -= 1
            if state["ticks"] + 1 > 0:
                nextTick(lambda: rs.push({}))
                return
            rs.push({})
            rs.push(None)

        rs = Readable(objectMode=True, read=_read)
        rs.on("end", must.call())

        def read_and_pause():
            def on_data(data):
                rs.pause()
                state["expected"] -= 1
                if state["expected"] <= 0:
                    return

                def later():
                    rs.removeListener("data", ondata)
                    read_and_pause()
                    rs.resume()

                setImmediate(later)

            ondata = must.call(on_data, 1)
            rs.on("data", ondata)

        read_and_pause()

        readable = Readable(read=lambda n: None)

        def read():
            pass

        readable.setEncoding("utf8")
        readable.on("readable", read)
        readable.removeListener("readable", read)
        readable.pause()
        nextTick(lambda: _truthy(readable.isPaused()))

        source3 = PassThrough()
        target3 = PassThrough()
        chunk = bytes(1000)
        while target3.write(chunk):
            pass
        source3.pipe(target3)
        target3.on("drain", must.call(lambda: _truthy(not source3.isPaused())))
        target3.on("data", lambda *_a: None)

    run(main)


def test_readable_set_encoding_null():
    """test/parallel/test-stream-readable-setEncoding-null.js"""
    readable = Readable(encoding="hex")
    assert readable._readableState.encoding == "hex"
    readable.setEncoding(None)
    assert readable._readableState.encoding == "utf8"


def test_readable_data(must):
    """test/parallel/test-stream-readable-data.js"""

    def main():
        readable = Readable(read=lambda n: None)

        def read():
            pass

        readable.setEncoding("utf8")
        readable.on("readable", read)
        readable.removeListener("readable", read)

        def later():
            readable.on("data", must.call())
            readable.push("hello")

        nextTick(later)

    run(main)


def test_readable_aborted(must):
    """test/parallel/test-stream-readable-aborted.js"""

    def main():
        readable = Readable(read=lambda n: None)
        assert readable.readableAborted is False
        readable.destroy()
        assert readable.readableAborted is True

        readable = Readable(read=lambda n: None)
        readable.push(None)
        readable.destroy()
        assert readable.readableAborted is True

        readable = Readable(read=lambda n: None)
        readable.push("asd")
        readable.destroy()
        assert readable.readableAborted is True

        r4 = Readable(read=lambda n: None)
        r4.push("asd")
        r4.push(None)
        assert r4.readableAborted is False

        def on_end():
            assert r4.readableAborted is False
            r4.destroy()
            assert r4.readableAborted is False
            queueMicrotask(lambda: is_(r4.readableAborted, False))

        r4.on("end", must.call(on_end))
        r4.resume()

        duplex = Duplex(readable=False, write=lambda *a: None)
        duplex.destroy()
        assert duplex.readableAborted is False

    run(main)


def test_readable_readable(must):
    """test/parallel/test-stream-readable-readable.js"""

    def main():
        r = Readable(read=lambda n: None)
        assert r.readable is True
        r.destroy()
        assert r.readable is False

        not_call = must.not_call()
        r2 = Readable(read=lambda n: None)
        assert r2.readable is True
        r2.on("end", not_call)
        r2.resume()
        r2.push(None)
        assert r2.readable is True
        r2.off("end", not_call)
        r2.on("end", must.call(lambda: is_(r2.readable, False)))

        def read3(*_a):
            def later():
                r3.destroy(Exception())
                assert r3.readable is False

            nextTick(later)

        r3 = Readable(read=must.call(read3))
        r3.resume()
        r3.on("error", must.call(lambda *_a: is_(r3.readable, False)))

    run(main)


def test_readable_error_end(must):
    """test/parallel/test-stream-readable-error-end.js"""

    def main():
        r = Readable(read=lambda n: None)
        r.on("end", must.not_call())
        r.on("data", must.call())
        r.on("error", must.call())
        r.push("asd")
        r.push(None)
        r.destroy(Exception("kaboom"))

    run(main)


@pytest.mark.parametrize("val", [[], {}, 0])
def test_readable_invalid_chunk(must, val):
    """test/parallel/test-stream-readable-invalid-chunk.js"""

    def main():
        readable = Readable(read=lambda n: None)
        readable.on("error", code_is(must, "ERR_INVALID_ARG_TYPE"))
        readable.push(val)
        readable2 = Readable(read=lambda n: None)
        readable2.on("error", code_is(must, "ERR_INVALID_ARG_TYPE"))
        readable2.unshift(val)

    run(main)


def test_readable_with_unimplemented_read(must):
    """test/parallel/test-stream-readable-with-unimplemented-_read.js"""

    def main():
        readable = Readable()
        readable.read()
        readable.on("error", code_is(must, "ERR_METHOD_NOT_IMPLEMENTED",
                                     "The _read() method is not implemented"))
        readable.on("close", must.call())

    run(main)


def test_readable_listening_state(must):
    """test/parallel/test-stream-readableListening-state.js"""

    def main():
        r = Readable(read=lambda n: None)
        assert r._readableState.readableListening is False
        r.on("readable", must.call(lambda: is_(r._readableState.readableListening, True)))
        r.push(b"Testing readableListening state")
        r2 = Readable(read=lambda n: None)
        assert r2._readableState.readableListening is False
        r2.on("data", must.call(lambda chunk: is_(r2._readableState.readableListening, False)))
        r2.push(b"Testing readableListening state")

    run(main)


def test_readable_end_destroyed(must):
    """test/parallel/test-stream-readable-end-destroyed.js"""

    def main():
        r = Readable()
        r.on("end", must.not_call())
        r.resume()
        r.destroy()
        r.on("close", must.call(lambda: r.push(None)))

    run(main)


def test_push_order():
    """test/parallel/test-stream-push-order.js"""
    box = {}

    def main():
        s = Readable(highWaterMark=20, encoding="ascii")
        items = ["1", "2", "3", "4", "5", "6"]

        def _read(n):
            one = items.pop(0) if items else None
            if not one:
                s.push(None)
            else:
                two = items.pop(0)
                s.push(one)
                s.push(two)

        s._read = _read
        s.read(0)
        box["s"] = s

    run(main)
    assert ",".join(box["s"].readableBuffer) == "1,2,3,4,5,6"


def test_ispaused():
    """test/parallel/test-stream-ispaused.js"""

    def main():
        readable = Readable()
        readable._read = lambda n: None
        assert not readable.isPaused()
        readable.on("data", lambda *_a: None)
        assert not readable.isPaused()
        readable.pause()
        assert readable.isPaused()
        readable.resume()
        assert not readable.isPaused()

    run(main)


def test_unshift_empty_chunk():
    """test/parallel/test-stream-unshift-empty-chunk.js"""
    seen: list[str] = []
    ended = []

    def main():
        r = Readable()
        n_chunks = [10]
        chunk = b"x" * 10

        def _read(n):
            def later():
                n_chunks[0] -= 1
                r.push(None if n_chunks[0] == 0 else chunk)

            setImmediate(later)

        r._read = _read
        read_all = [False]

        def on_readable():
            while (c := r.read()) is not None:
                seen.append(c.decode())
                put_back = b"y" * (0 if read_all[0] else 5)
                read_all[0] = not read_all[0]
                r.unshift(put_back)

        r.on("readable", on_readable)
        r.on("end", lambda: ended.append(True))

    run(main)
    assert seen == ["xxxxxxxxxx", "yyyyy"] * 9
    assert ended == [True]


def test_readable_constructor_set_methods(must):
    """test/parallel/test-stream-readable-constructor-set-methods.js"""

    def main():
        r = Readable(read=must.call(lambda n: r.push(None)))
        r.resume()

    run(main)


@pytest.mark.parametrize("case", range(6))
def test_readable_did_read(must, case):
    """test/parallel/test-stream-readable-didRead.js"""

    def noop(*_a):
        pass

    def check(readable, data, fn):
        assert readable.readableDidRead is False
        assert isDisturbed(readable) is False
        assert isErrored(readable) is False
        if data == -1:
            readable.on("error", must.call(lambda *_a: is_(isErrored(readable), True)))
            readable.on("data", must.not_call())
            readable.on("end", must.not_call())
        else:
            readable.on("error", must.not_call())
            if data == -2:
                readable.on("end", must.not_call())
            else:
                readable.on("end", must.call())
            if data > 0:
                readable.on("data", must.call(times=None))
            else:
                readable.on("data", must.not_call())
        readable.on("close", must.call())
        fn()

        def later():
            assert readable.readableDidRead is (data > 0)
            if data > 0:
                assert isDisturbed(readable) is True

        setImmediate(later)

    def main():
        if case < 4:
            readable = Readable(read=lambda n: readable.push(None))
        else:
            def _read(n):
                readable.push("data")
                readable.push(None)

            readable = Readable(read=_read)
        if case == 0:
            check(readable, 0, lambda: readable.read())
        elif case == 1:
            check(readable, 0, lambda: readable.resume())
        elif case == 2:
            check(readable, -2, lambda: readable.destroy())
        elif case == 3:
            check(readable, -1, lambda: readable.destroy(Exception()))
        elif case == 4:
            check(readable, 1, lambda: readable.on("data", noop))
        else:
            def on_off():
                readable.on("data", noop)
                readable.off("data", noop)

            check(readable, 1, on_off)

    run(main)


def test_readable_emitted_readable(must):
    """test/parallel/test-stream-readable-emittedReadable.js"""

    def main():
        readable = Readable(read=lambda n: None)
        assert readable._readableState.emittedReadable is False
        expected = [b"foobar", b"quo", None]

        def on_readable():
            assert readable._readableState.emittedReadable is True
            eq(readable.read(), expected.pop(0))
            assert readable._readableState.emittedReadable is False

        readable.on("readable", must.call(on_readable, 3))
        assert readable._readableState.emittedReadable is False
        nextTick(must.call(lambda: readable.push("foo")))
        nextTick(must.call(lambda: readable.push("bar")))

        def imm():
            readable.push("quo")
            nextTick(must.call(lambda: readable.push(None)))

        setImmediate(must.call(imm))

        no_read = Readable(read=lambda n: None)

        def on_no_read():
            assert no_read._readableState.emittedReadable is True
            no_read.read(0)
            assert no_read._readableState.emittedReadable is True

        no_read.on("readable", must.call(on_no_read))
        no_read.push("foo")
        no_read.push(None)

        flowing = Readable(read=lambda n: None)

        def on_data(*_a):
            assert flowing._readableState.emittedReadable is False
            flowing.read()
            assert flowing._readableState.emittedReadable is False

        flowing.on("data", must.call(on_data, 3))
        flowing.push("foooo")
        flowing.push("bar")
        flowing.push("quo")
        nextTick(must.call(lambda: flowing.push(None)))

    run(main)


def test_readable_reading_reading_more(must):
    """test/parallel/test-stream-readable-reading-readingMore.js"""

    def main():
        def on_stream_end_for(state):
            def f():
                assert state.readingMore is False
                assert state.reading is False

            return f

        readable = Readable(read=lambda size: None)
        state = readable._readableState
        assert (state.reading, state.readingMore) == (False, False)

        def on_data(data):
            if readable.readableFlowing:
                assert state.readingMore is True
            assert state.reading is (not state.ended)

        readable.on("data", must.call(on_data, 2))
        on_end = on_stream_end_for(state)
        expected_reading_more = [True, True, False]

        def on_readable():
            assert state.readingMore is expected_reading_more.pop(0)
            assert state.ended is (not state.reading)
            while readable.read() is not None:
                pass
            if not expected_reading_more:
                nextTick(must.call(on_end, 1))

        readable.on("readable", must.call(on_readable, 3))
        readable.on("end", must.call(on_end))
        readable.push("pushed")
        readable.read(6)
        assert state.reading is True
        assert state.readingMore is True
        readable.unshift("unshifted")
        readable.push(None)

        r2 = Readable(read=lambda size: None)
        s2 = r2._readableState
        assert (s2.reading, s2.readingMore) == (False, False)

        def on_data2(data):
            if r2.readableFlowing:
                assert s2.readingMore is True
            assert s2.reading is (not s2.ended)

        r2.on("data", must.call(on_data2, 2))
        r2.on("end", must.call(on_stream_end_for(s2)))
        r2.push("pushed")
        assert s2.flowing is True
        r2.pause()
        assert (s2.reading, s2.flowing) == (False, False)
        r2.resume()
        assert (s2.reading, s2.flowing) == (False, True)
        r2.unshift("unshifted")
        r2.push(None)

        r3 = Readable(read=lambda size: None)
        s3 = r3._readableState
        assert (s3.reading, s3.readingMore) == (False, False)
        on_readable3 = must.not_call()
        r3.on("readable", on_readable3)
        r3.on("data", must.call(lambda data: is_(s3.reading, not s3.ended), 2))
        r3.removeListener("readable", on_readable3)
        r3.on("end", must.call(on_stream_end_for(s3)))
        r3.push("pushed")
        assert s3.flowing is False

        def later():
            r3.resume()
            assert s3.flowing is True
            r3.pause()
            assert s3.flowing is False
            r3.resume()
            assert s3.flowing is True
            r3.unshift("unshifted")
            r3.push(None)

        nextTick(later)

    run(main)


def test_readable_resume_scheduled(must):
    """test/parallel/test-stream-readable-resumeScheduled.js"""
    from jsloop.stream import Writable

    def main():
        r = Readable(read=lambda n: None)
        w = Writable()
        assert r._readableState.resumeScheduled is False
        r.pipe(w)
        assert r._readableState.resumeScheduled is True
        nextTick(must.call(lambda: is_(r._readableState.resumeScheduled, False)))

        r2 = Readable(read=lambda n: None)
        assert r2._readableState.resumeScheduled is False
        r2.push(bytes([1, 2, 3]))
        r2.on("data", must.call(lambda *_a: is_(r2._readableState.resumeScheduled, False)))
        assert r2._readableState.resumeScheduled is True
        nextTick(must.call(lambda: is_(r2._readableState.resumeScheduled, False)))

        r3 = Readable(read=lambda n: None)
        assert r3._readableState.resumeScheduled is False
        r3.resume()
        assert r3._readableState.resumeScheduled is True
        r3.on("resume", must.call(lambda: is_(r3._readableState.resumeScheduled, False)))
        nextTick(must.call(lambda: is_(r3._readableState.resumeScheduled, False)))

    run(main)
