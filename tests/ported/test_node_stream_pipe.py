"""Readable.pipe tests ported from Node v20's test/parallel (one test per upstream file).

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
"""

from __future__ import annotations

import jsloop
from jsloop import nextTick, setImmediate
from jsloop.stream import PassThrough, Readable, Stream, Writable

from .node_assert import eq, run


def test_pipe_after_end(must):
    """test/parallel/test-stream-pipe-after-end.js"""

    class TestReadable(Readable):
        def __init__(self, opt=None):
            super().__init__(opt)
            self._ended = False

        def _read(self, n):
            if self._ended:
                self.emit("error", Exception("_read called twice"))
            self._ended = True
            self.push(None)

    class TestWritable(Writable):
        def __init__(self, opt=None):
            super().__init__(opt)
            self._written = []

        def _write(self, chunk, encoding, cb):
            self._written.append(chunk)
            cb()

    def main():
        ender = TestReadable()
        piper = TestReadable()
        piper.read()

        def later():
            ender.on("end", must.call())
            assert ender.read() is None
            w = TestWritable()
            w.on("finish", must.call())
            piper.pipe(w)

        jsloop.setTimeout(must.call(later), 1)

    run(main)


def test_pipe_await_drain(must):
    """test/parallel/test-stream-pipe-await-drain.js"""

    def main():
        reader = Readable()
        writer1 = Writable()
        writer2 = Writable()
        writer3 = Writable()
        buffer = bytes(560000)
        reader._read = lambda n: None

        def w1(chunk, encoding, cb):
            writer1.emit("chunk-received")
            nextTick(cb)

        writer1._write = must.call(w1, 1)

        def received():
            assert reader._readableState.awaitDrainWriters.size == 0
            setImmediate(lambda: reader.push(buffer))

        writer1.once("chunk-received", received)
        writer2._write = must.call(lambda chunk, encoding, cb: eq(
            reader._readableState.awaitDrainWriters.size, 1), 1)
        writer3._write = must.call(lambda chunk, encoding, cb: eq(
            reader._readableState.awaitDrainWriters.size, 2), 1)
        reader.pipe(writer1)
        reader.pipe(writer2)
        reader.pipe(writer3)
        reader.push(buffer)

    run(main)


def test_pipe_await_drain_manual_resume(must):
    """test/parallel/test-stream-pipe-await-drain-manual-resume.js"""

    def main():
        writable = Writable(highWaterMark=5)
        buffering = [True]
        queue = []

        def _write(chunk, encoding, cb):
            if buffering[0]:
                queue.append(cb)
            else:
                cb()

        writable._write = _write
        readable = Readable(read=lambda n: None)
        readable.pipe(writable)

        def first_pause():
            assert readable._readableState.awaitDrainWriters is writable
            nextTick(must.call(lambda: readable.resume()))

            def second_pause():
                assert readable._readableState.awaitDrainWriters is writable
                buffering[0] = False
                for cb in queue:
                    cb()

            readable.once("pause", must.call(second_pause))

        readable.once("pause", must.call(first_pause))
        readable.push(bytes(100))
        readable.push(bytes(100))
        readable.push(bytes(100))
        readable.push(None)
        writable.on("finish", must.call(lambda: eq(
            readable._readableState.awaitDrainWriters, None)))

    run(main)


def test_pipe_await_drain_push_while_write(must):
    """test/parallel/test-stream-pipe-await-drain-push-while-write.js"""

    def main():
        def write(chunk, encoding, cb):
            assert readable._readableState.awaitDrainWriters is None
            if len(chunk) == 32 * 1024:
                readable.push(bytes(34 * 1024))
                nextTick(lambda: eq(readable._readableState.awaitDrainWriters is writable, True))
            nextTick(cb)

        writable = Writable(write=must.call(write, 3))
        bufs = [bytes(32 * 1024), bytes(33 * 1024)]

        def read(n):
            while bufs:
                readable.push(bufs.pop(0))

        readable = Readable(read=read)
        readable.pipe(writable)

    run(main)


