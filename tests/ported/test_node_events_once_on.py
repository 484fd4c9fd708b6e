"""``events.once`` / ``events.on`` tests ported from Node v20's test/parallel.

Ported from test/parallel/test-events-once.js and
test/parallel/test-events-on-async-iterator.js: one Python test per upstream
case (the upstream function name is kept). ``signal[kEvents].size`` (an
internal) is read as the number of 'abort' listeners on the signal. Python has
no ``null`` distinct from ``undefined``, so ``{signal: null}`` is not among the
rejected values. The async iterator is driven with ``async for`` and
``__anext__`` (JS's ``next()``); "done" is StopAsyncIteration.
"""

from __future__ import annotations

from typing import Any

import pytest

import jsloop
from jsloop import Promise, nextTick
from jsloop.abort import AbortController, AbortError, AbortSignal, Event, EventTarget
from jsloop.events import EventEmitter, on, once


def run(fn: Any) -> Any:
    return jsloop.run(jsloop.asyncfn(fn))


def abort_listeners(signal: AbortSignal) -> int:
    return len(signal._et_listeners.get("abort", []))


async def rejects(p: Any) -> BaseException:
    try:
        await p
    except BaseException as exc:  # the test inspects it
        return exc
    raise AssertionError("expected a rejection")


# -- test-events-once.js ----------------------------------------------------------------------


def test_once_an_event() -> None:
    """test/parallel/test-events-once.js: onceAnEvent (+ null options, two args)"""

    async def main() -> None:
        ee = EventEmitter()
        nextTick(lambda: ee.emit("myevent", 42))
        [value] = await once(ee, "myevent")
        assert value == 42
        assert ee.listenerCount("error") == 0 and ee.listenerCount("myevent") == 0
        nextTick(lambda: ee.emit("myevent", 42))
        assert await once(ee, "myevent", None) == [42]
        nextTick(lambda: ee.emit("myevent", 42, 24))
        assert await once(ee, "myevent") == [42, 24]

    run(main)


def test_catches_errors() -> None:
    """test/parallel/test-events-once.js: catchesErrors, catchesErrorsWithAbortSignal,
    stopListeningAfterCatchingError"""

    async def main() -> None:
        ee = EventEmitter()
        expected = ValueError("kaboom")
        nextTick(lambda: ee.emit("error", expected))
        assert await rejects(once(ee, "myevent")) is expected
        assert ee.listenerCount("error") == 0 and ee.listenerCount("myevent") == 0

        ac = AbortController()
        nextTick(lambda: ee.emit("error", expected))
        promise = once(ee, "myevent", {"signal": ac.signal})
        assert ee.listenerCount("error") == 1
        assert abort_listeners(ac.signal) == 1
        assert await rejects(promise) is expected
        assert ee.listenerCount("error") == 0 and ee.listenerCount("myevent") == 0
        assert abort_listeners(ac.signal) == 0

        def both() -> None:
            ee.emit("error", expected)
            ee.emit("myevent", 42, 24)

        nextTick(both)
        assert await rejects(once(ee, "myevent")) is expected
        assert ee.listenerCount("error") == 0 and ee.listenerCount("myevent") == 0

    run(main)


def test_once_error() -> None:
    """test/parallel/test-events-once.js: onceError"""

    async def main() -> None:
        ee = EventEmitter()
        expected = ValueError("kaboom")
        nextTick(lambda: ee.emit("error", expected))
        promise = once(ee, "error")
        assert ee.listenerCount("error") == 1
        [err] = await promise
        assert err is expected
        assert ee.listenerCount("error") == 0 and ee.listenerCount("myevent") == 0

    run(main)


def test_once_with_event_target() -> None:
    """test/parallel/test-events-once.js: onceWithEventTarget, onceWithEventTargetError,
    onceWithInvalidEventEmmiter, prioritizesEventEmitter"""

    async def main() -> None:
        et = EventTarget()
        event = Event("myevent")
        nextTick(lambda: et.dispatchEvent(event))
        [value] = await once(et, "myevent")
        assert value is event
        error = Event("error")
        nextTick(lambda: et.dispatchEvent(error))
        [err] = await once(et, "error")
        assert err is error
        exc = await rejects(once(AbortController(), "myevent"))
        assert exc.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]

        class Strict(EventEmitter):
            def addEventListener(self, *a: Any) -> None:
                raise AssertionError("EventEmitter methods come first")

        ee = Strict()
        nextTick(lambda: ee.emit("foo"))
        await once(ee, "foo")

    run(main)


