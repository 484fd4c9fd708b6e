"""Async iteration tests ported from Node v20's test/parallel.

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
``for await`` is ``async for``; ``iter.next()`` is ``await it.__anext__()``.
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import nextTick, setImmediate
from jsloop.stream import PassThrough, Readable, Transform, pipeline


def test_readable_async_iterators(must):
    """test/parallel/test-stream-readable-async-iterators.js (partial)

    Ported: the blocks driven by ``for await`` or one ``next()`` at a time (read
    object mode, destroy sync/async, destroyed by throw, destroyed sync after
    push, destroyed will not deadlock, push async, push binary async, next() on
    a destroyed / pipelined stream, iterating an ended stream, destroy
    mid-stream, a transform's readable side, next() after a failing _destroy,
    autoDestroy false with and without break, destroyed after end, a stream with
    ``destroy = null``). Left out: several ``next()`` calls pending at once (a
    Python async iterator is driven one ``__anext__`` at a time), legacy
    ``Stream`` objects and the http/fs blocks.
    """

    @jsloop.asyncfn
    async def tests():
        # readable.destroy = null: the iterator falls back to close()
        readable = Readable(autoDestroy=False, read=lambda n: None)
        readable.push("asd")
        readable.push("asd")
        readable.destroy = None
        readable.close = must.call(lambda: readable.emit("close"))
        async for _d in readable:
            break

        r0 = Readable(objectMode=True, read=lambda n: None)
        r0.push(0)
        r0.push(1)
        r0.push(None)
        it0 = r0.__aiter__()
        assert (await it0.__anext__()) == 0
        async for d in it0:
            assert d == 1

        # call next() after error
        r1 = Readable(read=lambda n: None)
        iterator = r1.__aiter__()
        err = Exception("kaboom")
        r1.destroy(err)
        with pytest.raises(Exception) as info:
            await iterator.__anext__()
        assert info.value is err

        # read object mode
        state = {"readed": 0, "received": 0}

        def read_om(n):
            r2.push("hello")
            state["readed"] += 1
            if state["readed"] == 42:
                r2.push(None)

        r2 = Readable(objectMode=True, read=read_om)
        async for k in r2:
            state["received"] += 1
            assert k == "hello"
        assert state["readed"] == state["received"]

        # destroy sync
        r3 = Readable(objectMode=True, read=lambda n: r3.destroy(Exception("kaboom from read")))
        caught = None
        try:
            async for _k in r3:
                pass
        except Exception as e:
            caught = e
        assert str(caught) == "kaboom from read"

        # destroy async
        pushed = [False]

        def read_da(n):
            if not pushed[0]:
                r4.push("hello")
                pushed[0] = True
                setImmediate(lambda: r4.destroy(Exception("kaboom")))

        r4 = Readable(objectMode=True, read=read_da)
        received = 0
        caught = None
        try:
            async for _k in r4:
                received += 1
        except Exception as e:
            caught = e
        assert str(caught) == "kaboom"
        assert received == 1

        # destroyed by throw
        r5 = Readable(objectMode=True, read=lambda n: r5.push("hello"))
        caught = None
        try:
            async for k in r5:
                assert k == "hello"
                raise Exception("kaboom")
        except Exception as e:
            caught = e
        assert str(caught) == "kaboom"
        assert r5.destroyed is True

        # destroyed sync after push
        def read_dsap(n):
            r6.push("hello")
            r6.destroy(Exception("kaboom"))

        r6 = Readable(objectMode=True, read=read_dsap)
        received = 0
        caught = None
        try:
            async for k in r6:
                assert k == "hello"
                received += 1
        except Exception as e:
            caught = e
        assert str(caught) == "kaboom"
        assert received == 1

        # destroyed will not deadlock
        r7 = Readable()
        r7.destroy()

        @jsloop.asyncfn
        async def later():
            r7.on("close", must.not_call())
            received = 0
            caught = None
            try:
                async for k in r7:
                    assert k == "hello"
                    received += 1
            except Exception as e:
                caught = e
            assert caught.code == "ERR_STREAM_PREMATURE_CLOSE"
            assert received == 0

        nextTick(must.call(lambda: later().then(must.call())))

        # push async
        state = {"readed": 0, "received": 0}

        def read_pa(n):
            def push():
                r8.push("hello")
                state["readed"] += 1
                if state["readed"] == 42:
                    r8.push(None)

            setImmediate(push)

        r8 = Readable(objectMode=True, read=read_pa)
        async for k in r8:
            state["received"] += 1
            assert k == "hello"
        assert state["readed"] == state["received"]

        # push binary async
        readed = [0]

        def read_pba(n):
            def push():
                r9.push("hello")
                readed[0] += 1
                if readed[0] == 42:
                    r9.push(None)

            setImmediate(push)

        r9 = Readable(read=read_pba)
        expected = []
        r9.setEncoding("utf8")
        r9.pause()
        r9.on("data", lambda chunk: expected.append(chunk))
        data = ""
        async for k in r9:
            data += k
        assert data == "".join(expected)

        # .next() on destroyed stream
        r10 = Readable(read=lambda n: None)
        r10.destroy()
        with pytest.raises(Exception) as info:
            await r10.__aiter__().__anext__()
        assert info.value.code == "ERR_STREAM_PREMATURE_CLOSE"

        # .next() on pipelined stream
        r11 = Readable(read=lambda n: None)
        passthrough = PassThrough()
        err11 = Exception("kaboom")
        pipeline(r11, passthrough, must.call(lambda e: _is(e, err11)))
        r11.destroy(err11)
        with pytest.raises(Exception) as info:
            await r11.__aiter__().__anext__()
        assert info.value is err11

        # iterating on an ended stream completes
        def read_ended(n):
            r12.push("asdf")
            r12.push("hehe")
            r12.push(None)

        r12 = Readable(objectMode=True, read=read_ended)
        async for _a in r12:
            pass
        async for _b in r12:
            pass

        # destroy mid-stream errors
        def read_mid(n):
            r13.push("asdf")
            r13.push("hehe")

        r13 = Readable(objectMode=True, read=read_mid)
        caught = None
        try:
            async for _a in r13:
                r13.destroy(None)
        except Exception as e:
            caught = e
        assert caught.code == "ERR_STREAM_PREMATURE_CLOSE"

        # readable side of a transform stream pushes null
        transform = Transform(objectMode=True, transform=lambda chunk, enc, cb: cb(None, chunk))
        transform.push(0)
        transform.push(1)
        nextTick(lambda: transform.push(None))
        must_reach = [must.call(), must.call()]
        it14 = transform.__aiter__()
        assert (await it14.__anext__()) == 0
        async for d in it14:
            assert d == 1
            must_reach[0]()
        must_reach[1]()

        # a failing _destroy: next() rejects with its error
        _err = Exception("asd")
        r15 = Readable(read=lambda n: None,
                       destroy=lambda err, callback: jsloop.setTimeout(lambda: callback(_err), 1))
        r15.destroy()
        with pytest.raises(Exception) as info:
            await r15.__aiter__().__anext__()
        assert info.value is _err

        # autoDestroy false: finishing the loop leaves the stream alone
        def read_ad(n):
            r16.push("asd")
            r16.push(None)

        r16 = Readable(autoDestroy=False, read=read_ad)
        async for _chunk in r16:
            pass
        assert r16.destroyed is False

        # ... but break destroys it
        r17 = Readable(autoDestroy=False, read=lambda n: r17.push("asd"))
        async for _chunk in r17:
            break
        assert r17.destroyed is True

        # destroyed after 'end', not before
        def read_end(n):
            r18.push("asd")
            r18.push(None)

        r18 = Readable(read=read_end)
        r18.on("end", lambda: _is(r18.destroyed, False))
        async for _chunk in r18:
            pass
        assert r18.destroyed is True

    def main():
        tests().then(must.call())

    jsloop.run(main)


def _is(a, b):
    assert a is b, (a, b)
