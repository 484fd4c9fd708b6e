"""_construct, setEncoding and cork/uncork tests ported from Node v20's test/parallel.

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import nextTick, setImmediate
from jsloop.stream import Duplex, Readable, Writable


def _eq(a, b):
    assert a == b, (a, b)


def test_construct(must):
    """test/parallel/test-stream-construct.js"""

    def code(c):
        return must.call(lambda err: _eq(err.code, c))

    def message(m):
        return must.call(lambda err: _eq(str(err), m))

    def twice(cb):
        cb()
        cb()

    def test_destroy(factory):
        def marking(state):
            def construct(cb):
                state["constructed"] = True
                nextTick(cb)

            return must.call(construct)

        st = {"constructed": False}
        s = factory({"construct": marking(st)})
        s.on("close", must.call(lambda st=st: _eq(st["constructed"], True)))
        s.destroy()

        st2 = {"constructed": False}
        s2 = factory({"construct": marking(st2)})
        s2.on("close", must.call(lambda: _eq(st2["constructed"], True)))
        s2.destroy(None, lambda *_a: _eq(st2["constructed"], True))

        st3 = {"constructed": False}
        s3 = factory({"construct": marking(st3)})
        s3.on("close", must.call(lambda: _eq(st3["constructed"], True)))
        s3.destroy()

        st4 = {"constructed": False}
        s4 = factory({"construct": marking(st4)})
        s4.on("close", must.call(lambda: _eq(st4["constructed"], True)))
        s4.on("error", must.call(lambda err: _eq(str(err), "kaboom")))

        def cb4(err):
            assert str(err) == "kaboom"
            assert st4["constructed"] is True

        s4.destroy(Exception("kaboom"), cb4)

        st5 = {"constructed": False}
        s5 = factory({"construct": marking(st5)})
        s5.on("error", must.call(lambda *_a: _eq(st5["constructed"], True)))
        s5.on("close", must.call(lambda: _eq(st5["constructed"], True)))
        s5.destroy(Exception())

    def main():
        Writable(construct=must.call(twice)).on("error", code("ERR_MULTIPLE_CALLBACK"))
        Readable(construct=must.call(twice)).on("error", code("ERR_MULTIPLE_CALLBACK"))
        Writable(construct=must.call(lambda cb: cb(Exception("test")))).on(
            "error", message("test"))
        Readable(construct=must.call(lambda cb: cb(Exception("test")))).on(
            "error", message("test"))
        Writable(construct=must.call(lambda cb: nextTick(cb, Exception("test")))).on(
            "error", message("test"))
        Readable(construct=must.call(lambda cb: nextTick(cb, Exception("test")))).on(
            "error", message("test"))

        test_destroy(lambda opts: Readable({"read": must.not_call(), **opts}))
        test_destroy(lambda opts: Writable({"write": must.not_call(), "final": must.not_call(),
                                            **opts}))

        st = {"constructed": False}

        def construct1(cb):
            st["constructed"] = True
            nextTick(cb)

        def read1(*_a):
            assert st["constructed"] is True
            r.push(None)

        r = Readable(autoDestroy=True, construct=must.call(construct1), read=must.call(read1))
        r.on("close", must.call(lambda: _eq(st["constructed"], True)))
        r.on("data", must.not_call())

        st2 = {"constructed": False}

        def construct2(cb):
            st2["constructed"] = True
            nextTick(cb)

        def write2(chunk, encoding, cb):
            assert st2["constructed"] is True
            nextTick(cb)

        def final2(cb):
            assert st2["constructed"] is True
            nextTick(cb)

        w = Writable(autoDestroy=True, construct=must.call(construct2),
                     write=must.call(write2), final=must.call(final2))
        w.on("close", must.call(lambda: _eq(st2["constructed"], True)))
        w.end("data")

        st3 = {"constructed": False}

        def construct3(cb):
            st3["constructed"] = True
            nextTick(cb)

        w3 = Writable(autoDestroy=True, construct=must.call(construct3),
                      write=must.not_call(), final=must.call(final_checking(st3)))
        w3.on("close", must.call(lambda: _eq(st3["constructed"], True)))
        w3.end()

        Duplex(construct=must.call())

        st4 = {"constructed": False}

        def construct4(callback):
            def later():
                st4["constructed"] = True
                callback()

            setImmediate(must.call(later))

        d = Duplex(readable=False, construct=must.call(construct4),
                   write=lambda chunk, encoding, callback: callback(),
                   read=lambda n: d.push(None))
        d.resume()
        d.end("foo")
        d.on("close", must.call(lambda: _eq(st4["constructed"], True)))

        Readable(construct=must.call(lambda callback: callback()), read=must.not_call())

    def final_checking(st):
        def final(cb):
            assert st["constructed"] is True
            nextTick(cb)

        return final

    jsloop.run(main)


@pytest.mark.parametrize("case", range(3))
def test_readable_set_encoding_existing_buffers(case):
    """test/parallel/test-stream-readable-setEncoding-existing-buffers.js"""
    chunks: list[str] = []
    checked = []

    def main():
        r = Readable(read=lambda n: None)
        if case == 0:
            r.push(b"a")
            r.push(b"b")
            r.setEncoding("utf8")
            expected = ["ab"]
        else:
            parts = [bytes([0xF0]), bytes([0x9F]), bytes([0x8E]), bytes([0x89])]
            if case == 1:
                for p in parts:
                    r.push(p)
                r.setEncoding("utf8")
            else:
                r.push(parts[0])
                r.push(parts[1])
                r.setEncoding("utf8")
                r.push(parts[2])
                r.push(parts[3])
            expected = ["\U0001F389"]
        r.on("data", chunks.append)
        nextTick(lambda: checked.append(chunks == expected))

    jsloop.run(main)
    assert checked == [True], chunks


def test_stream2_decode_partial():
    """test/parallel/test-stream2-decode-partial.js"""
    buf = []

    def main():
        source = bytes([0xE2, 0x82, 0xAC]) + bytes([0xC2, 0xA2])
        readable = Readable(encoding="utf8")
        readable.push(source[0:2])
        readable.push(source[2:4])
        readable.push(source[4:6])
        readable.push(None)
        readable.on("data", buf.append)

    jsloop.run(main)
    assert "".join(buf) == "\u20ac\u00a2"


def test_stream3_cork_uncork():
    """test/parallel/test-stream3-cork-uncork.js"""
    expected_chunks = ["please", "buffer", "me", "kindly"]
    state = {"seen": [], "end": False, "checked": False}

    def main():
        w = Writable()

        def _write(chunk, encoding, cb):
            assert encoding == "buffer"
            state["seen"].append(chunk)
            cb()

        w._write = _write
        w.on("finish", lambda: state.__setitem__("end", True))

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
            w.uncork()
            assert state["seen"] == [c.encode() for c in expected_chunks]

            def check():
                assert not state["end"]
                state["checked"] = True

            setImmediate(check)

        write_chunks(list(expected_chunks), done)

    jsloop.run(main)
    assert state["checked"]