@pytest.mark.parametrize("target_kind", ["EventEmitter", "EventTarget"])
def test_abort_signal_before(target_kind: str, must: Any) -> None:
    """test/parallel/test-events-once.js: abortSignalBefore, eventTargetAbortSignalBefore"""

    async def main() -> None:
        target: Any = EventEmitter() if target_kind == "EventEmitter" else EventTarget()
        if target_kind == "EventEmitter":
            target.on("error", must.not_call())
        for bad in (1, {}, "hi", False):
            exc = await rejects(once(target, "foo", {"signal": bad}))
            assert exc.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        exc = await rejects(once(target, "foo", {"signal": AbortSignal.abort()}))
        assert isinstance(exc, AbortError)

    run(main)


@pytest.mark.parametrize("target_kind", ["EventEmitter", "EventTarget"])
def test_abort_signal_after(target_kind: str, must: Any) -> None:
    """test/parallel/test-events-once.js: abortSignalAfter, eventTargetAbortSignalAfter,
    abortSignalRemoveListener"""

    async def main() -> None:
        target: Any = EventEmitter() if target_kind == "EventEmitter" else EventTarget()
        if target_kind == "EventEmitter":
            target.on("error", must.not_call())
        ac = AbortController()
        r = once(target, "foo", {"signal": ac.signal})
        nextTick(ac.abort)
        assert isinstance(await rejects(r), AbortError)
        if target_kind == "EventEmitter":
            assert target.listeners("foo") == [] and len(target.listeners("error")) == 1

    run(main)


@pytest.mark.parametrize("target_kind", ["EventEmitter", "EventTarget"])
def test_abort_signal_after_event(target_kind: str) -> None:
    """test/parallel/test-events-once.js: abortSignalAfterEvent, eventTargetAbortSignalAfterEvent"""

    async def main() -> None:
        target: Any = EventEmitter() if target_kind == "EventEmitter" else EventTarget()
        ac = AbortController()

        def fire() -> None:
            if target_kind == "EventEmitter":
                target.emit("foo")
            else:
                target.dispatchEvent(Event("foo"))
            ac.abort()

        nextTick(fire)
        promise = once(target, "foo", {"signal": ac.signal})
        assert abort_listeners(ac.signal) == 1
        await promise
        assert abort_listeners(ac.signal) == 0

    run(main)


def test_abort_even_when_signal_propagation_stopped() -> None:
    """test/parallel/test-events-once.js:
    eventTargetAbortSignalBeforeEvenWhenSignalPropagationStopped"""

    async def main() -> None:
        et = EventTarget()
        ac = AbortController()
        ac.signal.addEventListener("abort", lambda e: e.stopImmediatePropagation(), {"once": True})
        nextTick(ac.abort)
        assert isinstance(await rejects(once(et, "foo", {"signal": ac.signal})), AbortError)

    run(main)


# -- test-events-on-async-iterator.js -------------------------------------------------------------


def test_on_basic() -> None:
    """test/parallel/test-events-on-async-iterator.js: basic"""

    async def main() -> None:
        ee = EventEmitter()

        def fire() -> None:
            ee.emit("foo", "bar")
            ee.emit("bar", 24)  # a spurious event: must not show up
            ee.emit("foo", 42)

        nextTick(fire)
        expected = [["bar"], [42]]
        async for event in on(ee, "foo"):
            assert event == expected.pop(0)
            if not expected:
                break
        assert ee.listenerCount("foo") == 0 and ee.listenerCount("error") == 0

    run(main)


def test_on_invalid_arg_type() -> None:
    """test/parallel/test-events-on-async-iterator.js: invalidArgType"""
    with pytest.raises(TypeError) as info:
        on(object(), "foo")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]


def test_on_error_and_error_delayed() -> None:
    """test/parallel/test-events-on-async-iterator.js: error, errorDelayed"""

    async def main() -> None:
        ee = EventEmitter()
        err = ValueError("kaboom")
        nextTick(lambda: ee.emit("error", err))
        looped = False
        with pytest.raises(ValueError) as info:
            async for _event in on(ee, "foo"):
                looped = True
        assert info.value is err and not looped

        def fire() -> None:
            ee.emit("foo", 42)
            ee.emit("error", err)

        nextTick(fire)
        expected = [[42]]
        with pytest.raises(ValueError):
            async for event in on(ee, "foo"):
                assert event == expected.pop(0)
        assert ee.listenerCount("foo") == 0 and ee.listenerCount("error") == 0

    run(main)


def test_on_throw_in_loop() -> None:
    """test/parallel/test-events-on-async-iterator.js: throwInLoop"""

    async def main() -> None:
        ee = EventEmitter()
        err = ValueError("kaboom")
        nextTick(lambda: ee.emit("foo", 42))
        with pytest.raises(ValueError) as info:
            async for event in on(ee, "foo"):
                assert event == [42]
                raise err
        assert info.value is err
        del info  # the traceback holds the loop's frame, and so the iterator
        assert ee.listenerCount("foo") == 0 and ee.listenerCount("error") == 0

    run(main)