def test_pipe_cleanup_pause(must):
    """test/parallel/test-stream-pipe-cleanup-pause.js"""

    def main():
        reader = Readable()
        writer1 = Writable()
        writer2 = Writable()
        buffer = bytes(560000)
        reader._read = lambda n: None

        def w1(chunk, encoding, cb):
            writer1.emit("chunk-received")
            cb()

        writer1._write = must.call(w1, 1)

        def received():
            reader.unpipe(writer1)
            reader.pipe(writer2)
            reader.push(buffer)

            def again():
                reader.push(buffer)
                setImmediate(lambda: reader.push(buffer))

            setImmediate(again)

        writer1.once("chunk-received", received)
        writer2._write = must.call(lambda chunk, encoding, cb: cb(), 3)
        reader.pipe(writer1)
        reader.push(buffer)

    run(main)


def test_pipe_event():
    """test/parallel/test-stream-pipe-event.js"""

    class LegacyWritable(Stream):
        def __init__(self):
            super().__init__()
            self.writable = True

    class LegacyReadable(Stream):
        def __init__(self):
            super().__init__()
            self.readable = True

    passed = []
    w = LegacyWritable()
    w.on("pipe", lambda src: passed.append(src))
    r = LegacyReadable()
    r.pipe(w)
    assert passed == [r]


def test_pipe_flow(must):
    """test/parallel/test-stream-pipe-flow.js"""

    def main():
        ticks = [17]

        def read1(n):
            ticks[0] -= 1
            if ticks[0] + 1 > 0:
                nextTick(lambda: rs.push({}))
                return
            rs.push({})
            rs.push(None)

        rs = Readable(objectMode=True, read=read1)
        ws = Writable(highWaterMark=0, objectMode=True,
                      write=lambda data, end, cb: setImmediate(cb))
        rs.on("end", must.call())
        ws.on("finish", must.call())
        rs.pipe(ws)

        missing = [8]

        def read2(n):
            missing[0] -= 1
            if missing[0] + 1:
                rs2.push({})
            else:
                rs2.push(None)

        rs2 = Readable(objectMode=True, read=read2)
        pt = rs2.pipe(PassThrough(objectMode=True, highWaterMark=2)).pipe(
            PassThrough(objectMode=True, highWaterMark=2))
        pt.on("end", lambda: wrapper.push(None))

        def wread(n):
            def later():
                data = pt.read()
                if data is None:
                    def on_readable():
                        d = pt.read()
                        if d is not None:
                            wrapper.push(d)

                    pt.once("readable", on_readable)
                else:
                    wrapper.push(data)

            nextTick(later)

        wrapper = Readable(objectMode=True, read=wread)
        wrapper.resume()
        wrapper.on("end", must.call())

        rs3 = Readable(read=lambda n: None)
        pt3 = rs3.pipe(PassThrough(objectMode=True, highWaterMark=2))
        assert pt3.listenerCount("drain") == 0
        pt3.on("finish", lambda: eq(pt3.listenerCount("drain"), 0))
        rs3.push("asd")
        assert pt3.listenerCount("drain") == 0

        def later3():
            rs3.push("asd")
            assert pt3.listenerCount("drain") == 0
            rs3.push(None)
            assert pt3.listenerCount("drain") == 0

        nextTick(later3)

    run(main)


def test_pipe_flow_after_unpipe(must):
    """test/parallel/test-stream-pipe-flow-after-unpipe.js"""

    def main():
        rs = Readable(highWaterMark=1, read=must.call(lambda *_a: rs.push("foo"), None))
        ws = Writable(highWaterMark=1,
                      write=must.call(lambda *_a: setImmediate(lambda: rs.unpipe(ws))))
        chunks = [0]

        def on_data(*_a):
            chunks[0] += 1
            if chunks[0] >= 20:
                rs.pause()

        rs.on("data", must.call(on_data, None))
        rs.pipe(ws)

    run(main)
    # mustCallAtLeast(20) for read:
    assert must.counted[0].calls >= 20


