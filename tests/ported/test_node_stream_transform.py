"""Transform / PassThrough tests ported from Node v20's test/parallel (one test per file).

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import nextTick, setImmediate
from jsloop.stream import PassThrough, Readable, Transform, Writable

from .node_assert import eq, is_, run


def test_transform_callback_twice(must):
    """test/parallel/test-stream-transform-callback-twice.js"""

    def main():
        def transform(chunk, enc, cb):
            cb()
            cb()

        stream = Transform(transform=transform)

        def check(err):
            assert err.code == "ERR_MULTIPLE_CALLBACK"
            assert str(err) == "Callback called multiple times"

        stream.on("error", must.call(check))
        stream.write("foo")

    run(main)


def test_transform_constructor_set_methods(must):
    """test/parallel/test-stream-transform-constructor-set-methods.js"""

    def main():
        t = Transform()
        with pytest.raises(Exception) as info:
            t.end(b"blerg")
        assert info.value.code == "ERR_METHOD_NOT_IMPLEMENTED"
        assert str(info.value) == "The _transform() method is not implemented"
        _transform = must.call(lambda chunk, _, nxt: nxt())
        _final = must.call(lambda nxt: nxt())
        _flush = must.call(lambda nxt: nxt())
        t2 = Transform(transform=_transform, flush=_flush, final=_final)
        assert t2._transform is _transform
        assert t2._flush is _flush
        assert t2._final is _final
        t2.end(b"blerg")
        t2.resume()

    run(main)


def test_transform_destroy(must):
    """test/parallel/test-stream-transform-destroy.js"""

    def noop(chunk, enc, cb):
        pass

    def main():
        t = Transform(transform=noop)
        t.resume()
        t.on("end", must.not_call())
        t.on("close", must.call())
        t.on("finish", must.not_call())
        t.destroy()

        t = Transform(transform=noop)
        t.resume()
        expected = Exception("kaboom")
        t.on("end", must.not_call())
        t.on("finish", must.not_call())
        t.on("close", must.call())
        t.on("error", must.call(lambda err: is_(err, expected)))
        t.destroy(expected)

        t3 = Transform(transform=noop)

        def d3(err, cb):
            assert err is expected
            cb(err)

        t3._destroy = must.call(d3, 1)
        t3.on("finish", must.not_call())
        t3.on("close", must.call())
        t3.on("error", must.call(lambda err: is_(err, expected)))
        t3.destroy(expected)

        def d4(err, cb):
            assert err is expected
            cb()

        t4 = Transform(transform=noop, destroy=must.call(d4, 1))
        t4.resume()
        t4.on("end", must.not_call())
        t4.on("close", must.call())
        t4.on("finish", must.not_call())
        t4.on("error", must.not_call())
        t4.destroy(expected)

        t5 = Transform(transform=noop)

        def d5(err, cb):
            assert err is None
            cb()

        t5._destroy = must.call(d5, 1)
        t5.destroy()

        t6 = Transform(transform=noop)
        t6.resume()

        def d6(err, cb):
            assert err is None

            def later():
                t6.push(None)
                t6.end()
                cb()

            nextTick(later)

        t6._destroy = must.call(d6, 1)
        fail = must.not_call()
        t6.on("finish", fail)
        t6.on("end", fail)
        t6.on("close", must.call())
        t6.destroy()
        t6.removeListener("end", fail)
        t6.removeListener("finish", fail)
        t6.on("end", must.call())
        t6.on("finish", must.not_call())

        t7 = Transform(transform=noop)

        def d7(err, cb):
            assert err is None
            cb(expected)

        t7._destroy = must.call(d7, 1)
        t7.on("close", must.call())
        t7.on("finish", must.not_call())
        t7.on("end", must.not_call())
        t7.on("error", must.call(lambda err: is_(err, expected)))
        t7.destroy()

    run(main)


def test_transform_final_sync(must):
    """test/parallel/test-stream-transform-final-sync.js"""
    state = [0]

    def inc():
        state[0] += 1
        return state[0]

    def main():
        def transform(chunk, _, nxt):
            assert inc() == chunk
            t.push(state[0])
            assert inc() == chunk + 2
            nextTick(nxt)

        def final(done):
            assert inc() == 10
            assert inc() == 11
            done()

        def flush(done):
            assert inc() == 12

            def later():
                assert inc() == 13
                done()

            nextTick(later)

        t = Transform(objectMode=True, transform=must.call(transform, 3),
                      final=must.call(final, 1), flush=must.call(flush, 1))
        t.on("finish", must.call(lambda: eq(inc(), 15), 1))
        t.on("end", must.call(lambda: eq(inc(), 16), 1))
        t.on("data", must.call(lambda d: eq(inc(), d + 1), 3))
        t.write(1)
        t.write(4)
        t.end(7, must.call(lambda *_a: eq(inc(), 14), 1))

    run(main)


def test_transform_flush_data(must):
    """test/parallel/test-stream-transform-flush-data.js"""
    expected = "asdf"

    def main():
        t = Transform(transform=lambda d, e, n: n(), flush=lambda n: n(None, expected))
        t.end(b"blerg")
        t.on("data", must.call(lambda data: eq(data.decode(), expected)))

    run(main)


def test_transform_hwm0(must):
    """test/parallel/test-stream-transform-hwm0.js"""

    def main():
        t = Transform(objectMode=True, highWaterMark=0,
                      transform=lambda chunk, enc, callback: nextTick(
                          lambda: callback(None, chunk, enc)))
        assert t.write(1) is False

        def on_drain():
            assert t.write(2) is False
            t.end()

        t.on("drain", must.call(on_drain))

        def on_readable():
            assert t.read() == 1

            def later():
                assert t.read() is None
                t.once("readable", must.call(lambda: eq(t.read(), 2)))

            setImmediate(must.call(later))

        t.once("readable", must.call(on_readable))

    run(main)


def test_transform_objectmode_falsey_value(must):
    """test/parallel/test-stream-transform-objectmode-falsey-value.js"""
    expect = [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    results = []

    def main():
        src = PassThrough(objectMode=True)
        tx = PassThrough(objectMode=True)
        dest = PassThrough(objectMode=True)
        dest.on("data", must.call(lambda x: results.append(x), len(expect)))
        src.pipe(tx).pipe(dest)
        i = [-1]

        def tick():
            if len(results) == len(expect):
                src.end()
                jsloop.clearInterval(interval)
                assert results == expect
            else:
                src.write(i[0])
                i[0] += 1

        interval = jsloop.setInterval(must.call(tick, len(expect) + 1), 1)

    run(main)


DEFAULT = 16 * 1024


def test_transform_split_highwatermark():
    """test/parallel/test-stream-transform-split-highwatermark.js"""

    def check(rhwm, whwm, options):
        t = Transform(options)
        assert t._readableState.highWaterMark == rhwm
        assert t._writableState.highWaterMark == whwm

    check(666, DEFAULT, {"readableHighWaterMark": 666})
    check(DEFAULT, 777, {"writableHighWaterMark": 777})
    check(666, 777, {"readableHighWaterMark": 666, "writableHighWaterMark": 777})
    check(555, 555, {"highWaterMark": 555, "readableHighWaterMark": 666})
    check(555, 555, {"highWaterMark": 555, "writableHighWaterMark": 777})
    check(555, 555, {"highWaterMark": 555, "readableHighWaterMark": 666,
                     "writableHighWaterMark": 777})
    check(DEFAULT, DEFAULT, {"readableHighWaterMark": None})
    check(DEFAULT, DEFAULT, {"writableHighWaterMark": None})
    check(666, DEFAULT, {"highWaterMark": None, "readableHighWaterMark": 666})
    check(DEFAULT, 777, {"highWaterMark": None, "writableHighWaterMark": 777})
    for side in ("readable", "writable"):
        with pytest.raises(TypeError) as info:
            Transform({f"{side}HighWaterMark": float("nan")})
        assert info.value.code == "ERR_INVALID_ARG_VALUE"
        assert str(info.value) == (
            f"The property 'options.{side}HighWaterMark' is invalid. Received NaN"
        )
    r = Readable({"readableHighWaterMark": 666})
    assert r._readableState.highWaterMark == DEFAULT
    w = Writable({"writableHighWaterMark": 777})
    assert w._writableState.highWaterMark == DEFAULT


def test_transform_split_objectmode():
    """test/parallel/test-stream-transform-split-objectmode.js"""
    box = {}

    def main():
        parser = Transform(readableObjectMode=True)
        assert parser._readableState.objectMode
        assert not parser._writableState.objectMode
        assert parser.readableHighWaterMark == 16
        assert parser.writableHighWaterMark == 16 * 1024
        parser._transform = lambda chunk, enc, callback: callback(None, {"val": chunk[0]})
        parser.on("data", lambda obj: box.__setitem__("parsed", obj))
        parser.end(bytes([42]))
        serializer = Transform(writableObjectMode=True)
        assert not serializer._readableState.objectMode
        assert serializer._writableState.objectMode
        assert serializer.readableHighWaterMark == 16 * 1024
        assert serializer.writableHighWaterMark == 16
        serializer._transform = lambda obj, _, callback: callback(None, bytes([obj["val"]]))
        serializer.on("data", lambda chunk: box.__setitem__("serialized", chunk))
        serializer.write({"val": 42})

    run(main)
    assert box["parsed"]["val"] == 42
    assert box["serialized"][0] == 42


def test_passthrough_drain(must):
    """test/parallel/test-stream-passthrough-drain.js"""

    def main():
        pt = PassThrough(highWaterMark=0)
        pt.on("drain", must.call())
        assert not pt.write("hello1")
        pt.read()
        pt.read()

    run(main)


def test_stream2_transform(must):
    """test/parallel/test-stream2-transform.js"""
    import json

    def dumps(v):
        return json.dumps(v, separators=(",", ":"))

    def main():
        tx = Transform(highWaterMark=10)
        transformed = [0]

        def t1(chunk, encoding, cb):
            transformed[0] += len(chunk)
            tx.push(chunk)
            cb()

        tx._transform = t1
        for i in range(1, 11):
            tx.write(bytes(i))
        tx.end()
        assert tx.readableLength == 10
        assert transformed[0] == 10
        assert [len(c.chunk) for c in tx.writableBuffer] == [5, 6, 7, 8, 9, 10]

        pt = PassThrough()
        for w in (b"foog", b"bark", b"bazy", b"kuel"):
            pt.write(w)
        pt.end()
        assert [pt.read(5) for _ in range(4)] == [b"foogb", b"arkba", b"zykue", b"l"]

        pt = PassThrough(objectMode=True)
        values = [1, True, False, 0, "foo", "", {"a": "b"}]
        for v in values:
            pt.write(v)
        pt.end()
        got = [pt.read() for _ in values]
        assert got == values and [type(x) for x in got] == [type(x) for x in values]

        assert isinstance(PassThrough(), PassThrough)
        assert isinstance(Transform(), Transform)

        pt = Transform()

        def t_x(c, e, cb):
            pt.push(b"x" * len(c))
            cb()

        pt._transform = t_x
        for w in (b"foog", b"bark", b"bazy", b"kuel"):
            pt.write(w)
        pt.end()
        assert [pt.read(5) for _ in range(4)] == [b"xxxxx", b"xxxxx", b"xxxxx", b"x"]

        pt_json = Transform(objectMode=True)

        def t_json(c, e, cb):
            pt_json.push(dumps(c))
            cb()

        pt_json._transform = t_json
        for v in values:
            pt_json.write(v)
        pt_json.end()
        assert [pt_json.read() for _ in values] == [
            "1", "true", "false", "0", '"foo"', '""', '{"a":"b"}'
        ]

        pt_async = Transform()

        def t_async(chunk, encoding, cb):
            def later():
                pt_async.push(chunk)
                cb()

            jsloop.setTimeout(later, 10)

        pt_async._transform = t_async
        for w in (b"foog", b"bark", b"bazy", b"kuel"):
            pt_async.write(w)
        pt_async.end()
        pt_async.on("finish", must.call(lambda: eq(
            [pt_async.read(5) for _ in range(4)], [b"foogb", b"arkba", b"zykue", b"l"])))

        pt_twice = Transform()

        def t_twice(chunk, encoding, cb):
            def first():
                pt_twice.push(chunk)

                def second():
                    pt_twice.push(chunk)
                    cb()

                jsloop.setTimeout(second, 10)

            jsloop.setTimeout(first, 10)

        pt_twice._transform = t_twice
        for w in (b"foog", b"bark", b"bazy", b"kuel"):
            pt_twice.write(w)
        pt_twice.end()
        pt_twice.on("finish", must.call(lambda: eq(
            [pt_twice.read(5) for _ in range(7)],
            [b"foogf", b"oogba", b"rkbar", b"kbazy", b"bazyk", b"uelku", b"el"])))

        pt_state = Transform()
        pt_state.state = ""

        def t_state(chunk, encoding, cb):
            s = (chunk or b"").decode()

            def later():
                pt_state.state += s[:1]
                if len(pt_state.state) == 3:
                    pt_state.push(pt_state.state.encode())
                    pt_state.state = ""
                cb()

            jsloop.setTimeout(later, 10)

        def f_state(cb):
            pt_state.push(pt_state.state.encode())
            pt_state.state = ""
            cb()

        pt_state._transform = t_state
        pt_state._flush = f_state
        for w in ["aaaa", "bbbb", "cccc", "dddd", "eeee"] * 2 + ["aaaa", "bbbb", "cccc", "dddd"]:
            pt_state.write(w.encode())
        pt_state.end()
        pt_state.on("finish", must.call(lambda: eq(
            [pt_state.read(5) for _ in range(3)], [b"abcde", b"abcde", b"abcd"])))

        count = [0]
        saved = [None]
        pt_hwm = Transform(highWaterMark=3)

        def t_hwm(c, e, cb):
            count[0] += 1
            if count[0] - 1 == 1:
                saved[0] = c
            else:
                if saved[0]:
                    pt_hwm.push(saved[0])
                    saved[0] = None
                pt_hwm.push(c)
            cb()

        pt_hwm._transform = t_hwm

        def on_readable_hwm():
            def later():
                pt_hwm.write(b"d")
                pt_hwm.write(b"ef", must.call(lambda *_a: pt_hwm.end()))
                assert pt_hwm.read() == b"abcdef"
                assert pt_hwm.read() is None

            nextTick(later)

        pt_hwm.once("readable", on_readable_hwm)
        pt_hwm.write(b"abc")

        pt_em = PassThrough()
        emits = [0]
        pt_em.on("readable", lambda: emits.__setitem__(0, emits[0] + 1))
        pt_em.write(b"foog")
        pt_em.write(b"bark")
        assert emits[0] == 0
        assert pt_em.read(5) == b"foogb"
        assert pt_em.read(5) is None
        assert emits[0] == 0
        pt_em.write(b"bazy")
        pt_em.write(b"kuel")
        assert emits[0] == 0
        assert pt_em.read(5) == b"arkba"
        assert pt_em.read(5) == b"zykue"
        assert pt_em.read(5) is None
        pt_em.end()
        assert emits[0] == 1
        assert pt_em.read(5) == b"l"
        assert pt_em.read(5) is None
        assert emits[0] == 1

        pt_r = PassThrough()
        emits_r = [0]
        pt_r.on("readable", lambda: emits_r.__setitem__(0, emits_r[0] + 1))
        pt_r.write(b"foog")
        pt_r.write(b"bark")
        assert emits_r[0] == 0
        assert pt_r.read(5) == b"foogb"
        assert pt_r.read(5) is None

        def r1():
            assert pt_r.read(5) == b"arkba"
            assert pt_r.read(5) is None

            def r2():
                assert pt_r.read(5) == b"zykue"
                assert pt_r.read(5) is None

                def r3():
                    assert pt_r.read(5) == b"l"
                    assert pt_r.read(5) is None
                    assert emits_r[0] == 3

                pt_r.once("readable", must.call(r3))
                pt_r.end()

            pt_r.once("readable", must.call(r2))
            pt_r.write(b"kuel")

        pt_r.once("readable", must.call(r1))
        pt_r.write(b"bazy")

        pt_d = PassThrough()
        datas = []
        pt_d.on("data", lambda chunk: datas.append(chunk.decode()))
        pt_d.on("end", must.call(lambda: eq(datas, ["foog", "bark", "bazy", "kuel"])))
        pt_d.write(b"foog")

        def s1():
            pt_d.write(b"bark")

            def s2():
                pt_d.write(b"bazy")

                def s3():
                    pt_d.write(b"kuel")
                    jsloop.setTimeout(lambda: pt_d.end(), 10)

                jsloop.setTimeout(s3, 10)

            jsloop.setTimeout(s2, 10)

        jsloop.setTimeout(s1, 10)

        objects = [{"foo": "bar"}, 100, "string",
                   {"nested": {"things": [{"foo": "bar"}, 100, "string"]}}]

        jp = Transform(objectMode=True)

        def t_parse(data, encoding, cb):
            try:
                jp.push(json.loads(data))
                cb()
            except Exception as er:
                cb(er)

        jp._transform = t_parse
        ended = [False]
        jp.on("end", lambda: ended.__setitem__(0, True))
        for obj in objects:
            jp.write(dumps(obj))
            assert jp.read() == obj
        jp.end()
        jp.read()
        nextTick(must.call(lambda: eq(ended[0], True)))

        js_ = Transform(objectMode=True)

        def t_stringify(data, encoding, cb):
            try:
                js_.push(dumps(data))
                cb()
            except Exception as er:
                cb(er)

        js_._transform = t_stringify
        ended2 = [False]
        js_.on("end", lambda: ended2.__setitem__(0, True))
        for obj in objects:
            js_.write(obj)
            assert js_.read() == dumps(obj)
        js_.end()
        js_.read()
        nextTick(must.call(lambda: eq(ended2[0], True)))

        expected_rows = ["header from constructor", "firstLine", "secondLine"]

        def construct(callback):
            s.push("header from constructor")
            callback()

        s = Transform(objectMode=True, construct=construct,
                      transform=lambda row, encoding, callback: callback(None, row))
        s.on("data", must.call(lambda data: eq(str(data), expected_rows.pop(0)), 3))
        s.write("firstLine")
        nextTick(lambda: s.write("secondLine"))

    run(main)
