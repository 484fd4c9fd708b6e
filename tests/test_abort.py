"""AbortController/AbortSignal/EventTarget, timers_promises and events.once against Node.

Each scenario is a JavaScript program and its Python port. Node 20's output was
recorded into ``expected`` (so jsloop is checked on every run, node or not);
``test_recorded_output_is_nodes`` re-runs the JavaScript under ``node`` (when
it is on PATH) so the recorded lines cannot drift from what Node prints.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
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
    abort_error,
    add_abort_listener,
    validate_abort_signal,
)
from jsloop.events import EventEmitter, once

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not on PATH")

JS_LOG = "const log = (...a) => console.log(a.join(' '));\n"


class Log(list[str]):
    def __call__(self, *parts: Any) -> None:
        self.append(" ".join(_js_str(p) for p in parts))


def _js_str(v: Any) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, list):
        return "[" + ",".join(_js_str(x) for x in v) + "]"
    return str(v)


def run_logged(main: Callable[[Log], Any]) -> list[str]:
    log = Log()
    jsloop.run(main, log)
    return list(log)


# -- scenarios ----------------------------------------------------------------------------

SCENARIOS: dict[str, tuple[str, list[str]]] = {}
PY: dict[str, Callable[[Log], Any]] = {}


def scenario(name: str, js: str, expected: list[str]) -> Callable[[Any], Any]:
    def deco(fn: Callable[[Log], Any]) -> Callable[[Log], Any]:
        SCENARIOS[name] = (js, expected)
        PY[name] = fn
        return fn

    return deco


@scenario(
    "abort_during_sleep",
    """
const {setTimeout: sleep} = require('timers/promises');
const ac = new AbortController();
ac.signal.addEventListener('abort', () => log('listener'));
sleep(50, 'v', {signal: ac.signal}).then(v => log('resolved', v),
  e => log('rejected', e.name, e.code, e.cause === ac.signal.reason, e.cause.name));
setTimeout(() => {
  log('before abort'); ac.abort(); log('after abort');
  process.nextTick(() => log('tick'));
  Promise.resolve().then(() => log('m1')).then(() => log('m2')).then(() => log('m3'))
    .then(() => log('m4')).then(() => log('m5'));
}, 5);
""",
    [
        "before abort",
        "listener",
        "after abort",
        "tick",
        "m1",
        "m2",
        "m3",
        "m4",
        "m5",
        "rejected AbortError ABORT_ERR true AbortError",
    ],
)
def _abort_during_sleep(log: Log) -> None:
    ac = AbortController()
    ac.signal.addEventListener("abort", lambda: log("listener"))
    tp.setTimeout(50, "v", {"signal": ac.signal}).then(
        lambda v: log("resolved", v),
        lambda e: log("rejected", e.name, e.code, e.cause is ac.signal.reason, e.cause.name),
    )

    def later() -> None:
        log("before abort")
        ac.abort()
        log("after abort")
        jsloop.nextTick(lambda: log("tick"))
        (
            Promise.resolve()
            .then(lambda: log("m1"))
            .then(lambda: log("m2"))
            .then(lambda: log("m3"))
            .then(lambda: log("m4"))
            .then(lambda: log("m5"))
        )

    jsloop.setTimeout(later, 5)


@scenario(
    "abort_before_start",
    """
const {setTimeout: sleep, setImmediate: immP} = require('timers/promises');
const ac = new AbortController();
ac.abort('r');
log(ac.signal.aborted, ac.signal.reason);
sleep(1, 'v', {signal: ac.signal}).catch(e => log('sleep', e.name, e.code, e.cause));
immP('v', {signal: ac.signal}).catch(e => log('imm', e.name, e.cause));
Promise.resolve().then(() => log('m1')).then(() => log('m2'));
immP('iv').then(v => log(v));
setImmediate(() => log('cb-imm'));
""",
    ["true r", "sleep AbortError ABORT_ERR r", "imm AbortError r", "m1", "m2", "iv", "cb-imm"],
)
def _abort_before_start(log: Log) -> None:
    ac = AbortController()
    ac.abort("r")
    log(ac.signal.aborted, ac.signal.reason)
    tp.setTimeout(1, "v", signal=ac.signal).catch(lambda e: log("sleep", e.name, e.code, e.cause))
    tp.setImmediate("v", {"signal": ac.signal}).catch(lambda e: log("imm", e.name, e.cause))
    Promise.resolve().then(lambda: log("m1")).then(lambda: log("m2"))
    tp.setImmediate("iv").then(lambda v: log(v))
    jsloop.setImmediate(lambda: log("cb-imm"))


@scenario(
    "abort_signal_any",
    """
