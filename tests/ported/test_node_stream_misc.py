"""objectMode, promises, auto-destroy and async-iterator pipeline tests ported from
Node v20's test/parallel (one test per upstream file).

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import fs, nextTick, setImmediate
from jsloop.stream import Readable, Transform, Writable
from jsloop.stream import promises as sp

from .node_assert import eq, run


def test_stream2_objects(must):
    """test/parallel/test-stream2-objects.js"""

    def to_array(callback):
        stream = Writable(objectMode=True)
        lst = []
        stream.write = lambda chunk, *a: lst.append(chunk)
        stream.end = must.call(lambda *a: callback(lst))
        return stream

    def from_array(lst):
        r = Readable(objectMode=True)
        r._read = must.not_call()
        for chunk in lst:
            r.push(chunk)
        r.push(None)
        return r

    def main():
        r = from_array([{"one": "1"}, {"two": "2"}])
        assert (r.read(), r.read(), r.read()) == ({"one": "1"}, {"two": "2"}, None)

        r = from_array([{"one": "1"}, {"two": "2"}])
        r.pipe(to_array(must.call(lambda lst: eq(lst, [{"one": "1"}, {"two": "2"}]))))

        r = from_array([{"one": "1"}, {"two": "2"}])
        assert r.read(2) == {"one": "1"}

        r4 = Readable(objectMode=True)
        list4 = [{"one": "1"}, {"two": "2"}]
        r4._read = lambda n: r4.push(list4.pop(0) if list4 else None)
        r4.pipe(to_array(must.call(lambda lst: eq(lst, [{"one": "1"}, {"two": "2"}]))))

        r5 = Readable(objectMode=True)
        list5 = [{"one": "1"}, {"two": "2"}]

        def read5(n):
            item = list5.pop(0) if list5 else None
            nextTick(lambda: r5.push(item))

        r5._read = read5
        r5.pipe(to_array(must.call(lambda lst: eq(lst, [{"one": "1"}, {"two": "2"}]))))

        r6 = Readable(objectMode=True)
        r6._read = must.not_call()
        strs = ["one", "two", "three"]
        for s in strs:
            r6.push(s)
        r6.push(None)
        r6.pipe(to_array(must.call(lambda arr: eq(arr, strs))))

        r7 = Readable(objectMode=True)
        r7._read = must.not_call()
        r7.push("foobar")
        r7.push(None)
        r7.pipe(to_array(must.call(lambda arr: eq(arr, ["foobar"]))))

        r8 = Readable(objectMode=True)
        r8._read = must.not_call()
        r8.push(False)
        r8.push(0)
        r8.push("")
        r8.push(None)
        r8.pipe(to_array(must.call(lambda arr: eq(arr, [False, 0, ""]))))

        r9 = Readable(highWaterMark=6, objectMode=True)
        calls = [0]

        def read9(n):
            calls[0] += 1

        r9._read = read9
        for c in ["1", "2", "3", "4", "5", "6", "7", "8"]:
            r9.push(c)
        v = r9.read()
        assert calls[0] == 0
        assert v == "1"
        assert r9.read() == "2"
        assert r9.read() == "3"
        assert calls[0] == 1

        r10 = Readable(highWaterMark=6, objectMode=True)
        r10._read = must.not_call()
        for i in range(6):
            assert r10.push(i) is (i != 5)

        w = Writable(objectMode=True)

        def w_write(chunk, encoding, cb):
            assert chunk == {"foo": "bar"}
            cb()

        w._write = w_write
        w.on("finish", must.call())
        w.write({"foo": "bar"})
        w.end()

        w2 = Writable(objectMode=True)
        got2 = []

        def w2_write(chunk, encoding, cb):
            got2.append(chunk)
            cb()

        w2._write = w2_write
        w2.on("finish", must.call(lambda: eq(got2, [0, 1, 2, 3, 4])))
        for i in range(5):
            w2.write(i)
        w2.end()

        w3 = Writable(objectMode=True)
        got3 = []

        def w3_write(chunk, encoding, cb):
            got3.append(chunk)
            nextTick(cb)

        w3._write = w3_write
        w3.on("finish", must.call(lambda: eq(got3, ["0", "1", "2", "3", "4"])))
        for i in range(5):
            w3.write(str(i))
        w3.end()

        w4 = Writable(objectMode=True)
        called = [False]

        def w4_write(chunk, encoding, cb):
            assert chunk == "foo"

            def later():
                called[0] = True
                cb()

            nextTick(later)

        w4._write = w4_write
        w4.on("finish", must.call(lambda: eq(called[0], True)))
        w4.write("foo")
        w4.end()

    run(main)


def test_promises(must):
    """test/parallel/test-stream-promises.js

    The identity checks against ``util.promisify`` have no Python counterpart.
    """

    def main():
        assert sp.pipeline is jsloop.stream.promises.pipeline
        finished_flag = [False]
        processed = []
        expected = [b"a", b"b", b"c"]
        read = Readable(read=lambda n: None)

        def wr(data, enc, cb):
            processed.append(data)
            cb()

        write = Writable(write=wr)
        write.on("finish", lambda: finished_flag.__setitem__(0, True))
        for chunk in expected:
            read.push(chunk)
        read.push(None)

        def after(value):
            assert finished_flag[0]
            assert processed == expected

        sp.pipeline(read, write).then(must.call(after))

        read2 = Readable(read=lambda n: None)
        write2 = Writable(write=lambda data, enc, cb: cb())
        read2.push("data")
        setImmediate(lambda: read2.destroy())
        sp.pipeline(read2, write2).catch(must.call(lambda err: eq(bool(err), True)))

        @jsloop.asyncfn
        async def run_finished():
            rs = fs.createReadStream(__file__)
            ended = [False]
            rs.resume()
            rs.on("end", lambda: ended.__setitem__(0, True))
            await sp.finished(rs)
            assert ended[0]

        run_finished().then(must.call())

        rs2 = fs.createReadStream("file-does-not-exist")
        sp.finished(rs2).then(None, must.call(lambda err: eq(err.code, "ENOENT")))

        with pytest.raises(TypeError) as info:
            sp.finished(Readable(), {"cleanup": 2})
        assert info.value.code == "ERR_INVALID_ARG_TYPE"
        sp.finished(Readable(), {"cleanup": True})

        for cleanup, left in ((False, 1), (True, 0), (None, 1)):
            obj = Writable()
            assert obj.listenerCount("end") == 0
            opts = None if cleanup is None else {"cleanup": cleanup}
            sp.finished(obj, opts).then(
                must.call(lambda _v, obj=obj, left=left: eq(obj.listenerCount("end"), left)))
            obj.end()

    run(main)


def test_stream3_pipeline_async_iterator(must):
    """test/parallel/test-stream3-pipeline-async-iterator.js"""
    messages = []

    def main():
        async def my_custom_readable(_opts=None):
            yield "Hello"
            yield "World"

        async def my_custom_writable(stream, _opts=None):  # an async generator, as upstream
            async for chunk in stream:
                messages.append(chunk)
            return
            yield

        @jsloop.asyncfn
        async def go():
            await sp.pipeline(my_custom_readable, my_custom_writable)
            assert messages == ["Hello", "World"]

        go().then(must.call())

    run(main)


def test_auto_destroy(must):
    """test/parallel/test-stream-auto-destroy.js"""

    def main():
        def read1(n):
            r.push("hello")
            r.push("world")
            r.push(None)

        r = Readable(autoDestroy=True, read=read1, destroy=must.call(lambda err, cb: cb()))
        ended = [False]
        r.resume()
        r.on("end", must.call(lambda: ended.__setitem__(0, True)))
        r.on("close", must.call(lambda: eq(ended[0], True)))

        w = Writable(autoDestroy=True, write=lambda data, enc, cb: cb(None),
                     destroy=must.call(lambda err, cb: cb()))
        finished_w = [False]
        w.write("hello")
        w.write("world")
        w.end()
        w.on("finish", must.call(lambda: finished_w.__setitem__(0, True)))
        w.on("close", must.call(lambda: eq(finished_w[0], True)))

        t = Transform(autoDestroy=True, transform=lambda data, enc, cb: cb(None, data),
                      destroy=must.call(lambda err, cb: cb()))
        flags = {"ended": False, "finished": False}
        t.write("hello")
        t.write("world")
        t.end()
        t.resume()
        t.on("end", must.call(lambda: flags.__setitem__("ended", True)))
        t.on("finish", must.call(lambda: flags.__setitem__("finished", True)))
        t.on("close", must.call(lambda: eq(flags, {"ended": True, "finished": True})))

        r4 = Readable(read=lambda n: r42.emit("error", Exception("fail")))
        r42 = Readable(autoDestroy=True, destroy=must.call(lambda err, cb: cb()))
        r4.pipe(r42)

        r5 = Readable(read=lambda n: w5.emit("error", Exception("fail")))
        w5 = Writable(autoDestroy=True, destroy=must.call(lambda err, cb: cb()))
        r5.pipe(w5)

    run(main)


def test_to_array(must):
    """test/parallel/test-stream-toArray.js (partial)

    Ported: the blocks without ``.map()`` (jsloop has no iterator helpers): plain
    values, Buffers with ``objectMode: false``, the result is a Promise, and bad
    options reject with ERR_INVALID_ARG_TYPE.
    """
    from jsloop import Promise

    def main():
        @jsloop.asyncfn
        async def values():
            for test in ([], [1], [1, 2, 3], list(range(100))):
                stream = Readable.from_(test)
                result = await stream.toArray()
                assert result == test

        values().then(must.call())

        @jsloop.asyncfn
        async def buffers():
            first, second = bytes([1, 2, 3]), bytes([4, 5, 6])
            stream = Readable.from_([first, second], {"objectMode": False})
            result = await stream.toArray()
            assert isinstance(result, list)
            assert result == [first, second]

        buffers().then(must.call())

        assert isinstance(Readable.from_([1, 2, 3, 4, 5]).toArray(), Promise)

        def rejects(promise):
            promise.then(must.not_call(), must.call(
                lambda err: eq(err.code, "ERR_INVALID_ARG_TYPE")))

        rejects(Readable.from_([1]).toArray(1))
        rejects(Readable.from_([1]).toArray({"signal": True}))


    run(main)
