"""Writable tests ported from Node v20's test/parallel (one test per upstream file).

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
JS ``this`` inside option functions becomes the stream variable (jsloop calls
option functions with Node's arguments only). ``undefined``/``null`` are both None.
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import nextTick, setImmediate
from jsloop.abort import AbortController, AbortSignal
from jsloop.stream import Transform, Writable, addAbortSignal

from .node_assert import run


def expects_error(must, **props):
    def check(err):
        for k, v in props.items():
            if k == "message":
                assert str(err) == v
            elif k == "name":
                assert type(err).__name__ in (v, "StreamError", "NodeTypeError") or (
                    getattr(err, "name", None) == v
                )
            else:
                assert getattr(err, k) == v, (k, getattr(err, k, None))

    return must.call(check)


def test_writable_destroy(must):
    """test/parallel/test-stream-writable-destroy.js"""

    def main():
        write = Writable(write=lambda c, e, cb: cb())
        write.on("finish", must.not_call())
        write.on("close", must.call())
        write.destroy()
        assert write.destroyed is True

        def w2(c, e, cb):
            write2.destroy(Exception("asd"))
            cb()

        write2 = Writable(write=w2)
        write2.on("error", must.call())
        write2.on("finish", must.not_call())
        write2.end("asd")
        assert write2.destroyed is True

        expected = Exception("kaboom")
        write3 = Writable(write=lambda c, e, cb: cb())
        write3.on("finish", must.not_call())
        write3.on("close", must.call())
        write3.on("error", must.call(lambda err: _is(err, expected)))
        write3.destroy(expected)
        assert write3.destroyed is True

        write4 = Writable(write=lambda c, e, cb: cb())

        def d4(err, cb):
            assert err is expected
            cb(err)

        write4._destroy = d4
        write4.on("finish", must.not_call())
        write4.on("close", must.call())
        write4.on("error", must.call(lambda err: _is(err, expected)))
        write4.destroy(expected)
        assert write4.destroyed is True

        def d5(err, cb):
            assert err is expected
            cb()

        write5 = Writable(write=lambda c, e, cb: cb(), destroy=must.call(d5))
        write5.on("finish", must.not_call())
        write5.on("close", must.call())
        write5.on("error", must.not_call())
        write5.destroy(expected)
        assert write5.destroyed is True

        write6 = Writable(write=lambda c, e, cb: cb())

        def d6(err, cb):
            assert err is None
            cb()

        write6._destroy = must.call(d6)
        write6.destroy()
        assert write6.destroyed is True

        write7 = Writable(write=lambda c, e, cb: cb())

        def d7(err, cb):
            assert err is None

            def later():
                write7.end()
                cb()

            nextTick(later)

        write7._destroy = must.call(d7)
        write7.on("finish", must.not_call())
        write7.on("close", must.call())
        write7.destroy()
        assert write7.destroyed is True

        write8 = Writable(write=lambda c, e, cb: cb())

        def d8(err, cb):
            assert err is None
            cb(expected)

        write8._destroy = must.call(d8)
        write8.on("close", must.call())
        write8.on("finish", must.not_call())
        write8.on("error", must.call(lambda err: _is(err, expected)))
        write8.destroy()
        assert write8.destroyed is True

        write9 = Writable(write=lambda c, e, cb: cb())
        ticked = [False]
        write9.on("close", must.call(lambda: _is(ticked[0], True)))

        def on_err9(err):
            assert ticked[0] is True
            assert str(err) == "kaboom 1"
            assert write9._writableState.errorEmitted is True

        write9.on("error", must.call(on_err9))
        exp1 = Exception("kaboom 1")
        write9.destroy(exp1)
        write9.destroy(Exception("kaboom 2"))
        assert write9._writableState.errored is exp1
        assert write9._writableState.errorEmitted is False
        assert write9.destroyed is True
        ticked[0] = True

        ticked10 = [False]

        def d10(err, cb):
            nextTick(cb, Exception("kaboom 1"))

        writable = Writable(destroy=must.call(d10), write=lambda c, e, cb: cb())

        def close10():
            writable.on("error", must.not_call())
            writable.destroy(Exception("hello"))
            assert ticked10[0] is True
            assert writable._writableState.errorEmitted is True

        def err10(err):
            assert ticked10[0] is True
            assert str(err) == "kaboom 1"
            assert writable._writableState.errorEmitted is True

        writable.on("close", must.call(close10))
        writable.on("error", must.call(err10))
        writable.destroy()
        assert writable.destroyed is True
        assert writable._writableState.errored is None
        assert writable._writableState.errorEmitted is False
        writable.destroy(Exception("kaboom 2"))
        assert writable._writableState.errorEmitted is False
        assert writable._writableState.errored is None
        ticked10[0] = True

        write11 = Writable(write=lambda c, e, cb: cb())
        write11.destroyed = True
        assert write11.destroyed is True
        write11.on("close", must.not_call())
        write11.destroy()

        write12 = Writable(write=lambda c, e, cb: cb())
        write12.destroy()
        write12.destroy(Exception("kaboom"), must.call(lambda err=None: _is(err, None)))

        write13 = Writable(write=must.not_call(), final=must.call(lambda cb: cb(), 2),
                           autoDestroy=True)
        write13.end()

        def undestroy():
            write13._undestroy()
            write13.end()

        write13.once("close", must.call(undestroy))

        write14 = Writable()
        write14.destroy()
        write14.on("error", must.not_call())
        msg = "Cannot call write after a stream was destroyed"
        write14.write("asd", expects_error(must, code="ERR_STREAM_DESTROYED", message=msg))

        write15 = Writable(write=lambda c, e, cb: cb())
        write15.on("error", must.not_call())
        write15.cork()
        write15.write("asd", must.call())
        write15.uncork()
        write15.cork()
        write15.write("asd", expects_error(must, code="ERR_STREAM_DESTROYED"))
        write15.destroy()
        write15.write("asd", expects_error(must, code="ERR_STREAM_DESTROYED"))
        write15.uncork()

        write16 = Writable(write=lambda c, e, cb: cb(Exception("asd")))

        def on_err16(*_a):
            write16.destroy()
            t = [False]

            def end_cb(err):
                assert t[0] is True
                assert err.code == "ERR_STREAM_DESTROYED"

            write16.end(must.call(end_cb))
            t[0] = True

        write16.on("error", must.call(on_err16))
        write16.write("asd")

        write17 = Writable(write=lambda c, e, cb: cb())

        def on_finish17():
            write17.destroy()
            t = [False]

            def end_cb(err):
                assert t[0] is True
                assert err.code == "ERR_STREAM_ALREADY_FINISHED"

            write17.end(must.call(end_cb))
            t[0] = True

        write17.on("finish", must.call(on_finish17))
        write17.end()

        write18 = Writable(write=lambda c, e, cb: nextTick(cb))
        _err = Exception("asd")
        write18.once("error", must.call(lambda err: _is(str(err), "asd")))
        write18.end("asd", must.call(lambda err: _is(err, _err)))
        write18.destroy(_err)

        _err2 = Exception("asd")
        write19 = Writable(write=lambda c, e, cb: nextTick(cb, _err2), autoDestroy=False)
        write19.cork()
        write19.write("asd", must.call(lambda err: _is(err, _err2)))
        write19.write("asd", must.call(lambda err: _is(err, _err2)))
        write19.on("error", must.call(lambda err: _is(err, _err2)))
        write19.uncork()

        state = [0]
        write20 = Writable(write=lambda c, e, cb: setImmediate(cb))

        def first(*_a):
            assert state[0] == 0
            state[0] += 1

        def second(err):
            assert err.code == "ERR_STREAM_DESTROYED"
            assert state[0] == 1
            state[0] += 1

        write20.write("asd", must.call(first))
        write20.write("asd", must.call(second))
        write20.destroy()

        def twice(c, e, cb):
            cb()
            cb()

        write21 = Writable(autoDestroy=False, write=twice)
        write21.on("error", must.call(lambda *_a: _truthy(write21._writableState.errored)))
        write21.write("asd")

        ac = AbortController()
        write22 = addAbortSignal(ac.signal, Writable(write=lambda c, e, cb: cb()))

        def aborted22(e):
            assert e.name == "AbortError"
            assert write22.destroyed is True

        write22.on("error", must.call(aborted22))
        write22.write("asd")
        ac.abort()

        ac2 = AbortController()
        write23 = Writable(signal=ac2.signal, write=lambda c, e, cb: cb())

        def aborted23(e):
            assert e.name == "AbortError"
            assert write23.destroyed is True

        write23.on("error", must.call(aborted23))
        write23.write("asd")
        ac2.abort()

        write24 = Writable(signal=AbortSignal.abort(), write=lambda c, e, cb: cb())

        def aborted24(e):
            assert e.name == "AbortError"
            assert write24.destroyed is True

        write24.on("error", must.call(aborted24))

        write25 = Writable(write=lambda c, e, cb: cb())
        write25.end(must.call())
        write25.destroy()
        write25.destroy()

        s = Writable(final=lambda cb: None)
        _err3 = Exception("oh no")
        s.end(must.call(lambda err: _is(err, _err3)))
        s.on("error", must.call(lambda err: _is(err, _err3)))
        s.destroy(_err3)

    run(main)


def _is(a, b):
    assert a is b or (a == b and type(a) is type(b) and not isinstance(a, Exception)), (a, b)


def _truthy(v):
    assert v


def test_writable_finished(must):
    """test/parallel/test-stream-writable-finished.js"""

    def main():
        writable = Writable()

        def _write(chunk, encoding, cb):
            assert writable.writableFinished is False
            cb()

        writable._write = _write
        writable.on("finish", must.call(lambda: _is(writable.writableFinished, True)))
        writable.end("testing finished state", must.call(lambda *_a: _is(
            writable.writableFinished, True)))

        w = Writable(write=lambda c, e, cb: cb())
        w.end()
        w.on("finish", must.call())

        w2 = Writable(write=lambda c, e, cb: cb())
        sync = [True]
        w2.on("prefinish", must.call(lambda: _is(sync[0], True)))
        w2.end()
        sync[0] = False

        w3 = Writable(write=lambda c, e, cb: cb(), final=lambda cb: cb())
        sync3 = [True]
        w3.on("prefinish", must.call(lambda: _is(sync3[0], True)))
        w3.end()
        sync3[0] = False

        sync4 = [True]

        def final4(cb):
            assert sync4[0] is True
            cb()

        w4 = Writable(write=lambda c, e, cb: cb(), final=must.call(final4))
        w4.end()
        sync4[0] = False

    assert "writableFinished" in vars(Writable)
    run(main)


def test_writable_ended_state(must):
    """test/parallel/test-stream-writable-ended-state.js"""

    def main():
        writable = Writable()

        def _write(chunk, encoding, cb):
            assert writable._writableState.ended is False
            assert writable._writableState.writable is None
            assert writable.writableEnded is False
            cb()

        writable._write = _write
        assert writable._writableState.ended is False
        assert writable._writableState.writable is None
        assert writable.writable is True
        assert writable.writableEnded is False

        def after(*_a):
            assert writable._writableState.ended is True
            assert writable._writableState.writable is None
            assert writable.writable is False
            assert writable.writableEnded is True

        writable.end("testing ended state", must.call(after))
        after()

    run(main)


def test_writable_finished_state(must):
    """test/parallel/test-stream-writable-finished-state.js"""

    def main():
        writable = Writable()

        def _write(chunk, encoding, cb):
            assert writable._writableState.finished is False
            cb()

        writable._write = _write
        writable.on("finish", must.call(lambda: _is(writable._writableState.finished, True)))
        writable.end("testing finished state",
                     must.call(lambda *_a: _is(writable._writableState.finished, True)))

    run(main)


def test_writable_end_cb_error(must):
    """test/parallel/test-stream-writable-end-cb-error.js"""

    def main():
        writable = Writable()
        _err = Exception("kaboom")
        writable._write = lambda chunk, encoding, cb: nextTick(cb, _err)
        writable.on("error", must.call(lambda err: _is(err, _err)))
        writable.write("asd")
        writable.end(must.call(lambda err: _is(err, _err)))
        writable.end(must.call(lambda err: _is(err, _err)))

        writable2 = Writable()
        writable2._write = lambda chunk, encoding, cb: nextTick(cb)
        called = [False]

        def end_cb(err):
            called[0] = True
            assert err is None

        writable2.end("asd", must.call(end_cb))
        writable2.on("error", must.call(lambda err: _is(str(err), "kaboom")))

        def on_finish():
            assert called[0] is True
            writable2.emit("error", Exception("kaboom"))

        writable2.on("finish", must.call(on_finish))

        w = Writable(write=lambda chunk, encoding, callback: setImmediate(callback))
        after_end = expects_error(must, code="ERR_STREAM_WRITE_AFTER_END")
        w.end("testing ended state", must.call(lambda err: _is(
            err.code, "ERR_STREAM_WRITE_AFTER_END")))
        assert w.destroyed is False
        assert w.writableEnded is True
        w.end(must.call(lambda err: _is(err.code, "ERR_STREAM_WRITE_AFTER_END")))
        assert w.destroyed is False
        assert w.writableEnded is True
        w.end("end", must.call(lambda err: _is(err.code, "ERR_STREAM_WRITE_AFTER_END")))
        assert w.destroyed is True
        w.on("error", after_end)
        w.on("finish", must.not_call())

    run(main)


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_writable_write_cb_twice(must, variant):
    """test/parallel/test-stream-writable-write-cb-twice.js"""

    def main():
        def write(buf, enc, cb):
            if variant == 0:
                cb()
                cb()
            elif variant == 1:
                cb()
                nextTick(lambda: cb())
            else:
                nextTick(cb)
                nextTick(lambda: cb())

        writable = Writable(write=must.call(write))
        writable.write("hi")
        writable.on("error", expects_error(must, code="ERR_MULTIPLE_CALLBACK"))

    run(main)


def test_writable_null(must):
    """test/parallel/test-stream-writable-null.js"""

    class MyWritable(Writable):
        def __init__(self, options=None):
            super().__init__({"autoDestroy": False, **(options or {})})

        def _write(self, chunk, encoding, callback):
            assert chunk is not None
            callback()

    def if_error(e=None):
        assert e is None

    def main():
        m = MyWritable({"objectMode": True})
        m.on("error", must.not_call())
        with pytest.raises(TypeError) as info:
            m.write(None)
        assert info.value.code == "ERR_STREAM_NULL_VALUES"
        m2 = MyWritable()
        m2.on("error", must.not_call())
        with pytest.raises(TypeError) as info:
            m2.write(False)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"
        MyWritable({"objectMode": True}).write(False, if_error)
        m4 = MyWritable({"objectMode": True})
        m4.on("error", lambda e: if_error(e or Exception("should not get here")))
        m4.write(False, if_error)

    run(main)


def test_writable_needdrain_state(must):
    """test/parallel/test-stream-writable-needdrain-state.js"""

    def main():
        def _transform(chunk, encoding, cb):
            def later():
                assert transform._writableState.needDrain is True
                cb()

            nextTick(later)

        transform = Transform(transform=_transform, highWaterMark=1)
        assert transform._writableState.needDrain is False
        transform.write("asdasd", must.call(lambda *_a: _is(
            transform._writableState.needDrain, False)))
        assert transform._writableState.needDrain is True

    run(main)


def test_writable_properties():
    """test/parallel/test-stream-writable-properties.js"""
    w = Writable()
    assert w.writableCorked == 0
    w.uncork()
    assert w.writableCorked == 0
    w.cork()
    assert w.writableCorked == 1
    w.cork()
    assert w.writableCorked == 2
    w.uncork()
    assert w.writableCorked == 1
    w.uncork()
    assert w.writableCorked == 0
    w.uncork()
    assert w.writableCorked == 0


def test_writable_samecb_singletick(must, monkeypatch):
    """test/parallel/test-stream-writable-samecb-singletick.js

    Node counts TickObjects with async_hooks; here nextTick itself is counted
    (the stream module's reference to it): 100 sync writes with one callback
    create exactly one tick.
    """
    from jsloop.stream import _writable

    ticks = []
    real = _writable.nextTick

    def counting(cb, *args):
        ticks.append(cb)
        real(cb, *args)

    monkeypatch.setattr(_writable, "nextTick", counting)

    def main():
        w = Writable(write=must.call(lambda chunk, encoding, cb: cb(), 100))
        log_cb = must.call(times=100)
        for i in range(100):
            w.write(str(i) + "\n", log_cb)

    run(main)
    assert len(ticks) == 1


def test_writable_state_ending():
    """test/parallel/test-stream-writableState-ending.js"""

    def main():
        writable = Writable()

        def test_states(ending, finished, ended):
            assert writable._writableState.ending is ending
            assert writable._writableState.finished is finished
            assert writable._writableState.ended is ended

        def _write(chunk, encoding, cb):
            test_states(False, False, False)
            cb()

        writable._write = _write
        writable.on("finish", lambda: test_states(True, True, True))
        result = writable.end("testing function end()", lambda *_a: test_states(True, True, True))
        assert result is writable
        test_states(True, False, True)

    run(main)


def test_writable_state_uncorked_buffered_request_count(must):
    """test/parallel/test-stream-writableState-uncorked-bufferedRequestCount.js"""

    def main():
        writable = Writable()

        def writev(chunks, cb):
            assert len(chunks) == 2
            cb()

        writable._writev = must.call(writev, 1)
        writable._write = must.call(lambda chunk, encoding, cb: cb(), 1)
        st = writable._writableState
        writable.cork()
        assert (st.corked, st.bufferedRequestCount) == (1, 0)
        writable.cork()
        assert st.corked == 2
        writable.write("first chunk")
        assert st.bufferedRequestCount == 1
        writable.uncork()
        assert (st.corked, st.bufferedRequestCount) == (1, 1)

        def uncork():
            writable.uncork()
            assert (st.corked, st.bufferedRequestCount) == (0, 0)
            writable.cork()
            writable.write("third chunk")
            writable.end()
            assert (st.corked, st.bufferedRequestCount) == (0, 0)

        nextTick(uncork)
        writable.write("second chunk")
        assert (st.corked, st.bufferedRequestCount) == (1, 2)

    run(main)


@pytest.mark.parametrize("decode", [False, True])
@pytest.mark.parametrize("uncork", [False, True])
@pytest.mark.parametrize("multi", [False, True])
def test_writev(must, decode, uncork, multi):
    """test/parallel/test-stream-writev.js"""

    def main():
        counter = [0]
        expect_count = [0]

        def cnt(_msg):
            expect_count[0] += 1
            expect = expect_count[0]

            def f(er=None):
                assert er is None
                counter[0] += 1
                assert counter[0] == expect

            return f

        w = Writable(decodeStrings=decode)
        w._write = must.not_call()
        if decode:
            expect_chunks = [
                ("buffer", list(b"hello, ")), ("buffer", list(b"world")), ("buffer", [33]),
                ("buffer", list(b"\nand then...")),
                ("buffer", [250, 206, 190, 167, 222, 173, 190, 239, 222, 202, 251, 173]),
            ]
        else:
            expect_chunks = [
                ("ascii", "hello, "), ("utf8", "world"), ("buffer", [33]),
                ("latin1", "\nand then..."), ("hex", "facebea7deadbeefdecafbad"),
            ]
        actual = []

        def writev(chunks, cb):
            actual[:] = [
                (c.encoding, list(c.chunk) if isinstance(c.chunk, bytes) else c.chunk)
                for c in chunks
            ]
            cb()

        w._writev = writev
        w.cork()
        w.write("hello, ", "ascii", cnt("hello"))
        w.write("world", "utf8", cnt("world"))
        if multi:
            w.cork()
        w.write(b"!", "buffer", cnt("!"))
        w.write("\nand then...", "latin1", cnt("and then"))
        if multi:
            w.uncork()
        w.write("facebea7deadbeefdecafbad", "hex", cnt("hex"))
        if uncork:
            w.uncork()
        w.end(cnt("end"))

        def on_finish():
            cnt("finish")()
            assert actual == expect_chunks

        w.on("finish", must.call(on_finish))

        w2 = Writable(writev=must.call(lambda chunks, cb: cb()))
        w2.write("asd", must.call())

    run(main)


def test_write_final(must):
    """test/parallel/test-stream-write-final.js"""
    shutdown = [False]

    def main():
        def final(cb):
            def later():
                shutdown[0] = True
                cb()

            jsloop.setTimeout(later, 100)

        w = Writable(final=must.call(final), write=lambda chunk, e, cb: nextTick(cb))
        w.on("finish", must.call(lambda: _truthy(shutdown[0])))
        w.write(b"\0")
        w.end(b"")

    run(main)


def test_writable_final_async(must):
    """test/parallel/test-stream-writable-final-async.js"""
    from jsloop import timers_promises
    from jsloop.stream import Duplex

    class Foo(Duplex):
        @jsloop.asyncfn
        async def _final(self, callback):
            await timers_promises.setTimeout(1)
            callback()

        def _read(self, n=None):
            pass

    def main():
        foo = Foo()
        foo._write = must.call(lambda chunk, encoding, cb: cb())
        foo.end("test", must.call())
        foo.on("error", must.not_call())

    run(main)


def test_writable_final_throw(must):
    """test/parallel/test-stream-writable-final-throw.js"""
    from jsloop.stream import Duplex

    class Foo(Duplex):
        def _final(self, callback):
            raise Exception("fhqwhgads")

        def _read(self, n=None):
            pass

    def main():
        foo = Foo()
        foo._write = must.call(lambda chunk, encoding, cb: cb())
        foo.end("test", expects_error(must, message="fhqwhgads"))
        foo.on("error", must.call())

    run(main)


def test_stream3_cork_end():
    """test/parallel/test-stream3-cork-end.js"""
    expected_chunks = ["please", "buffer", "me", "kindly"]
    state = {"seen": [], "end": False}

    def main():
        w = Writable()

        def _write(chunk, encoding, cb):
            assert not state["end"]
            assert encoding == "buffer"
            state["seen"].append(chunk)
            cb()

        w._write = _write

        def on_finish():
            state["end"] = True

        w.on("finish", on_finish)

        def write_chunks(remaining, callback):
            if remaining:
                chunk = remaining.pop(0)

                def later():
                    assert w.write(chunk)
                    write_chunks(remaining, callback)

                setImmediate(later)
            else:
                callback()

        w.write("stuff")
        assert len(state["seen"]) == 1
        state["seen"] = []
        w.cork()

        def done():
            assert len(state["seen"]) == 0
            w.end()
            assert not state["end"]
            assert state["seen"] == [c.encode() for c in expected_chunks]
            setImmediate(lambda: _truthy(state["end"]))

        write_chunks(list(expected_chunks), done)

    run(main)


def test_writable_decoded_encoding():
    """test/parallel/test-stream-writable-decoded-encoding.js"""
    calls = []

    class MyWritable(Writable):
        def __init__(self, fn, options=None):
            super().__init__(options)
            self.fn = fn

        def _write(self, chunk, encoding, callback):
            self.fn(isinstance(chunk, bytes), type(chunk).__name__, encoding)
            callback()

    def expect(is_buffer, typ, enc):
        def f(b, t, e):
            calls.append(1)
            assert (b, t, e) == (is_buffer, typ, enc)

        return f

    def main():
        m = MyWritable(expect(True, "bytes", "buffer"), {"decodeStrings": True})
        m.write("some-text", "utf8")
        m.end()
        m = MyWritable(expect(False, "str", "utf8"), {"decodeStrings": False})
        m.write("some-text", "utf8")
        m.end()
        with pytest.raises(TypeError) as info:
            MyWritable(None, {"defaultEncoding": "my invalid encoding"}).end()
        assert info.value.code == "ERR_UNKNOWN_ENCODING"
        w = MyWritable(expect(False, "str", "hex"),
                       {"defaultEncoding": "hex", "decodeStrings": False})
        w.write("asd")
        w.end()
        w = MyWritable(expect(False, "str", "utf8"),
                       {"defaultEncoding": None, "decodeStrings": False})
        w.write("asd")
        w.end()
        m = MyWritable(expect(False, "dict", "utf8"),
                       {"defaultEncoding": "hex", "objectMode": True})
        m.write({"foo": "bar"}, "utf8")
        m.end()

    run(main)
    assert len(calls) == 5


@pytest.mark.parametrize("with_pending_data", [False, True])
@pytest.mark.parametrize("use_end", [False, True])
def test_write_destroy(with_pending_data, use_end):
    """test/parallel/test-stream-write-destroy.js"""

    def main():
        callbacks = []
        w = Writable(write=lambda data, enc, cb: callbacks.append(cb), highWaterMark=1)
        chunks_written = [0]
        drains = [0]
        w.on("drain", lambda: drains.__setitem__(0, drains[0] + 1))

        def on_write(err=None):
            if err:
                assert w.destroyed is True
                assert err.code == "ERR_STREAM_DESTROYED"
            else:
                chunks_written[0] += 1

        w.write("abc", on_write)
        assert (chunks_written[0], drains[0]) == (0, 0)
        callbacks.pop(0)()
        assert (chunks_written[0], drains[0]) == (1, 1)
        if with_pending_data:
            w.write("def", on_write)
        if use_end:
            w.end("ghi", on_write)
        else:
            w.write("ghi", on_write)
        assert chunks_written[0] == 1
        w.destroy()
        assert chunks_written[0] == 1
        callbacks.pop(0)()
        assert chunks_written[0] == (1 if use_end and not with_pending_data else 2)
        assert len(callbacks) == 0
        assert drains[0] == 1

    run(main)


def test_write_drain(must):
    """test/parallel/test-stream-write-drain.js"""

    def main():
        w = Writable(write=lambda data, enc, cb: nextTick(cb), highWaterMark=1)
        w.on("drain", must.not_call())
        w.write("asd")
        w.end()

    run(main)


def test_writable_clear_buffer(must):
    """test/parallel/test-stream-writable-clear-buffer.js"""

    class StreamWritable(Writable):
        def __init__(self):
            super().__init__({"objectMode": True})

        def _write(self, chunk, encoding, cb):
            setImmediate(cb)

    def main():
        s = StreamWritable()
        s.cork()

        def check(*_a):
            st = s._writableState
            assert st.bufferedRequestCount == len(st.getBuffer())

        for i in range(1, 6):
            s.write(i, must.call(check))
        s.end()

    run(main)


def test_writable_aborted():
    """test/parallel/test-stream-writable-aborted.js"""

    def main():
        w = Writable(write=lambda *a: None)
        assert w.writableAborted is False
        w.destroy()
        assert w.writableAborted is True
        w = Writable(write=lambda *a: None)
        assert w.writableAborted is False
        w.end()
        w.destroy()
        assert w.writableAborted is True

    run(main)


def test_writable_writable(must):
    """test/parallel/test-stream-writable-writable.js"""

    def main():
        w = Writable(write=lambda *a: None)
        assert w.writable is True
        w.destroy()
        assert w.writable is False

        w2 = Writable(write=must.call(lambda chunk, encoding, callback: callback(Exception())))
        assert w2.writable is True
        w2.write("asd")
        assert w2.writable is False
        w2.on("error", must.call())

        def w3write(chunk, encoding, callback):
            def later():
                callback(Exception())
                assert w3.writable is False

            nextTick(later)

        w3 = Writable(write=must.call(w3write))
        w3.write("asd")
        w3.on("error", must.call())

        w4 = Writable(write=must.not_call())
        assert w4.writable is True
        w4.end()
        assert w4.writable is False

    run(main)


def test_writable_end_multiple(must):
    """test/parallel/test-stream-writable-end-multiple.js"""

    def main():
        writable = Writable()
        writable._write = lambda chunk, encoding, cb: jsloop.setTimeout(lambda: cb(), 10)
        writable.end("testing ended state", must.call())
        writable.end(must.call())

        def on_finish():
            ticked = [False]

            def end_cb(err):
                assert ticked[0] is True
                assert err.code == "ERR_STREAM_ALREADY_FINISHED"

            writable.end(must.call(end_cb))
            ticked[0] = True

        writable.on("finish", must.call(on_finish))

    run(main)


@pytest.mark.parametrize("auto_destroy", [False, True])
def test_writable_write_error(must, auto_destroy):
    """test/parallel/test-stream-writable-write-error.js"""

    def expect_error(w, args, code, sync=False):
        if sync:
            if code:
                with pytest.raises(Exception) as info:
                    w.write(*args)
                assert info.value.code == code
            else:
                w.write(*args)
        else:
            state = {"error_called": False, "ticked": False}

            def cb(err):
                assert state["ticked"] is True
                assert state["error_called"] is False
                assert err.code == code

            w.write(*args, must.call(cb))
            state["ticked"] = True

            def on_error(err):
                state["error_called"] = True
                assert err.code == code

            w.on("error", must.call(on_error))

    def main():
        w = Writable(autoDestroy=auto_destroy)
        w.end()
        expect_error(w, ["asd"], "ERR_STREAM_WRITE_AFTER_END")
        Writable(autoDestroy=auto_destroy).destroy()
        expect_error(Writable(autoDestroy=auto_destroy), [None], "ERR_STREAM_NULL_VALUES", True)
        expect_error(Writable(autoDestroy=auto_destroy), [{}], "ERR_INVALID_ARG_TYPE", True)
        expect_error(Writable(decodeStrings=False, autoDestroy=auto_destroy),
                     ["asd", "noencoding"], "ERR_UNKNOWN_ENCODING", True)

    run(main)


def test_stream2_writable(must):
    """test/parallel/test-stream2-writable.js

    ``w.pipe(process.stdout)`` pipes into a plain Writable (the point is the error
    on piping *from* a Writable); the random 0-9 ms write delays are kept.
    """
    import random

    from jsloop.stream import Duplex

    class TestWriter(Writable):
        def __init__(self, opts=None):
            super().__init__(opts)
            self.buffer = []
            self.written = 0

        def _write(self, chunk, encoding, cb):
            def later():
                self.buffer.append(chunk.decode("latin-1") if isinstance(chunk, bytes)
                                   else chunk)
                self.written += len(chunk)
                cb()

            jsloop.setTimeout(later, random.randrange(10))

    chunks = ["x" * i for i in range(50)]
    encodings = ["hex", "utf8", "utf-8", "ascii", "latin1", "binary", "base64", "ucs2",
                 "ucs-2", "utf16le", "utf-16le", None]

    def to_string(data: bytes, enc):
        """``buf.toString(enc)``."""
        from jsloop.stream._utils import decode, normalize_encoding

        return decode(data, normalize_encoding(enc or "utf8"))

    def main():
        tw = TestWriter({"highWaterMark": 100})
        tw.on("finish", must.call(lambda: _eq(tw.buffer, chunks)))
        for chunk in chunks:
            tw.write(chunk)
        tw.end()

        tw2 = TestWriter({"highWaterMark": 100})
        tw2.on("finish", must.call(lambda: _eq(tw2.buffer, chunks)))
        i2 = [0]

        def w2():
            tw2.write(chunks[i2[0]])
            i2[0] += 1
            if i2[0] < len(chunks):
                jsloop.setTimeout(w2, 10)
            else:
                tw2.end()

        w2()

        tw3 = TestWriter({"highWaterMark": 50})
        drains = [0]

        def fin3():
            assert tw3.buffer == chunks
            assert drains[0] == 17

        tw3.on("finish", must.call(fin3))
        tw3.on("drain", lambda: drains.__setitem__(0, drains[0] + 1))
        i3 = [0]

        def w3():
            while True:
                ret = tw3.write(chunks[i3[0]])
                i3[0] += 1
                if ret is False or i3[0] >= len(chunks):
                    break
            if i3[0] < len(chunks):
                assert tw3.writableLength >= 50
                tw3.once("drain", w3)
            else:
                tw3.end()

        w3()

        tw4 = TestWriter({"highWaterMark": 100})
        tw4.on("finish", lambda: _eq(tw4.buffer, chunks))
        for i, chunk in enumerate(chunks):
            enc = encodings[i % len(encodings)]
            tw4.write(to_string(chunk.encode(), enc), enc)

        tw5 = TestWriter({"highWaterMark": 100, "decodeStrings": False})
        orig_write = TestWriter._write

        def write5(chunk, encoding, cb):
            assert isinstance(chunk, str)
            from jsloop.stream._utils import encode

            return orig_write(tw5, encode(chunk, encoding), encoding, cb)

        tw5._write = write5
        tw5.on("finish", lambda: _eq(tw5.buffer, chunks))
        for i, chunk in enumerate(chunks):
            enc = encodings[i % len(encodings)]
            tw5.write(to_string(chunk.encode(), enc), enc)

        called = []
        tw6 = TestWriter({"highWaterMark": 100})

        def fin6():
            def later():
                assert tw6.buffer == chunks
                assert called == chunks

            nextTick(must.call(later))

        tw6.on("finish", must.call(fin6))
        for chunk in chunks:
            def cb(err, chunk=chunk):
                assert err is None
                called.append(chunk)

            tw6.write(chunk, cb)
        tw6.end()

        TestWriter().end(must.call(lambda err: _eq(err, None)))
        hello = b"hello world"
        TestWriter().end(hello, must.call(lambda err: _eq(err, None)))
        TestWriter().end("hello world", "ascii", must.call())
        tw7 = TestWriter()
        tw7.write(hello)
        tw7.end(must.call())
        tw8 = TestWriter()
        wrote_cb = [False]
        tw8.write(hello, lambda *_a: wrote_cb.__setitem__(0, True))
        tw8.end(must.call(lambda *_a: _eq(wrote_cb[0], True)))

        tw9 = Writable()
        hexs = "018b5e9a8f6236ffe30e31baf80d2cf6eb"
        tw9._write = must.call(lambda chunk, *_a: _eq(chunk.hex(), hexs))
        tw9.write(bytes.fromhex(hexs), "latin1")

        w10 = Writable(autoDestroy=False)
        w10._write = must.not_call()
        got10 = [False]
        w10.on("error", lambda *_a: got10.__setitem__(0, True))
        w10.pipe(Writable(write=lambda c, e, cb: cb()))
        assert got10[0] is True

        d = Duplex()
        d._read = must.call()
        d._write = must.not_call()
        got_d = [False]
        d.on("error", lambda *_a: got_d.__setitem__(0, True))
        d.pipe(Writable(write=lambda c, e, cb: cb()))
        assert got_d[0] is False

        w11 = Writable()
        w11._write = must.call(lambda msg, *_a: _eq(msg.decode(), "this is the end"))
        got11 = [False]

        def err11(er):
            got11[0] = True
            assert str(er) == "write after end"

        w11.on("error", err11)
        w11.end("this is the end")
        w11.end("and so is this")
        nextTick(must.call(lambda: _eq(got11[0], True)))

        w12 = Writable()
        wrote12 = [False]

        def write12(chunk, e, cb):
            assert getattr(w12, "writing", None) is None
            wrote12[0] = True
            w12.writing = True

            def later():
                w12.writing = False
                cb()

            jsloop.setTimeout(later, 1)

        w12._write = write12

        def fin12():
            assert wrote12[0] is True
            assert w12.writing is False

        w12.on("finish", must.call(fin12))
        w12.write(b"")
        w12.end()

        w13 = Writable()
        write_cb13 = [False]

        def write13(chunk, e, cb):
            def later():
                write_cb13[0] = True
                cb()

            jsloop.setTimeout(later, 10)

        w13._write = write13
        w13.on("finish", must.call(lambda: _eq(write_cb13[0], True)))
        w13.write(b"")
        w13.end()

        w14 = Writable()
        write_cb14 = [False]
        w14._write = lambda chunk, e, cb: cb()
        w14.on("finish", must.call(lambda: _eq(write_cb14[0], True)))
        w14.write(b"", lambda *_a: write_cb14.__setitem__(0, True))
        w14.end()

        w15 = Writable()
        w15._write = lambda chunk, e, cb: nextTick(cb)
        w15.on("finish", must.call())
        w15.write(b"\0")
        w15.end(b"")

        w16 = Writable()
        shutdown = [False]

        def final16(cb):
            def later():
                shutdown[0] = True
                cb()

            jsloop.setTimeout(later, 100)

        w16._final = must.call(final16)
        w16._write = lambda chunk, e, cb: nextTick(cb)
        w16.on("finish", must.call(lambda: _eq(shutdown[0], True)))
        w16.write(b"\0")
        w16.end(b"\0")

        w17 = Writable()
        w17._final = must.call(lambda cb: cb(Exception("test")))

        def err17(err):
            assert w17._writableState.errorEmitted is True
            assert str(err) == "test"
            w17.on("error", must.not_call())
            w17.destroy(Exception())

        w17.on("error", must.call(err17))
        w17.end()

        w18 = Writable()
        w18.on("error", must.not_call())
        with pytest.raises(TypeError) as info:
            w18.write(None)
        assert info.value.code == "ERR_STREAM_NULL_VALUES"

        w19 = Writable()

        def err19(err):
            assert w19._writableState.errorEmitted is True
            assert err.code == "ERR_STREAM_WRITE_AFTER_END"

        w19.on("error", must.call(err19))
        w19.end()
        w19.write("hello")
        w19.destroy(Exception())

        w20 = Writable()
        w20._final = must.call(lambda cb: cb(Exception()))
        w20._write = lambda chunk, e, cb: nextTick(cb)
        w20.on("error", must.call())
        w20.on("prefinish", must.not_call())
        w20.on("finish", must.not_call())
        w20.write(b"\0")
        w20.end(b"")

    run(main)


def _eq(a, b):
    assert a == b, (a, b)