const a = new AbortController(), b = new AbortController();
const any = AbortSignal.any([a.signal, b.signal]);
const any2 = AbortSignal.any([any, a.signal]);
any.addEventListener('abort', () => log('any', any.reason));
any2.addEventListener('abort', () => log('any2', any2.reason));
a.signal.addEventListener('abort', () => log('a', a.signal.aborted, any.aborted));
b.signal.addEventListener('abort', () => log('b'));
b.abort('B'); a.abort('A');
log(any.aborted, any.reason, any2.reason, a.signal.reason);
const pre = AbortSignal.any([new AbortController().signal, AbortSignal.abort('x'),
  AbortSignal.abort('y')]);
log(pre.aborted, pre.reason);
log(AbortSignal.any([]).aborted);
const c = new AbortController();
const cany = AbortSignal.any([c.signal]);
c.signal.addEventListener('abort', () => log('c listener sees composite', cany.aborted));
cany.addEventListener('abort', () => log('composite'));
c.abort();
log(cany.reason === c.signal.reason, cany.reason.name);
""",
    [
        "b",
        "any B",
        "any2 B",
        "a true true",
        "true B B A",
        "true x",
        "false",
        "c listener sees composite false",
        "composite",
        "true AbortError",
    ],
)
def _abort_signal_any(log: Log) -> None:
    a, b = AbortController(), AbortController()
    any_ = AbortSignal.any([a.signal, b.signal])
    any2 = AbortSignal.any([any_, a.signal])
    any_.addEventListener("abort", lambda: log("any", any_.reason))
    any2.addEventListener("abort", lambda: log("any2", any2.reason))
    a.signal.addEventListener("abort", lambda: log("a", a.signal.aborted, any_.aborted))
    b.signal.addEventListener("abort", lambda: log("b"))
    b.abort("B")
    a.abort("A")
    log(any_.aborted, any_.reason, any2.reason, a.signal.reason)
    pre = AbortSignal.any(
        [AbortController().signal, AbortSignal.abort("x"), AbortSignal.abort("y")]
    )
    log(pre.aborted, pre.reason)
    log(AbortSignal.any([]).aborted)
    c = AbortController()
    cany = AbortSignal.any([c.signal])
    c.signal.addEventListener("abort", lambda: log("c listener sees composite", cany.aborted))
    cany.addEventListener("abort", lambda: log("composite"))
    c.abort()
    log(cany.reason is c.signal.reason, cany.reason.name)


@scenario(
    "events_once_error_first",
    """
const {EventEmitter, once} = require('events');
const ee = new EventEmitter();
once(ee, 'foo').then(v => log('foo', v),
  e => log('err', e.message, ee.listenerCount('foo'), ee.listenerCount('error')));
ee.emit('error', new Error('boom'));
const ee2 = new EventEmitter();
once(ee2, 'foo').then(v => log('foo2', JSON.stringify(v), ee2.listenerCount('error')));
ee2.emit('foo', 1, 2);
Promise.resolve().then(() => log('m1')).then(() => log('m2')).then(() => log('m3'))
  .then(() => log('m4'));
const ee3 = new EventEmitter();
once(ee3, 'error').then(v => log('error-as-value', v[0].message));
ee3.emit('error', new Error('e3'));
const ac = new AbortController();
const ee4 = new EventEmitter();
once(ee4, 'foo', {signal: ac.signal}).catch(e => log('abort', e.name, e.cause,
  ee4.listenerCount('foo'), ee4.listenerCount('error')));
