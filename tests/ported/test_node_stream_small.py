"""Small stream tests ported from Node v20's test/parallel (one test per upstream file).

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
"""

from __future__ import annotations

import sys

import pytest

import jsloop
from jsloop import fs, nextTick, setImmediate
from jsloop.stream import PassThrough, Readable, Transform, Writable


def _eq(a, b):
    assert a == b, (a, b)


def test_readable_flow_recursion():
    """test/parallel/test-stream-readable-flow-recursion.js"""
    st = {"reads": 0, "total": 5000, "depth": 0, "complete": False}
    box = {}

    def main():
        stream = Readable(highWaterMark=2)
        box["s"] = stream

        def _read(size):
            st["reads"] += 1
            size = min(size, st["total"])
            st["total"] -= size
            stream.push(None if size == 0 else bytes(size))

        stream._read = _read

        def flow(size, callback):
            st["depth"] += 1
            chunk = stream.read(size)
            if not chunk:
                stream.once("readable", lambda: flow(size, callback))
            else:
                callback(chunk)
            st["depth"] -= 1

        flow(5000, lambda chunk: st.__setitem__("complete", True))

    jsloop.run(main)
    assert st["reads"] == 2
    assert box["s"].readableHighWaterMark == 8192
    assert box["s"].readableLength == 0
    assert st["depth"] == 0
    assert st["complete"]


def test_readable_no_unneeded_readable(must):
    """test/parallel/test-stream-readable-no-unneeded-readable.js"""

    def check(r):
        def read(n):
            data = r.read()
            if data:
                wrapper.push(data)
                return

            def on_readable():
                d = r.read()
                if d:
                    wrapper.push(d)

            r.once("readable", on_readable)

        wrapper = Readable(read=read)
        r.once("end", lambda: wrapper.push(None))
        wrapper.resume()
        wrapper.once("end", must.call())

    def main():
        source = Readable(read=lambda n: None)
        source.push("foo")
        source.push("bar")
        source.push(None)
        check(source.pipe(PassThrough()))

        push_chunks = ["foo", "bar"]

        def read(n):
            chunk = push_chunks.pop(0) if push_chunks else None
            if chunk:
                r.push(chunk)
            else:
                nextTick(lambda: r.push(None))

        r = Readable(read=read)
        check(r)

    jsloop.run(main)


def test_readable_emit_readable_short_stream(must):
    """test/parallel/test-stream-readable-emit-readable-short-stream.js"""

    def drain(s):
        def f():
            while True:
                chunk = s.read()
                if not chunk:
                    break
                assert chunk == b"content"

        return f

    def transform():
        def tr(chunk, encoding, callback):
            t.push(chunk)
            return callback()

        t = Transform(transform=must.call(tr), flush=must.call(lambda callback: callback()))
        return t

    def main():
        def read1(*_a):
            r.push("content")
            r.push(None)

        r = Readable(read=must.call(read1))
        t1 = transform()
        r.pipe(t1)
        t1.on("readable", must.call(drain(t1), 2))

        t2 = transform()
        t2.end("content")
        t2.on("readable", must.call(drain(t2)))

        t3 = transform()
        t3.write("content")
        t3.end()
        t3.on("readable", must.call(drain(t3)))

        t4 = Readable(read=lambda n: None)
        t4.on("readable", must.call(drain(t4)))
        t4.push("content")
        t4.push(None)

        t5 = Readable(read=lambda n: None)
        t5.on("readable", must.call(drain(t5), 2))

        def later():
            t5.push("content")
            t5.push(None)

        nextTick(later)

        t6 = transform()
        t6.on("readable", must.call(drain(t6), 2))
        t6.write("content")
        t6.end()

    jsloop.run(main)


def test_readable_readable_then_resume(must):
    """test/parallel/test-stream-readable-readable-then-resume.js"""

    def main():
        first = [False]

        def read(n):
            if not first[0]:
                s.push("hello")
                first[0] = True
                return
            s.push(None)

        s = Readable(objectMode=True, highWaterMark=1, read=read)
        listener = must.not_call()
        s.on("readable", listener)
        s.on("end", must.call())
        assert Readable.removeListener is Readable.off
        s.removeListener("readable", listener)
        s.resume()

    jsloop.run(main)


def test_once_readable_pipe(must):
    """test/parallel/test-stream-once-readable-pipe.js"""

    def main():
        for readable_first in (True, False):
            received = []

            def write(chunk, env, callback, received=received):
                received.append(chunk.decode())
                callback()

            w = Writable(write=write)
            data = ["foo", "bar", "baz"]
            r = Readable(read=lambda n: None)
            if readable_first:
                r.once("readable", must.call())
            r.pipe(w)
            for d in data:
                r.push(d)
            r.push(None)
            if not readable_first:
                r.once("readable", must.call())
            w.on("finish", must.call(lambda received=received: _eq("".join(received), "foobarbaz")))

    jsloop.run(main)