def test_pipe_manual_resume(must):
    """test/parallel/test-stream-pipe-manual-resume.js"""
    reads = []

    def test(throw_code_inbetween):
        n = 1000
        counter = [n]

        idx = len(reads)

        def read(*_a):
            reads[idx] += 1
            counter[0] -= 1
            if counter[0] >= 0:
                rs.push({"counter": counter[0]})
            else:
                rs.push(None)

        reads.append(0)
        rs = Readable(objectMode=True, read=read)
        ws = Writable(objectMode=True,
                      write=must.call(lambda data, enc, cb: setImmediate(cb), n))
        setImmediate(lambda: throw_code_inbetween(rs, ws))
        rs.pipe(ws)

    def main():
        test(lambda rs, ws: rs.read())
        test(lambda rs, ws: rs.resume())
        test(lambda rs, ws: 0)

    run(main)
    assert all(r >= 1000 for r in reads)


def test_pipe_multiple_pipes(must):
    """test/parallel/test-stream-pipe-multiple-pipes.js"""

    def main():
        readable = Readable(read=lambda n: None)
        writables = []
        for _ in range(5):
            def make():
                output = []

                def write(chunk, encoding, callback):
                    output.append(chunk)
                    callback()

                target = Writable(write=must.call(write, 1))
                target.output = output
                return target

            target = make()
            target.on("pipe", must.call())
            readable.pipe(target)
            writables.append(target)
        data = bytes([1, 2, 3, 4, 5])
        readable.push(data)

        def later():
            for target in writables:
                assert target.output == [data]
                target.on("unpipe", must.call())
                readable.unpipe(target)
            readable.push("something else")
            readable.push(None)
            readable.resume()

        nextTick(must.call(later))

        def on_end():
            for target in writables:
                assert target.output == [data]

        readable.on("end", must.call(on_end))

    run(main)


def test_pipe_need_drain(must):
    """test/parallel/test-stream-pipe-needDrain.js"""

    def main():
        w = Writable(write=lambda buf, encoding, callback: nextTick(callback), highWaterMark=1)
        while w.write("asd"):
            pass
        assert w.writableNeedDrain is True

        def read(n):
            r.push("asd")
            r.push(None)

        r = Readable(read=read)
        r.on("pause", must.call(times=2))
        r.on("end", must.call())
        r.pipe(w)

    run(main)


def test_pipe_same_destination_twice(must):
    """test/parallel/test-stream-pipe-same-destination-twice.js

    Node reads ``passThrough._events.data.length``; here ``listenerCount('data')``.
    """

    def main():
        def check_foobar(chunk, encoding, cb):
            assert chunk == b"foobar"
            cb()

        pt = PassThrough()
        dest = Writable(write=must.call(check_foobar))
        pt.pipe(dest)
        pt.pipe(dest)
        assert pt.listenerCount("data") == 2
        assert pt._readableState.pipes == [dest, dest]
        pt.unpipe(dest)
        assert pt.listenerCount("data") == 1
        assert pt._readableState.pipes == [dest]
        pt.write("foobar")
        pt.pipe(dest)

        pt2 = PassThrough()
        dest2 = Writable(write=must.call(check_foobar, 2))
        pt2.pipe(dest2)
        pt2.pipe(dest2)
        assert pt2.listenerCount("data") == 2
        assert pt2._readableState.pipes[0] is dest2
        assert pt2._readableState.pipes[1] is dest2
        pt2.write("foobar")

        pt3 = PassThrough()
        dest3 = Writable(write=must.not_call())
        pt3.pipe(dest3)
        pt3.pipe(dest3)
        assert pt3.listenerCount("data") == 2
        pt3.unpipe(dest3)
        pt3.unpipe(dest3)
        assert pt3.listenerCount("data") == 0
        assert len(pt3._readableState.pipes) == 0
        pt3.write("foobar")

    run(main)