ac.abort('R');
once(ee4, 'foo', {signal: ac.signal}).catch(e => log('pre-abort', e.name));
log('sync end');
""",
    [
        "sync end",
        "m1",
        "pre-abort AbortError",
        "m2",
        "err boom 0 0",
        "foo2 [1,2] 0",
        "m3",
        "error-as-value e3",
        "abort AbortError R 0 0",
        "m4",
    ],
)
def _events_once_error_first(log: Log) -> None:
    ee = EventEmitter()
    once(ee, "foo").then(
        lambda v: log("foo", v),
        lambda e: log("err", e, ee.listenerCount("foo"), ee.listenerCount("error")),
    )
    ee.emit("error", ValueError("boom"))
    ee2 = EventEmitter()
    once(ee2, "foo").then(lambda v: log("foo2", v, ee2.listenerCount("error")))
    ee2.emit("foo", 1, 2)
    (
        Promise.resolve()
        .then(lambda: log("m1"))
        .then(lambda: log("m2"))
        .then(lambda: log("m3"))
        .then(lambda: log("m4"))
    )
    ee3 = EventEmitter()
    once(ee3, "error").then(lambda v: log("error-as-value", v[0]))
    ee3.emit("error", ValueError("e3"))
    ac = AbortController()
    ee4 = EventEmitter()
    once(ee4, "foo", {"signal": ac.signal}).catch(
        lambda e: log(
            "abort", e.name, e.cause, ee4.listenerCount("foo"), ee4.listenerCount("error")
        )
    )
    ac.abort("R")
    once(ee4, "foo", signal=ac.signal).catch(lambda e: log("pre-abort", e.name))
    log("sync end")


@scenario(
    "dispatch_order_and_listener_errors",
    """
process.on('uncaughtException', e => log('uncaught', e.message));
const ac = new AbortController();
const s = ac.signal;
s.addEventListener('abort', () => log('L1'));
s.onabort = () => log('onabort1');
s.addEventListener('abort', () => { throw new Error('boom'); });
const l3 = (e) => log('L3', e.type, e.isTrusted, e.target === s);
s.addEventListener('abort', l3);
s.addEventListener('abort', l3);
s.onabort = () => log('onabort2');
s.addEventListener('abort', () => log('once'), {once: true});
process.nextTick(() => log('tick-before'));
ac.abort();
log('sync after', s.reason.name, s.reason.code, s.reason.message);
process.nextTick(() => log('tick-after'));
Promise.resolve().then(() => log('micro'));
ac.abort();
try { s.throwIfAborted(); } catch (e) { log('thrown', e.name); }
""",
    [
        "L1",
        "onabort2",
        "L3 abort true true",
        "once",
        "sync after AbortError 20 This operation was aborted",
        "thrown AbortError",
        "tick-before",
        "uncaught boom",
        "tick-after",
        "micro",
    ],
)
def _dispatch_order(log: Log) -> None:
    def on_uncaught(e: Any) -> None:
        log("uncaught", e)

    process.on("uncaughtException", on_uncaught)
    jsloop.setImmediate(lambda: process.off("uncaughtException", on_uncaught))
    ac = AbortController()
    s = ac.signal
    s.addEventListener("abort", lambda: log("L1"))
    s.onabort = lambda: log("onabort1")

    def boom() -> None:
        raise ValueError("boom")

    s.addEventListener("abort", boom)

    def l3(e: Event) -> None:
        log("L3", e.type, e.isTrusted, e.target is s)

    s.addEventListener("abort", l3)
    s.addEventListener("abort", l3)
    s.onabort = lambda: log("onabort2")
    s.addEventListener("abort", lambda: log("once"), {"once": True})
    jsloop.nextTick(lambda: log("tick-before"))
    ac.abort()
    log("sync after", s.reason.name, s.reason.code, s.reason.message)
    jsloop.nextTick(lambda: log("tick-after"))
    Promise.resolve().then(lambda: log("micro"))
    ac.abort()
    try:
        s.throwIfAborted()
    except DOMException as e:
        log("thrown", e.name)


@scenario(
    "timeout_signal_is_unrefd",
    """