def test_pipe_deadlock(must):
    """test/parallel/test-stream-pipe-deadlock.js"""

    @jsloop.asyncfn
    async def go():
        src = Readable(read=lambda n: None)
        src.push(bytes(100))
        src.push(None)
        src.pause()
        await jsloop.Promise(lambda resolve, _reject: setImmediate(resolve))
        dst = Writable(highWaterMark=1000, write=lambda buf, enc, cb: nextTick(cb))
        dst.write(bytes(1000))
        dst.on("finish", must.call())
        src.pipe(dst)

    jsloop.run(lambda: go().then(must.call()))


def test_events_prepend(must):
    """test/parallel/test-stream-events-prepend.js"""

    class W(Writable):
        def __init__(self):
            super().__init__()
            self.prependListener = None

        def _write(self, chunk, end, cb):
            cb()

    class R(Readable):
        def _read(self, n):
            self.push(None)

    def main():
        w = W()
        w.on("pipe", must.call())
        R().pipe(w)

    jsloop.run(main)


def test_writable_change_default_encoding():
    """test/parallel/test-stream-writable-change-default-encoding.js"""
    seen = []

    class MyWritable(Writable):
        def __init__(self, fn, options=None):
            super().__init__(options)
            self.fn = fn

        def _write(self, chunk, encoding, callback):
            self.fn(isinstance(chunk, bytes), type(chunk).__name__, encoding)
            callback()

    def expect(enc):
        def f(is_buffer, typ, e):
            seen.append(e)
            assert e == enc

        return f

    def main():
        m = MyWritable(expect("utf8"), {"decodeStrings": False})
        m.write("foo")
        m.end()
        m = MyWritable(expect("ascii"), {"decodeStrings": False})
        m.setDefaultEncoding("ascii")
        m.write("bar")
        m.end()
        with pytest.raises(TypeError) as info:
            m = MyWritable(lambda *a: None, {"decodeStrings": False})
            m.setDefaultEncoding({})
        assert info.value.code == "ERR_UNKNOWN_ENCODING"
        assert str(info.value) == "Unknown encoding: {}"
        m = MyWritable(expect("ascii"), {"decodeStrings": False})
        m.setDefaultEncoding("AsCii")
        m.write("bar")
        m.end()

    jsloop.run(main)
    assert seen == ["utf8", "ascii", "ascii"]


def test_readable_unpipe_resume(must):
    """test/parallel/test-stream-readable-unpipe-resume.js (reads the Python executable)"""

    def main():
        read_stream = fs.createReadStream(sys.executable)

        def transform(*_a):
            read_stream.unpipe()
            read_stream.resume()

        transform_stream = Transform(transform=must.call(transform))
        read_stream.on("end", must.call())
        read_stream.pipe(transform_stream).resume()

    jsloop.run(main)


@pytest.mark.parametrize("method", ["push", "unshift"])
def test_readable_add_chunk_during_data(must, method):
    """test/parallel/test-stream-readable-add-chunk-during-data.js"""

    def main():
        r = Readable(read=lambda n: None)

        def first(chunk):
            assert r.readableLength == 0
            getattr(r, method)(chunk)
            assert r.readableLength == len(chunk)
            r.on("data", must.call(lambda c: _eq(c.decode(), "Hello, world")))

        r.once("data", must.call(first))
        r.push("Hello, world")

    jsloop.run(main)


def test_decoder_objectmode():
    """test/parallel/test-stream-decoder-objectmode.js"""

    def main():
        readable = Readable(read=lambda n: None, encoding="utf16le", objectMode=True)
        readable.push("abc".encode("utf-16-le"))
        readable.push("def".encode("utf-16-le"))
        readable.push(None)
        assert readable.read() == "abc"
        assert readable.read() == "def"
        assert readable.read() is None

    jsloop.run(main)


def test_push_strings():
    """test/parallel/test-stream-push-strings.js"""
    results: list[str] = []
    box = {}

    class MyStream(Readable):
        def __init__(self, options=None):
            super().__init__(options)
            self._chunks = 3

        def _read(self, n):
            c = self._chunks
            self._chunks -= 1
            if c == 0:
                self.push(None)
            elif c == 1:
                jsloop.setTimeout(lambda: self.push("last chunk"), 100)
            elif c == 2:
                self.push("second to last chunk")
            elif c == 3:
                nextTick(lambda: self.push("first chunk"))
            else:
                raise Exception("?")

    def main():
        ms = MyStream()
        box["ms"] = ms

        def on_readable():
            while (chunk := ms.read()) is not None:
                results.append(chunk.decode())

        ms.on("readable", on_readable)

    jsloop.run(main)
    assert box["ms"]._chunks == -1
    assert results == ["first chunksecond to last chunk", "last chunk"]