def test_on_next_and_next_error() -> None:
    """test/parallel/test-events-on-async-iterator.js: next, nextError"""

    async def main() -> None:
        ee = EventEmitter()
        iterable = on(ee, "foo")

        def fire() -> None:
            ee.emit("foo", "bar")
            ee.emit("foo", 42)
            iterable.return_()

        nextTick(fire)
        results = await Promise.allSettled(
            [iterable.__anext__(), iterable.__anext__(), iterable.__anext__()]
        )
        assert [r.get("value") for r in results[:2]] == [["bar"], [42]]
        assert isinstance(results[2]["reason"], StopAsyncIteration)
        with pytest.raises(StopAsyncIteration):
            await iterable.__anext__()

        iterable = on(ee, "foo")
        err = ValueError("kaboom")
        nextTick(lambda: ee.emit("error", err))
        results = await Promise.allSettled(
            [iterable.__anext__(), iterable.__anext__(), iterable.__anext__()]
        )
        assert results[0] == {"status": "rejected", "reason": err}
        assert all(isinstance(r["reason"], StopAsyncIteration) for r in results[1:])
        assert ee.listeners("error") == []

    run(main)


def test_on_iterable_throw() -> None:
    """test/parallel/test-events-on-async-iterator.js: iterableThrow"""

    async def main() -> None:
        ee = EventEmitter()
        iterable = on(ee, "foo")
        err = ValueError("kaboom")

        def fire() -> None:
            ee.emit("foo", "bar")
            ee.emit("foo", 42)
            iterable.throw(err)

        nextTick(fire)
        with pytest.raises(TypeError) as info:
            iterable.throw(None)
        assert str(info.value) == (
            'The "EventEmitter.AsyncIterator" property must be an instance of Error. Received None'
        )
        expected = [["bar"], [42]]
        with pytest.raises(ValueError) as vinfo:
            async for event in iterable:
                assert event == expected.pop(0)
        assert vinfo.value is err and expected == []
        assert ee.listenerCount("foo") == 0 and ee.listenerCount("error") == 0

    run(main)


def test_on_event_target_and_error_listener_count() -> None:
    """test/parallel/test-events-on-async-iterator.js: eventTarget, errorListenerCount"""

    async def main() -> None:
        et = EventTarget()
        interval = jsloop.setInterval(lambda: et.dispatchEvent(Event("tick")), 0)
        count = 0
        async for [event] in on(et, "tick"):
            count += 1
            assert event.type == "tick"
            if count >= 5:
                break
        assert count == 5
        jsloop.clearInterval(interval)
        ee = EventEmitter()
        it = on(ee, "foo")
        assert ee.listenerCount("error") == 1
        del it

    run(main)


@pytest.mark.parametrize("target_kind", ["EventEmitter", "EventTarget"])
def test_abortable_on_before(target_kind: str) -> None:
    """test/parallel/test-events-on-async-iterator.js: abortableOnBefore,
    eventTargetAbortableOnBefore"""
    target: Any = EventEmitter() if target_kind == "EventEmitter" else EventTarget()
    for bad in (1, {}, False, "hi"):
        with pytest.raises(TypeError) as info:
            on(target, "foo", {"signal": bad})
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
    with pytest.raises(AbortError):
        on(target, "foo", {"signal": AbortSignal.abort()})


@pytest.mark.parametrize("case", ["emitter", "target", "target-abort-in-loop"])
def test_abortable_on_after(case: str, must: Any) -> None:
    """test/parallel/test-events-on-async-iterator.js: abortableOnAfter,
    eventTargetAbortableOnAfter, eventTargetAbortableOnAfter2"""

    def main() -> Any:
        ac = AbortController()
        if case == "emitter":
            ee = EventEmitter()
            target: Any = ee
            i = jsloop.setInterval(lambda: ee.emit("foo", "foo"), 10)
        else:
            et = EventTarget()
            target = et
            i = jsloop.setInterval(lambda: et.dispatchEvent(Event("foo")), 10)

        @jsloop.asyncfn
        async def foo() -> None:
            async for f in on(target, "foo", {"signal": ac.signal}):
                assert f
                if case == "target-abort-in-loop":
                    ac.abort()

        def check(error: Any) -> None:
            assert error.name == "AbortError"

        result = foo().catch(must.call(check)).finally_(lambda: jsloop.clearInterval(i))
        if case != "target-abort-in-loop":
            nextTick(ac.abort)
        return result

    jsloop.run(main)


def test_abortable_on_after_done() -> None:
    """test/parallel/test-events-on-async-iterator.js: abortableOnAfterDone"""

    async def main() -> int:
        ee = EventEmitter()
        ac = AbortController()
        i = jsloop.setInterval(lambda: ee.emit("foo", "foo"), 1)
        count = 0
        try:
            async for f in on(ee, "foo", {"signal": ac.signal}):
                assert f[0] == "foo"
                count += 1
                if count == 5:
                    break
            ac.abort()  # no error will occur
        finally:
            jsloop.clearInterval(i)
        return count

    assert run(main) == 5