const s = AbortSignal.timeout(10);
s.addEventListener('abort', () => log('timeout', s.reason.name, s.reason.code, s.reason.message));
setTimeout(() => log('kept alive', s.aborted), 40);
const s2 = AbortSignal.timeout(5000);
s2.addEventListener('abort', () => log('never'));
""",
    ["timeout TimeoutError 23 The operation was aborted due to timeout", "kept alive true"],
)
def _timeout_signal(log: Log) -> None:
    s = AbortSignal.timeout(10)
    s.addEventListener(
        "abort", lambda: log("timeout", s.reason.name, s.reason.code, s.reason.message)
    )
    jsloop.setTimeout(lambda: log("kept alive", s.aborted), 40)
    s2 = AbortSignal.timeout(5000)
    s2.addEventListener("abort", lambda: log("never"))


@scenario(
    "set_interval_iterator_abort",
    """
const {setInterval} = require('timers/promises');
const ac = new AbortController();
(async () => {
  let n = 0;
  try {
    for await (const v of setInterval(5, 'tick', {signal: ac.signal})) {
      n++; log(v, n);
      if (n === 3) ac.abort('stop');
    }
  } catch (e) { log('caught', e.name, e.cause, n); }
  const it = setInterval(1, 'x');
  let m = 0;
  for await (const v of it) { if (++m === 2) break; }
  log('broke out', m);
})();
""",
    ["tick 1", "tick 2", "tick 3", "caught AbortError stop 3", "broke out 2"],
)
def _set_interval_abort(log: Log) -> Any:
    ac = AbortController()

    @jsloop.asyncfn
    async def body() -> None:
        n = 0
        try:
            async for v in tp.setInterval(5, "tick", {"signal": ac.signal}):
                n += 1
                log(v, n)
                if n == 3:
                    ac.abort("stop")
        except AbortError as e:
            log("caught", e.name, e.cause, n)
        m = 0
        async for _v in tp.setInterval(1, "x"):
            m += 1
            if m == 2:
                break
        log("broke out", m)

    return body()


@scenario(
    "add_abort_listener_already_aborted",
    """
