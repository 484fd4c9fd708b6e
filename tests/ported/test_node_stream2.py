"""stream2-era tests and addAbortSignal ported from Node v20's test/parallel.

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import nextTick, setImmediate
from jsloop.abort import AbortController
from jsloop.events import EventEmitter
from jsloop.stream import Readable, Writable, addAbortSignal


def _eq(a, b):
    assert a == b, (a, b)


def test_add_abort_signal():
    """test/parallel/test-stream-add-abort-signal.js

    The ``addAbortSignalNoValidate`` block uses a Node-internal module; left out.
    """
    with pytest.raises(TypeError) as info:
        addAbortSignal("INVALID_SIGNAL", Readable())
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    ac = AbortController()
    with pytest.raises(TypeError) as info:
        addAbortSignal(ac.signal, "INVALID_STREAM")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"


def test_stream2_push():
    """test/parallel/test-stream2-push.js"""
    written: list[str] = []
    state = {"ended": False, "reading": False, "set": 0, "finished": False}

    def main():
        stream = Readable(highWaterMark=16, encoding="utf8")
        source = EventEmitter()

        def read_start():
            state["reading"] = True

        def read_stop():
            state["reading"] = False

            def later():
                r = stream.read()
                if r is not None:
                    writer.write(r)

            nextTick(later)

        stream._read = lambda n: read_start()
        stream.on("end", lambda: state.__setitem__("ended", True))

        def on_data(chunk):
            if not stream.push(chunk):
                read_stop()

        source.on("data", on_data)
        source.on("end", lambda: stream.push(None))
        writer = Writable(decodeStrings=False)

        def _write(chunk, encoding, cb):
            written.append(chunk)
            nextTick(cb)

        writer._write = _write

        def finish():
            assert written == ["asdfgasdfgasdfgasdfg"] * 6
            state["finished"] = True

        writer.on("finish", finish)
        chunk = "asdfg"

        def end():
            source.emit("end")
            assert not state["reading"]
            writer.end(stream.read())
            setImmediate(lambda: _eq(state["ended"], True))

        def data():
            for _i in range(4):
                assert state["reading"]
                source.emit("data", chunk)
            assert not state["reading"]
            state["set"] += 1
            if state["set"] - 1 < 5:
                jsloop.setTimeout(data, 10)
            else:
                end()

        read_start()
        data()

    jsloop.run(main)
    assert state["finished"]


def test_stream2_unpipe_drain():
    """test/parallel/test-stream2-unpipe-drain.js"""

    class TestWriter(Writable):
        def _write(self, buffer, encoding, callback):
            pass

    class TestReader(Readable):
        def __init__(self):
            super().__init__()
            self.reads = 0

        def _read(self, size):
            self.reads += 1
            self.push(bytes(size))

    box = {}

    def main():
        dest = TestWriter()
        src1 = TestReader()
        src2 = TestReader()
        box.update(src1=src1, src2=src2)
        src1.pipe(dest)

        def on1():
            def later():
                src2.pipe(dest)
                src2.once("readable", lambda: nextTick(lambda: src1.unpipe(dest)))

            nextTick(later)

        src1.once("readable", on1)

    jsloop.run(main)
    assert box["src1"].reads == 2
    assert box["src2"].reads == 2


def test_stream2_readable_non_empty_end(must):
    """test/parallel/test-stream2-readable-non-empty-end.js"""

    def main():
        chunks = [bytes(i) for i in range(1, 11)]
        length = sum(range(1, 11))
        test = Readable()
        n = [0]

        def _read(size):
            chunk = chunks[n[0]] if n[0] < len(chunks) else None
            n[0] += 1
            jsloop.setTimeout(lambda: test.push(chunk), 1)

        test._read = _read

        def thrower():
            raise AssertionError("this should not happen!")

        test.on("end", thrower)
        bytesread = [0]

        def nxt():
            test.removeListener("end", thrower)
            test.on("end", must.call())
            r = test.read()
            assert r
            assert len(r) == 1
            assert test.read() is None

        def on_readable():
            b = length - bytesread[0] - 1
            res = test.read(b)
            if res:
                bytesread[0] += len(res)
                jsloop.setTimeout(nxt, 1)
            test.read(0)

        test.on("readable", on_readable)
        test.read(0)

    jsloop.run(main)


def test_stream2_large_read_stall(must):
    """test/parallel/test-stream2-large-read-stall.js"""
    readsize, pushsize, pushcount, hwm = 100, 20, 1000, 50
    pushes = [0]

    def main():
        r = Readable(highWaterMark=hwm)

        def push(*_a):
            if pushes[0] > pushcount:
                return None
            pushes[0] += 1
            if pushes[0] - 1 == pushcount:
                return r.push(None)
            if r.push(bytes(pushsize)):
                jsloop.setTimeout(push, 1)
            return None

        r._read = push

        def on_readable():
            while True:
                ret = r.read(readsize)
                if not (ret and len(ret) == readsize):
                    break

        r.on("readable", on_readable)
        r.on("end", must.call(lambda: _eq(pushes[0], pushcount + 1)))

    jsloop.run(main)


def test_stream2_read_sync_stack(must):
    """test/parallel/test-stream2-read-sync-stack.js"""
    n = 256 * 1024

    def main():
        r = Readable()
        reads = [0]

        def _read(size):
            chunk = None if reads[0] == n else b"\0"
            reads[0] += 1
            r.push(chunk)

        r._read = _read
        r.on("readable", lambda: r.read(n * 2))
        r.on("end", must.call())
        r.read(0)

    jsloop.run(main)


def test_stream2_finish_pipe():
    """test/parallel/test-stream2-finish-pipe.js"""

    def main():
        r = Readable()
        r._read = lambda size: r.push(bytes(size))
        w = Writable()
        w._write = lambda data, encoding, cb: nextTick(cb, None)
        r.pipe(w)
        nextTick(lambda: w.end())

    jsloop.run(main)


def test_stream2_finish_pipe_error(must):
    """test/parallel/test-stream2-finish-pipe-error.js"""
    from helpers.loopkit import cleanup_process, on

    def main():
        on("uncaughtException", must.call())
        r = Readable()
        r._read = lambda size: r.push(bytes(size))
        w = Writable()
        w._write = lambda data, encoding, cb: cb(None)
        r.pipe(w)
        w.end()

    try:
        jsloop.run(main)
    finally:
        cleanup_process()


def test_stream2_pipe_error_once_listener():
    """test/parallel/test-stream2-pipe-error-once-listener.js"""
    done = []

    class Read(Readable):
        def _read(self, size):
            self.push("x")
            self.push(None)

    class Write(Writable):
        def _write(self, buffer, encoding, cb):
            self.emit("error", Exception("boom"))
            self.emit("alldone")

    def main():
        read = Read()
        write = Write()
        write.once("error", lambda *_a: None)
        write.once("alldone", lambda *_a: done.append("ok"))
        read.pipe(write)

    jsloop.run(main)
    assert done == ["ok"]


def test_stream2_base64_single_char_read_end():
    """test/parallel/test-stream2-base64-single-char-read-end.js"""
    result = []

    def main():
        src = Readable(encoding="base64")
        dst = Writable()
        has_read = [False]
        accum: list[bytes] = []

        def _read(n):
            if not has_read[0]:
                has_read[0] = True

                def later():
                    src.push(b"1")
                    src.push(None)

                nextTick(later)

        src._read = _read

        def _write(chunk, enc, cb):
            accum.append(chunk)
            cb()

        dst._write = _write

        def on_end():
            result.append(b"".join(accum).decode())
            jsloop.clearTimeout(timeout)

        src.on("end", on_end)
        src.pipe(dst)

        def fail():
            raise AssertionError("timed out waiting for _write")

        timeout = jsloop.setTimeout(fail, 100)

    jsloop.run(main)
    assert result == ["MQ=="]


class _EE(EventEmitter):
    """An EventEmitter that takes attributes (jsloop's is slotted; JS objects are open)."""


def test_stream2_readable_wrap_empty(must):
    """test/parallel/test-stream2-readable-wrap-empty.js"""

    def main():
        old = _EE()
        old.pause = lambda: None
        old.resume = lambda: None
        new = Readable().wrap(old)
        new.on("readable", lambda: None).on("end", must.call())
        old.emit("end")

    jsloop.run(main)


def test_stream2_readable_wrap_error(must):
    """test/parallel/test-stream2-readable-wrap-error.js"""

    class LegacyStream(EventEmitter):
        def pause(self):
            pass

        def resume(self):
            pass

    def main():
        for auto_destroy in (True, False):
            err = Exception()
            old = LegacyStream()
            r = Readable(autoDestroy=auto_destroy).wrap(old)

            def on_error(*_a, r=r, err=err, auto_destroy=auto_destroy):
                assert r._readableState.errorEmitted is True
                assert r._readableState.errored is err
                assert r.destroyed is auto_destroy

            r.on("error", must.call(on_error))
            old.emit("error", err)

    jsloop.run(main)


def test_stream2_readable_wrap_destroy(must):
    """test/parallel/test-stream2-readable-wrap-destroy.js"""

    def main():
        old = _EE()
        old.pause = lambda: None
        old.resume = lambda: None
        Readable(autoDestroy=False, destroy=must.call()).wrap(old)
        old.emit("destroy")
        Readable(autoDestroy=False, destroy=must.call()).wrap(old)
        old.emit("close")

    jsloop.run(main)


def test_stream2_readable_wrap(must):
    """test/parallel/test-stream2-readable-wrap.js"""

    def run_test(hwm, object_mode, produce):
        old = _EE()
        r = Readable(highWaterMark=hwm, objectMode=object_mode)
        assert r.wrap(old) is r
        r.on("end", must.call())
        st = {"flowing": False, "chunks": 10, "old_ended": False, "pausing": False}
        expected = []

        def pause():
            old.emit("pause")
            st["flowing"] = False

        def flow():
            st["flowing"] = True
            while st["flowing"]:
                st["chunks"] -= 1
                if st["chunks"] + 1 <= 0:
                    break
                item = produce()
                expected.append(item)
                old.emit("data", item)
            if st["chunks"] <= 0:
                st["old_ended"] = True
                old.emit("end")

        def resume():
            old.emit("resume")
            flow()

        old.pause = pause
        old.resume = resume

        def on_pause():
            assert st["pausing"] is False
            st["pausing"] = True
            nextTick(lambda: st.__setitem__("pausing", False))

        r.on("pause", on_pause)
        w = Writable(highWaterMark=hwm * 2, objectMode=object_mode)
        written = []

        def _write(chunk, encoding, cb):
            written.append(chunk)
            jsloop.setTimeout(cb, 1)

        w._write = _write

        def perform_asserts():
            assert st["old_ended"]
            assert written == expected

        w.on("finish", must.call(perform_asserts))
        r.pipe(w)
        flow()

    object_chunks = [5, "a", False, 0, "", "xyz", {"x": 4}, 7, [], 555]

    def main():
        run_test(100, False, lambda: bytes(100))
        run_test(10, False, lambda: b"xxxxxxxxxx")
        run_test(1, True, lambda: {"foo": "bar"})
        run_test(1, True, lambda: object_chunks.pop(0))

    jsloop.run(main)


def test_readable_unshift(must):
    """test/parallel/test-stream-readable-unshift.js"""
    import base64

    def b64(s: bytes) -> str:
        return base64.b64encode(s).decode()

    def main():
        readable = Readable(read=lambda n: None)

        def d1(chunk):
            assert isinstance(chunk, bytes)
            assert chunk.decode() == "abc"

        readable.on("data", must.call(d1, 1))
        readable.unshift("abc")

        readable2 = Readable(read=lambda n: None)
        expected = ["front", "back"]
        readable2.on("data", must.call(lambda chunk: _eq(chunk.decode(), expected.pop(0)), 2))
        readable2.push("back")
        readable2.unshift("front")

        readable3 = Readable(read=lambda n: None)
        string = b64(b"abc")
        readable3.on("data", must.call(lambda chunk: _eq(b64(chunk), string), 1))
        readable3.unshift(string, "base64")

        def check_encoding(r):
            encodings = ["utf8", "binary", "hex", "base64"]
            exp = []
            r.on("data", must.call(lambda chunk: _eq(chunk, exp.pop()), len(encodings)))
            raw = {"utf8": b"abc", "binary": b"abc", "hex": bytes.fromhex("abc"[:2]),
                   "base64": base64.b64decode("abc=")}
            for enc in encodings:
                exp.append(b64(raw[enc]) if enc != "base64" else "abc")
                r.unshift("abc", enc)

        r1 = Readable(read=lambda n: None)
        r1.setEncoding("base64")
        check_encoding(r1)
        check_encoding(Readable(read=lambda n: None, encoding="base64"))

        def check_push_unshift(r):
            r.on("data", must.call(lambda chunk: _eq(chunk, b64(b"abc")), 2))
            r.push("abc")
            r.unshift("abc")

        r3 = Readable(read=lambda n: None)
        r3.setEncoding("base64")
        check_push_unshift(r3)
        check_push_unshift(Readable(read=lambda n: None, encoding="base64"))

        readable4 = Readable(objectMode=True, read=lambda n: None)
        chunks = ["a", 1, {}, []]
        readable4.on("data", must.call(lambda chunk: _eq(chunk, chunks.pop()), len(chunks)))
        for chunk in list(chunks):
            readable4.unshift(chunk)

        hwm = 50

        class ArrayReader(Readable):
            def __init__(self):
                super().__init__({"highWaterMark": hwm})
                self.buf = [str(0)] * (hwm * 2)

            def _read(self, size):
                while self.buf:
                    chunk = self.buf.pop(0)
                    if not self.buf:
                        self.push(chunk)
                        self.push(None)
                        return
                    if not self.push(chunk):
                        return

        def on_read():
            while stream.read() is not None:
                stream.removeListener("readable", on_read)
                stream.unshift("a")
                stream.on("data", lambda chunk: None)
                break

        stream = ArrayReader()
        stream.once("readable", must.call(on_read))
        stream.on("end", must.call())

    jsloop.run(main)
