"""AbortController/AbortSignal and timers/promises tests ported from Node v20's test/parallel.

Upstream files: test-abortcontroller.js, test-errors-aborterror.js,
test-eventtarget-once-twice.js, test-abortsignal-any.mjs,
test-timers-timeout-promisified.js, test-timers-immediate-promisified.js,
test-timers-interval-promisified.js, test-timers-promises-scheduler.js.
Each test names its file and the upstream block it ports. Left out: checks of
JS-only machinery (``util.inspect`` output, prototype tampering, receiver
brand checks, ``Symbol.toStringTag``, ``NodeEventTarget``, spawning ``node``),
and ``null`` as a bad value (Python's None is JS's ``undefined``).
``getEventListeners(signal, 'abort')`` is read as the signal's 'abort'
listener count.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

import jsloop
from jsloop import Promise, process
from jsloop import timers_promises as tp
from jsloop.abort import (
    AbortController,
    AbortError,
    AbortSignal,
    DOMException,
    Event,
    EventTarget,
)
from jsloop.events import once


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


# -- test-abortcontroller.js --------------------------------------------------------------------


def test_abort_event_fired_once_with_type_and_trusted(must: Any) -> None:
    """test/parallel/test-abortcontroller.js: abort is fired with the correct event type;
    abort events are trusted"""
    ac = AbortController()
    assert ac.signal

    def check(event: Event) -> None:
        assert event.type == "abort"
        assert event.isTrusted

    ac.signal.onabort = must.call(check)
    ac.signal.addEventListener("abort", must.call(check), {"once": True})
    ac.abort()
    ac.abort()
    assert ac.signal.aborted
    assert not Event("abort").isTrusted


def test_signal_cannot_be_constructed_and_static_abort() -> None:
    """test/parallel/test-abortcontroller.js: AbortSignal is impossible to construct
    manually; AbortSignal.abort(); reasons"""
    ac = AbortController()
    with pytest.raises(TypeError) as info:
        type(ac.signal)()
    assert info.value.code == "ERR_ILLEGAL_CONSTRUCTOR"  # type: ignore[attr-defined]
    assert AbortSignal.abort().aborted
    ac.abort("reason")
    assert ac.signal.reason == "reason"
    assert AbortSignal.abort("reason").reason == "reason"
    signal = AbortSignal.abort()
    assert isinstance(signal.reason, DOMException) and signal.reason.code == 20
    ac = AbortController()
    ac.abort()
    assert isinstance(ac.signal.reason, DOMException) and ac.signal.reason.code == 20


def test_timeout_signal(must: Any) -> None:
    """test/parallel/test-abortcontroller.js: AbortSignal.timeout(10)"""

    def main() -> None:
        signal = AbortSignal.timeout(10)
        assert not signal.aborted

        def later() -> None:
            assert signal.aborted
            assert signal.reason.name == "TimeoutError"
            assert signal.reason.code == 23

        jsloop.setTimeout(must.call(later), 20)

    jsloop.run(main)


def test_timeout_signal_is_collectable_unless_listened_to() -> None:
    """test/parallel/test-abortcontroller.js: the AbortSignal.timeout GC block
    (a timeout signal nobody holds is collected; one with an 'abort' listener is kept
    until the listener is removed)"""

    async def main() -> None:
        ref = weakref.ref(AbortSignal.timeout(1_200_000))
        await tp.setTimeout(10)
        gc.collect()
        assert ref() is None

        def handler() -> None:
            pass

        signal = AbortSignal.timeout(1_200_000)
        ref = weakref.ref(signal)
        signal.addEventListener("abort", handler)
        del signal
        await tp.setTimeout(10)
        gc.collect()
        assert isinstance(ref(), AbortSignal)
        ref().removeEventListener("abort", handler)  # type: ignore[union-attr]
        await tp.setTimeout(10)
        gc.collect()
        assert ref() is None
        AbortSignal.timeout(1_200_000)  # does not keep the loop alive

    run(main)


def test_throw_if_aborted() -> None:
    """test/parallel/test-abortcontroller.js: throwIfAborted"""
    with pytest.raises(DOMException) as info:
        AbortSignal.abort().throwIfAborted()
    assert (info.value.code, info.value.name) == (20, "AbortError")
    AbortController().signal.throwIfAborted()
    actual = ValueError()
    with pytest.raises(ValueError) as vinfo:
        AbortSignal.abort(actual).throwIfAborted()
    assert vinfo.value is actual


def test_abort_error_class() -> None:
    """test/parallel/test-errors-aborterror.js"""
    err = AbortError()
    assert (err.message, err.cause) == ("The operation was aborted", None)
    cause = ValueError("boom")
    err = AbortError("bang", {"cause": cause})
    assert (err.message, err.cause) == ("bang", cause)
    for bad in (False, ""):
        with pytest.raises(TypeError) as info:
            AbortError("", bad)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]


def test_eventtarget_once_twice(must: Any) -> None:
    """test/parallel/test-eventtarget-once-twice.js"""

    def main() -> None:
        et = EventTarget()

        @jsloop.asyncfn
        async def body() -> None:
            await once(et, "foo")
            await once(et, "foo")

        body().then(must.call())
        et.dispatchEvent(Event("foo"))
        jsloop.setImmediate(lambda: et.dispatchEvent(Event("foo")))

    jsloop.run(main)


# -- test-abortsignal-any.mjs -----------------------------------------------------------------


def test_any_argument_checks() -> None:
    """test/parallel/test-abortsignal-any.mjs: should throw when not receiving an array;
    should throw when input contains non-signal values"""
    for call in (lambda: AbortSignal.any(), lambda: AbortSignal.any(None)):
        with pytest.raises(TypeError) as info:
            call()
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
    with pytest.raises(TypeError) as info:
        AbortSignal.any([AbortSignal.abort(), None])
    assert str(info.value) == (
        'The "signals[1]" argument must be an instance of AbortSignal. Received None'
    )


def test_any_results(must: Any) -> None:
    """test/parallel/test-abortsignal-any.mjs: empty input; returns a new signal; aborted
    input; first aborted reason; reason of first to abort; same signal twice; deeply aborted
    signals; handlers in correct order"""
    signal = AbortSignal.any([])
    assert signal.aborted is False
    signal.addEventListener("abort", must.not_call())
    original = AbortController().signal
    assert AbortSignal.any([original]) is not original
    signal = AbortSignal.any([AbortSignal.abort("some reason")])
    assert (signal.aborted, signal.reason) == (True, "some reason")
    signal.addEventListener("abort", must.not_call())
    signal = AbortSignal.any([AbortSignal.abort("some reason"), AbortSignal.abort("another")])
    assert signal.reason == "some reason"

    controllers = [AbortController() for _ in range(3)]
    combined = AbortSignal.any([c.signal for c in controllers])
    controllers[1].abort(1)
    controllers[2].abort(2)
    assert combined.aborted and combined.reason == 1

    controller = AbortController()
    signal = AbortSignal.any([controller.signal, controller.signal])
    assert not signal.aborted
    controller.abort("reason")
    assert signal.aborted and signal.reason == "reason"

    c0, c1 = AbortController(), AbortController()
    composed1 = AbortSignal.any([c0.signal])
    composed2 = AbortSignal.any([composed1, c1.signal])
    composed2.onabort = must.call()
    c0.abort()
    assert composed2.aborted
    assert isinstance(composed2.reason, DOMException) and composed2.reason.name == "AbortError"

    controller = AbortController()
    signals = [controller.signal]
    signals.append(AbortSignal.any([controller.signal]))
    signals.append(AbortSignal.any([controller.signal]))
    signals.append(AbortSignal.any([signals[0]]))
    signals.append(AbortSignal.any([signals[1]]))
    result: list[str] = []
    for i, s in enumerate(signals):
        s.addEventListener("abort", lambda _event, i=i: result.append(str(i)))
    controller.abort()
    assert "".join(result) == "01234"


def test_any_target_in_event() -> None:
    """test/parallel/test-abortsignal-any.mjs: returns the correct signal in the event target"""

    async def main() -> None:
        signal = AbortSignal.any([AbortSignal.timeout(5)])
        interval = jsloop.setInterval(lambda: None, 100000)  # keep the loop alive
        [event] = await once(signal, "abort")
        jsloop.clearInterval(interval)
        assert event.target is signal
        assert signal.aborted and signal.reason.name == "TimeoutError"

    run(main)


# -- test-timers-timeout-promisified.js / test-timers-immediate-promisified.js -------------------


@pytest.mark.parametrize("kind", ["timeout", "immediate"])
def test_promisified_values_and_abort(kind: str, must: Any) -> None:
    """test/parallel/test-timers-timeout-promisified.js and
    test/parallel/test-timers-immediate-promisified.js: values, abort, abort in advance,
    abort after resolve, no leaked listeners, bad arguments, cause"""

    def call(value: Any = None, options: Any = None) -> Promise[Any]:
        if kind == "timeout":
            return tp.setTimeout(1, value, options)
        return tp.setImmediate(value, options)

    def main() -> None:
        call().then(must.call(lambda v: _eq(v, None)))
        call("foobar").then(must.call(lambda v: _eq(v, "foobar")))
        ac = AbortController()
        call(None, {"signal": ac.signal}).catch(must.call(lambda e: _is_abort(e)))
        ac.abort()
        call(None, {"signal": AbortSignal.abort()}).catch(must.call(lambda e: _is_abort(e)))
        ac2 = AbortController()
        call(None, {"signal": ac2.signal}).then(must.call(lambda: ac2.abort())).then(must.call())
        ac3 = AbortController()
        call(None, {"signal": ac3.signal}).finally_(
            must.call(lambda: _eq(abort_listeners(ac3.signal), 0))
        )
        for bad in (1, "", False, float("inf")):
            call(None, bad).catch(must.call(lambda e: _eq(e.code, "ERR_INVALID_ARG_TYPE")))
        for bad in (1, "", False, float("inf"), {}):
            call(None, {"signal": bad}).catch(
                must.call(lambda e: _eq(e.code, "ERR_INVALID_ARG_TYPE"))
            )
        for bad in (1, "", float("inf"), {}):
            call(None, {"ref": bad}).catch(must.call(lambda e: _eq(e.code, "ERR_INVALID_ARG_TYPE")))
        call(None, {"signal": AbortSignal.abort("boom")}).catch(
            must.call(lambda e: _eq(e.cause, "boom"))
        )

    jsloop.run(main)


def test_promisified_ref_false_does_not_keep_alive(must: Any) -> None:
    """test/parallel/test-timers-timeout-promisified.js (and the interval file): a
    ``{ref: false}`` timer does not keep the process alive (upstream spawns node -pe)"""

    def main() -> None:
        tp.setTimeout(1000, None, {"ref": False}).then(must.not_call())
        it = tp.setInterval(1000, None, {"ref": False})
        it.__anext__().then(must.not_call())

    jsloop.run(main)


def _eq(a: Any, b: Any) -> None:
    assert a == b


def _is_abort(e: Any) -> None:
    assert isinstance(e, AbortError)


# -- test-timers-interval-promisified.js --------------------------------------------------


def test_interval_next_and_return(must: Any) -> None:
    """test/parallel/test-timers-interval-promisified.js: the first three blocks
    (next/return, a value, two nexts)"""

    def main() -> None:
        it = tp.setInterval(1, None)
        it.__anext__().then(must.call(lambda v: (_eq(v, None), it.aclose())[1])).then(must.call())
        it2 = tp.setInterval(1, "foobar")

        def second(v: Any) -> Any:
            assert v == "foobar"
            return it2.__anext__()

        it2.__anext__().then(must.call(second)).then(
            must.call(lambda v: (_eq(v, "foobar"), it2.aclose())[1])
        ).then(must.call())

    jsloop.run(main)


def test_interval_abort_cases(must: Any) -> None:
    """test/parallel/test-timers-interval-promisified.js: abort in advance; abort after a
    next promise; abort after getting a value; bad arguments; no leaked listeners"""

    def main() -> None:
        it = tp.setInterval(1, None, {"signal": AbortSignal.abort()})
        it.__anext__().catch(must.call(_is_abort))

        ac = AbortController()
        it2 = tp.setInterval(100, None, {"signal": ac.signal})
        p = it2.__anext__()
        ac.abort()
        p.catch(must.call(_is_abort))

        ac3 = AbortController()
        it3 = tp.setInterval(100, None, {"signal": ac3.signal})
        it3.__anext__().then(must.call(lambda: ac3.abort())).then(lambda: it3.__anext__()).catch(
            must.call(_is_abort)
        )

        for bad_ref in (1, "", float("inf"), {}):
            tp.setInterval(10, None, {"ref": bad_ref}).__anext__().catch(
                must.call(lambda e: _eq(e.code, "ERR_INVALID_ARG_TYPE"))
            )
        for bad_signal in (1, "", float("inf"), {}):
            tp.setInterval(10, None, {"signal": bad_signal}).__anext__().catch(
                must.call(lambda e: _eq(e.code, "ERR_INVALID_ARG_TYPE"))
            )
        for bad_options in (1, "", float("inf"), True, False):
            tp.setInterval(10, None, bad_options).__anext__().catch(
                must.call(lambda e: _eq(e.code, "ERR_INVALID_ARG_TYPE"))
            )

        ac4 = AbortController()
        it4 = tp.setInterval(1, None, {"signal": ac4.signal})

        def after_first() -> Any:
            assert abort_listeners(ac4.signal) == 1
            return it4.aclose()

        it4.__anext__().then(must.call(after_first)).finally_(
            must.call(lambda: _eq(abort_listeners(ac4.signal), 0))
        )

    jsloop.run(main)


def test_interval_break_removes_listener() -> None:
    """test/parallel/test-timers-interval-promisified.js: break removes the signal listener"""

    async def main() -> int:
        ac = AbortController()
        i = 0
        async for _ in tp.setInterval(10, None, {"signal": ac.signal}):
            if i == 0:
                assert abort_listeners(ac.signal) == 1
            i += 1
            if i == 2:
                break
        assert abort_listeners(ac.signal) == 0
        return i

    assert run(main) == 2


def test_interval_call_counts() -> None:
    """test/parallel/test-timers-interval-promisified.js: runInterval (the right number of
    calls; ticks that came in before an abort are still delivered)"""

    @jsloop.asyncfn
    async def run_interval(fn: Any, interval_time: int, signal: AbortSignal) -> None:
        iteration = 0
        async for value in tp.setInterval(interval_time, "foobar", {"signal": signal}):
            assert value == "foobar"
            iteration += 1
            await fn(iteration)

    async def main() -> tuple[int, int]:
        controller = AbortController()
        loop_count = [0]

        @jsloop.asyncfn
        async def count(_n: int) -> None:
            loop_count[0] += 1
            if loop_count[0] == 5:
                controller.abort()
            if loop_count[0] > 5:
                raise AssertionError("ran too many times")

        assert isinstance(await rejects(run_interval(count, 20, controller.signal)), AbortError)

        controller2 = AbortController()
        total = [0]

        @jsloop.asyncfn
        async def slow(n: int) -> None:
            await tp.setTimeout(40)
            if n <= 2:
                assert not controller2.signal.aborted
            if n == 2:
                controller2.abort()
            if n > 2:
                assert controller2.signal.aborted
            total[0] = max(total[0], n)

        await rejects(run_interval(slow, 10, controller2.signal))
        return loop_count[0], total[0]

    loops, total = run(main)
    assert loops == 5
    assert total >= 3, f"iterations was {total} < 3"


def test_interval_timing_and_cause() -> None:
    """test/parallel/test-timers-interval-promisified.js: the timing block (an interval of
    2 units fires after a 1 ms timeout and before a 3-unit timeout; then after it) and the
    ``cause`` block"""
    unit = 50

    async def main() -> Any:
        flags = {"pre": False, "post": False}
        tp.setTimeout(1).then(lambda: flags.__setitem__("pre", True))
        tp.setTimeout(unit * 3).then(lambda: flags.__setitem__("post", True))
        it = tp.setInterval(unit * 2)
        await it.__anext__()
        assert flags == {"pre": True, "post": False}
        await it.__anext__()
        assert flags["post"]
        await it.aclose()
        try:
            async for _ in tp.setInterval(2, None, {"signal": AbortSignal.abort("boom")}):
                pass
        except AbortError as err:
            return err.cause
        return None

    assert run(main) == "boom"


# -- test-timers-promises-scheduler.js ----------------------------------------------------


def test_scheduler(must: Any) -> None:
    """test/parallel/test-timers-promises-scheduler.js"""

    def main() -> None:
        @jsloop.asyncfn
        async def test_yield() -> None:
            await tp.scheduler.yield_()
            process.emit("foo")

        listener = must.call()
        test_yield().then(must.call()).finally_(lambda: process.off("foo", listener))
        jsloop.queueMicrotask(must.call(lambda: process.on("foo", listener)))

        @jsloop.asyncfn
        async def test_wait() -> None:
            value = [0]
            jsloop.setTimeout(lambda: value.__setitem__(0, value[0] + 1), 10)
            await tp.scheduler.wait(15)
            assert value[0] == 1

        test_wait().then(must.call())

        @jsloop.asyncfn
        async def test_cancelable() -> None:
            ac = AbortController()
            wait = tp.scheduler.wait(1e6, {"signal": ac.signal})
            ac.abort()
            e = await rejects(wait)
            assert (e.code, e.message) == ("ABORT_ERR", "The operation was aborted")  # type: ignore[attr-defined]
            e = await rejects(tp.scheduler.wait(10000, {"signal": AbortSignal.abort()}))
            assert e.code == "ABORT_ERR"  # type: ignore[attr-defined]

        test_cancelable().then(must.call())

    jsloop.run(main)