const {addAbortListener} = require('events');
process.nextTick(() => log('tick'));
Promise.resolve().then(() => log('m1'));
addAbortListener(AbortSignal.abort(), () => log('listener'));
const ac = new AbortController();
const disposable = addAbortListener(ac.signal, () => log('never'));
disposable[Symbol.dispose]();
ac.abort();
log('sync');
""",
    ["sync", "tick", "m1", "listener"],
)
def _add_abort_listener(log: Log) -> None:
    jsloop.nextTick(lambda: log("tick"))
    Promise.resolve().then(lambda: log("m1"))
    add_abort_listener(AbortSignal.abort(), lambda: log("listener"))
    ac = AbortController()
    dispose = add_abort_listener(ac.signal, lambda: log("never"))
    dispose()
    ac.abort()
    log("sync")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_jsloop_matches_node(name: str) -> None:
    _js, expected = SCENARIOS[name]
    assert run_logged(PY[name]) == expected


@needs_node
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_recorded_output_is_nodes(name: str) -> None:
    js, expected = SCENARIOS[name]
    assert NODE is not None
    out = subprocess.run(
        [NODE, "--no-warnings", "-e", JS_LOG + js],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert out.splitlines() == expected


# -- unit tests -----------------------------------------------------------------------------


def test_abort_signal_cannot_be_constructed() -> None:
    with pytest.raises(TypeError) as info:
        AbortSignal()
    assert info.value.code == "ERR_ILLEGAL_CONSTRUCTOR"  # type: ignore[attr-defined]


def test_abort_reason_defaults_and_custom() -> None:
    ac = AbortController()
    assert not ac.signal.aborted and ac.signal.reason is None
    ac.signal.throwIfAborted()
    ac.abort()
    r = ac.signal.reason
    assert isinstance(r, DOMException) and (r.name, r.code) == ("AbortError", 20)
    reason = ValueError("mine")
    s = AbortSignal.abort(reason)
    assert s.aborted and s.reason is reason
    with pytest.raises(ValueError, match="mine"):
        s.throwIfAborted()
    # a non-exception reason is raised wrapped, keeping the value
    with pytest.raises(jsloop.RejectionError) as info:
        AbortSignal.abort(42).throwIfAborted()
    assert info.value.reason == 42


def test_abort_error_shape() -> None:
    ac = AbortController()
    ac.abort("why")
    err = abort_error(ac.signal)
    assert (err.name, err.code, err.cause, err.message) == (
        "AbortError",
        "ABORT_ERR",
        "why",
        "The operation was aborted",
    )
    cause = KeyError("k")
    assert AbortError(cause=cause).__cause__ is cause


def test_listener_options_once_signal_and_handle_event() -> None:
    target = EventTarget()
    seen: list[str] = []
    remover = AbortController()
    target.addEventListener("x", lambda: seen.append("plain"))
    target.addEventListener("x", lambda: seen.append("once"), {"once": True})
    target.addEventListener("x", lambda: seen.append("removable"), {"signal": remover.signal})

    class Handler:
        def handleEvent(self, event: Event) -> None:
            seen.append(f"handler:{event.type}")

    target.addEventListener("x", Handler())
    target.addEventListener("x", None)  # ignored, as in Node
    assert target.dispatchEvent(Event("x")) is True
    remover.abort()
    target.dispatchEvent(Event("x"))
    assert seen == ["plain", "once", "removable", "handler:x", "plain", "handler:x"]
    # capture is part of a listener's identity
    fn = lambda: seen.append("cap")  # noqa: E731
    target.addEventListener("y", fn)
    target.addEventListener("y", fn, {"capture": True})
    target.removeEventListener("y", fn)
    target.dispatchEvent(Event("y"))
    assert seen[-1] == "cap"


def test_prevent_default_and_stop_immediate_propagation() -> None:
    target = EventTarget()
    seen: list[str] = []

    def first(e: Event) -> None:
        e.preventDefault()
        e.stopImmediatePropagation()
        seen.append("first")

    target.addEventListener("x", first)
    target.addEventListener("x", lambda: seen.append("second"))
    assert target.dispatchEvent(Event("x", {"cancelable": True})) is False
    assert target.dispatchEvent(Event("x")) is True  # not cancelable
    assert seen == ["first", "first"]


def test_bad_arguments_raise_node_errors() -> None:
    with pytest.raises(TypeError) as info:
        validate_abort_signal("nope")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        AbortSignal.any([AbortController().signal, 1])
    with pytest.raises(TypeError):
        AbortSignal.timeout("10")
    with pytest.raises(ValueError) as rinfo:
        AbortSignal.timeout(-1)
    assert rinfo.value.code == "ERR_OUT_OF_RANGE"  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        EventTarget().dispatchEvent("abort")
    with pytest.raises(TypeError):
        EventTarget().addEventListener("x", 5)


def test_timers_promises_bad_options_reject() -> None:
    @jsloop.asyncfn
    async def main() -> list[str]:
        codes = []
        for call in (
            lambda: tp.setTimeout(1, None, "opts"),
            lambda: tp.setTimeout(1, None, {"signal": 1}),
            lambda: tp.setTimeout(1, None, ref="yes"),
            lambda: tp.setImmediate(None, {"ref": 1}),
        ):
            try:
                await call()
            except TypeError as e:
                codes.append(e.code)  # type: ignore[attr-defined]
        try:
            await tp.setInterval(1, None, {"signal": "x"}).__anext__()
        except TypeError as e:
            codes.append(e.code)  # type: ignore[attr-defined]
        return codes

    assert jsloop.run(main) == ["ERR_INVALID_ARG_TYPE"] * 5


def test_unrefd_timers_promises_do_not_keep_the_loop_alive() -> None:
    settled: list[str] = []

    def main() -> None:
        tp.setTimeout(10_000, "late", ref=False).then(settled.append)
        tp.setImmediate("imm", {"ref": False}).then(settled.append)

    jsloop.run(main)
    assert settled == []  # nothing kept the loop alive for them


def test_scheduler_and_values() -> None:
    @jsloop.asyncfn
    async def main() -> list[Any]:
        a = await tp.setTimeout(1, {"k": 1})
        b = await tp.setImmediate("imm")
        c = await tp.scheduler.yield_()
        ac = AbortController()
        p = tp.scheduler.wait(10_000, signal=ac.signal)
        ac.abort()
        try:
            await p
        except AbortError as e:
            d = e.code
        return [a, b, c, d]

    assert jsloop.run(main) == [{"k": 1}, "imm", None, "ABORT_ERR"]


def test_sleep_signal_removes_its_listener() -> None:
    ac = AbortController()

    @jsloop.asyncfn
    async def main() -> int:
        await tp.setTimeout(1, None, signal=ac.signal)
        await tp.setImmediate(None, signal=ac.signal)
        return len(ac.signal._et_listeners.get("abort", []))

    assert jsloop.run(main) == 0


def test_interval_queues_missed_ticks_and_aclose_clears() -> None:
    @jsloop.asyncfn
    async def main() -> list[Any]:
        it = tp.setInterval(2, "v")
        first = await it.__anext__()
        # Let several intervals pass while nobody waits: they are queued, one per next.
        await tp.setTimeout(12)
        got = [first, await it.__anext__(), await it.__anext__()]
        await it.aclose()
        try:
            await it.__anext__()
        except StopAsyncIteration:
            got.append("stopped")
        return got

    assert jsloop.run(main) == ["v", "v", "v", "stopped"]


def test_add_abort_listener_disposer_and_already_aborted() -> None:
    seen: list[str] = []

    def main() -> None:
        ac = AbortController()
        dispose = add_abort_listener(ac.signal, lambda: seen.append("never"))
        dispose()
        dispose()
        ac.abort()
        add_abort_listener(ac.signal, lambda: seen.append("late"))
        seen.append("sync")

    jsloop.run(main)
    assert seen == ["sync", "late"]


def test_events_on_with_event_target_and_close() -> None:
    from jsloop.events import on

    @jsloop.asyncfn
    async def main() -> list[Any]:
        target = EventTarget()
        got: list[Any] = []
        it = on(target, "ping")
        target.dispatchEvent(Event("ping"))
        (ev,) = await it.__anext__()
        got.append(ev.type)
        await it.aclose()
        ee = EventEmitter()
        jsloop.setImmediate(lambda: (ee.emit("d", 1), ee.emit("d", 2), ee.emit("end")))
        async for args in on(ee, "d", close=["end"]):
            got.append(args)
        got.append(ee.listenerCount("d") + ee.listenerCount("end") + ee.listenerCount("error"))
        return got

    assert jsloop.run(main) == ["ping", [1], [2], 0]


def test_events_on_watermarks_pause_and_resume_the_emitter() -> None:
    from jsloop.events import on

    class Pausable(EventEmitter):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[str] = []

        def pause(self) -> None:
            self.calls.append("pause")

        def resume(self) -> None:
            self.calls.append("resume")

    @jsloop.asyncfn
    async def main() -> list[Any]:
        ee = Pausable()
        it = on(ee, "d", {"highWaterMark": 2, "lowWaterMark": 1})
        for i in range(4):
            ee.emit("d", i)  # the third queued event passes highWaterMark: pause
        got = [ee.calls[:]]
        for _ in range(3):
            got.append(await it.__anext__())
        got.append(ee.calls[:])  # one event still queued: not below lowWaterMark yet
        got.append(await it.__anext__())
        got.append(ee.calls[:])
        await it.aclose()
        codes = []
        for bad in ({"highWaterMark": 0}, {"lowWaterMark": 1.5}, {"highWaterMark": "2"}):
            try:
                on(ee, "d", bad)
            except (TypeError, ValueError) as e:
                codes.append(e.code)  # type: ignore[attr-defined]
        got.append(codes)
        return got

    assert jsloop.run(main) == [
        ["pause"],
        [0],
        [1],
        [2],
        ["pause"],
        [3],
        ["pause", "resume"],
        ["ERR_OUT_OF_RANGE", "ERR_OUT_OF_RANGE", "ERR_INVALID_ARG_TYPE"],
    ]


def test_listened_timeout_signal_is_released_when_its_loop_closes() -> None:
    import gc
    import weakref

    refs: list[Any] = []

    def main() -> None:
        s = AbortSignal.timeout(60_000)
        s.addEventListener("abort", lambda: None)
        refs.append(weakref.ref(s))

    jsloop.run(main)  # the unref'd timer never fires; the loop ends
    gc.collect()
    assert refs[0]() is None