def test_writable_constructor_set_methods(must):
    """test/parallel/test-stream-writable-constructor-set-methods.js"""

    def main():
        blerg = b"blerg"
        w = Writable()
        with pytest.raises(Exception) as info:
            w.end(blerg)
        assert info.value.code == "ERR_METHOD_NOT_IMPLEMENTED"
        assert str(info.value) == "The _write() method is not implemented"
        _write = must.call(lambda chunk, _, nxt: nxt())

        def writev(chunks, nxt):
            assert len(chunks) == 2
            nxt()

        _writev = must.call(writev)
        w2 = Writable(write=_write, writev=_writev)
        assert w2._write is _write
        assert w2._writev is _writev
        w2.write(blerg)
        w2.cork()
        w2.write(blerg)
        w2.write(blerg)
        w2.end()

    jsloop.run(main)


def test_readable_infinite_read(must):
    """test/parallel/test-stream-readable-infinite-read.js"""
    buf = bytes(8192)

    def main():
        readable = Readable(read=must.call(lambda *_a: readable.push(buf), 31))
        i = [0]

        def on_readable():
            i[0] += 1
            if i[0] - 1 == 10:
                jsloop.process.removeAllListeners("readable")
                return
            data = readable.read()
            if i[0] == 1:
                assert len(data) == 8192 * 2
            else:
                assert len(data) == 8192 * 3

        readable.on("readable", must.call(on_readable, 11))

    jsloop.run(main)


def test_readable_default_encoding(must):
    """test/parallel/test-stream-readable-default-encoding.js"""

    def main():
        with pytest.raises(TypeError) as info:
            Readable(read=lambda n: None, defaultEncoding="my invalid encoding")
        assert info.value.code == "ERR_UNKNOWN_ENCODING"
        r = Readable(read=lambda n: None, defaultEncoding="hex")
        r.push("ab")
        r.on("data", must.call(lambda chunk: _eq(chunk.hex(), "ab"), 1))
        r2 = Readable(read=lambda n: None, defaultEncoding="hex")
        r2.push("xy", "utf-8")
        r2.on("data", must.call(lambda chunk: _eq(chunk.decode(), "xy"), 1))

    jsloop.run(main)


def test_readable_next_no_null(must):
    """test/parallel/test-stream-readable-next-no-null.js"""

    async def generate():
        yield None

    def main():
        stream = Readable.from_(generate())

        def check(err):
            assert isinstance(err, TypeError)
            assert err.code == "ERR_STREAM_NULL_VALUES"
            assert str(err) == "May not write null values to stream"

        stream.on("error", must.call(check))
        stream.on("data", must.not_call())
        stream.on("end", must.not_call())

    jsloop.run(main)


def test_writable_invalid_chunk(must):
    """test/parallel/test-stream-writable-invalid-chunk.js (undefined and null are both None)"""

    def test_write_type(val, object_mode, code=None):
        writable = Writable(objectMode=object_mode, write=lambda *a: None)
        writable.on("error", must.not_call())
        if code:
            with pytest.raises(Exception) as info:
                writable.write(val)
            assert info.value.code == code
        else:
            writable.write(val)

    def main():
        for val in ([], {}, 0, True, 0.0):
            test_write_type(val, False, "ERR_INVALID_ARG_TYPE")
        test_write_type(None, False, "ERR_STREAM_NULL_VALUES")
        for val in ([], {}, 0, True, 0.0):
            test_write_type(val, True)
        test_write_type(None, True, "ERR_STREAM_NULL_VALUES")

    jsloop.run(main)


def test_writable_end_cb_uncaught(must):
    """test/parallel/test-stream-writable-end-cb-uncaught.js"""
    from helpers.loopkit import cleanup_process, on

    def main():
        on("uncaughtException", must.call(lambda err: _eq(str(err), "kaboom")))
        writable = Writable()
        _err = Exception("kaboom")
        writable._write = lambda chunk, encoding, cb: cb()
        writable._final = lambda cb: cb(_err)
        writable.write("asd")
        writable.end(must.call(lambda err: _eq(err is _err, True)))

    try:
        jsloop.run(main)
    finally:
        cleanup_process()


def test_writable_final_destroy(must):
    """test/parallel/test-stream-writable-final-destroy.js"""

    def main():
        w = Writable(write=lambda chunk, encoding, callback: callback(None),
                     final=lambda callback: jsloop.queueMicrotask(callback))
        w.end()
        w.destroy()
        w.on("prefinish", must.not_call())
        w.on("finish", must.not_call())
        w.on("close", must.call())

    jsloop.run(main)


def test_writable_finish_destroyed(must):
    """test/parallel/test-stream-writable-finish-destroyed.js"""

    def main():
        def write1(chunk, encoding, cb):
            w1.on("close", must.call(lambda: cb()))

        w1 = Writable(write=must.call(write1))
        w1.on("finish", must.not_call())
        w1.end("asd")
        w1.destroy()

        def write2(chunk, encoding, cb):
            def on_close():
                cb()
                w2.end()

            w2.on("close", must.call(on_close))

        w2 = Writable(write=must.call(write2))
        w2.on("finish", must.not_call())
        w2.write("asd")
        w2.destroy()

        w3 = Writable(write=lambda *a: None)
        w3.on("finish", must.not_call())
        w3.end()
        w3.destroy()

    jsloop.run(main)