def test_pipe_unpipe_streams(must):
    """test/parallel/test-stream-pipe-unpipe-streams.js"""

    def main():
        source = Readable(read=lambda n: None)
        dest1 = Writable(write=lambda *a: None)
        dest2 = Writable(write=lambda *a: None)
        source.pipe(dest1)
        source.pipe(dest2)
        dest1.on("unpipe", must.call())
        dest2.on("unpipe", must.call())
        assert source._readableState.pipes == [dest1, dest2]
        source.unpipe(dest2)
        assert source._readableState.pipes == [dest1]
        dest2.on("unpipe", must.not_call())
        source.unpipe(dest2)
        source.unpipe(dest1)
        assert len(source._readableState.pipes) == 0

        source2 = Readable(read=lambda n: None)
        d1 = Writable(write=lambda *a: None)
        d2 = Writable(write=lambda *a: None)
        dest_count = [0]

        def check_src_cleanup():
            assert len(source2._readableState.pipes) == 0
            assert source2._readableState.flowing is False
            for name in ("end", "data"):
                assert source2.listenerCount(name) == 0, name

        check_src = must.call(check_src_cleanup)

        def check_dest_cleanup(dest):
            dest_count[0] += 1
            source2.pipe(dest)

            def unpipe_checker(*_a):
                assert dest.listeners("unpipe") == [checker]
                dest.removeListener("unpipe", checker)
                for name in ("close", "finish", "drain", "error", "unpipe"):
                    assert dest.listenerCount(name) == 0, name
                dest_count[0] -= 1
                if dest_count[0] == 0:
                    check_src()

            checker = must.call(unpipe_checker)
            dest.on("unpipe", checker)

        check_dest_cleanup(d1)
        check_dest_cleanup(d2)
        source2.unpipe()

        src = Readable(read=lambda n: None)
        dst = Writable(write=lambda *a: None)
        src.pipe(dst)

        def on_resume():
            src.on("pause", must.call())
            src.unpipe(dst)

        src.on("resume", must.call(on_resume))

    run(main)


def test_unpipe_event(must):
    """test/parallel/test-stream-unpipe-event.js"""

    class NullWriteable(Writable):
        def _write(self, chunk, encoding, callback):
            return callback()

    class QuickEndReadable(Readable):
        def _read(self, n):
            self.push(None)

    class NeverEndReadable(Readable):
        def _read(self, n):
            pass

    def main():
        cases = [
            (QuickEndReadable, True, None, False, 0),
            (NeverEndReadable, False, None, False, 1),
            (NeverEndReadable, True, None, True, 0),
            (QuickEndReadable, True, {"end": False}, False, 0),
            (NeverEndReadable, False, {"end": False}, False, 1),
            (NeverEndReadable, True, {"end": False}, True, 0),
        ]
        for cls, unpiped, opts, unpipe_now, left in cases:
            dest = NullWriteable()
            src = cls()
            dest.on("pipe", must.call())
            dest.on("unpipe", must.call() if unpiped else must.not_call())
            src.pipe(dest, opts)
            if unpipe_now:
                src.unpipe(dest)
            setImmediate(lambda src=src, left=left: eq(len(src._readableState.pipes), left))

    run(main)


def test_pipe_error_handling(must):
    """test/parallel/test-stream-pipe-error-handling.js"""
    import pytest

    def main():
        source = Stream()
        dest = Stream()
        source.pipe(dest)
        got = []
        source.on("error", lambda err: got.append(err))
        err = Exception("This stream turned into bacon.")
        source.emit("error", err)
        assert got == [err]

        source2 = Stream()
        dest2 = Stream()
        source2.pipe(dest2)
        err2 = Exception("This stream turned into bacon.")
        with pytest.raises(Exception) as info:
            source2.emit("error", err2)
        assert info.value is err2

        r = Readable(autoDestroy=False)
        w = Writable(autoDestroy=False)
        removed = [False]

        def my_on_error(*_a):
            raise AssertionError("this should not happen")

        def r_read(*_a):
            def later():
                assert removed[0]
                with pytest.raises(Exception, match=r"^fail$"):
                    w.emit("error", Exception("fail"))

            jsloop.setTimeout(must.call(later), 1)

        r._read = must.call(r_read)
        w.on("error", my_on_error)
        r.pipe(w)
        w.removeListener("error", my_on_error)
        removed[0] = True

        r2 = Readable()
        w2 = Writable()
        removed2 = [False]

        def r2_read(*_a):
            def later():
                assert removed2[0]
                w2.emit("error", Exception("fail"))

            jsloop.setTimeout(must.call(later), 1)

        r2._read = must.call(r2_read)
        w2.on("error", must.call())
        w2._write = lambda *a: None
        r2.pipe(w2)
        w2.removeListener("error", lambda *a: None)
        removed2[0] = True

        _err = Exception("this should be handled")
        destination = PassThrough()
        destination.once("error", must.call(lambda e: eq(e is _err, True)))
        stream = Stream()
        stream.pipe(destination)
        destination.destroy(_err)

    run(main)
