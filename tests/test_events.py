"""EventEmitter: Node's semantics, synchronously."""

from __future__ import annotations

import pytest

import jsloop
from jsloop import FakeClock, process
from jsloop.events import EventEmitter, MaxListenersExceededWarning, errorMonitor, once


def test_on_emit_order_and_return_value():
    e = EventEmitter()
    log = []
    assert e.emit("x", 1) is False
    e.on("x", lambda v: log.append(("a", v)))
    e.addListener("x", lambda v: log.append(("b", v)))
    e.prependListener("x", lambda v: log.append(("first", v)))
    assert e.emit("x", 1) is True
    assert log == [("first", 1), ("a", 1), ("b", 1)]


def test_once_runs_once_and_can_be_removed_by_original():
    e = EventEmitter()
    log = []

    def listener(v):
        log.append(v)

    e.once("x", listener)
    e.emit("x", 1)
    e.emit("x", 2)
    assert log == [1]
    e.once("y", listener)
    e.off("y", listener)
    assert e.emit("y", 3) is False
    e.prependOnceListener("z", listener)
    assert e.listeners("z") == [listener]


def test_off_removes_the_most_recent_matching_listener():
    e = EventEmitter()
    log = []

    def a():
        log.append("a")

    def b():
        log.append("b")

    e.on("x", a)
    e.on("x", b)
    e.on("x", a)
    e.off("x", a)
    e.emit("x")
    assert log == ["a", "b"]


def test_removal_during_emit_does_not_affect_current_emit():
    e = EventEmitter()
    log = []

    def first():
        log.append("first")
        e.off("x", second)

    def second():
        log.append("second")

    e.on("x", first)
    e.on("x", second)
    e.emit("x")
    e.emit("x")
    assert log == ["first", "second", "first"]


def test_error_without_listener_raises():
    e = EventEmitter()
    with pytest.raises(ValueError, match="bad"):
        e.emit("error", ValueError("bad"))
    with pytest.raises(Exception) as info:
        e.emit("error", "not an exception")
    assert getattr(info.value, "code", None) == "ERR_UNHANDLED_ERROR"


def test_error_monitor_sees_errors_first():
    e = EventEmitter()
    log = []
    e.on(errorMonitor, lambda err: log.append("monitor"))
    e.on("error", lambda err: log.append("handler"))
    e.emit("error", ValueError())
    assert log == ["monitor", "handler"]


def test_new_listener_and_remove_listener_events():
    e = EventEmitter()
    log = []
    e.on("newListener", lambda name, fn: log.append(("new", name)))
    e.on("removeListener", lambda name, fn: log.append(("removed", name)))

    def f():
        pass

    e.on("x", f)
    e.off("x", f)
    assert log == [("new", "removeListener"), ("new", "x"), ("removed", "x")]


def test_listener_count_names_remove_all():
    e = EventEmitter()

    def f():
        pass

    e.on("a", f)
    e.on("a", f)
    e.on("b", f)
    assert e.listenerCount("a") == 2
    assert e.listenerCount("a", f) == 2
    assert e.eventNames() == ["a", "b"]
    e.removeAllListeners("a")
    assert e.eventNames() == ["b"]
    e.removeAllListeners()
    assert e.eventNames() == []


def test_non_callable_listener_is_a_type_error():
    e = EventEmitter()
    with pytest.raises(TypeError) as info:
        e.on("x", 5)  # type: ignore[arg-type]
    assert info.value.code == "ERR_INVALID_ARG_TYPE"


def test_max_listeners_warning_is_a_process_warning():
    # Node: process.emitWarning(MaxListenersExceededWarning), once per event name.
    seen = []

    def main():
        process.on("warning", seen.append)
        e = EventEmitter()
        e.setMaxListeners(2)
        e.on("x", lambda: None)
        e.on("x", lambda: None)
        e.on("x", lambda: None)
        e.on("x", lambda: None)

    jsloop.run(main)
    assert len(seen) == 1
    w = seen[0]
    assert isinstance(w, MaxListenersExceededWarning)
    assert w.name == "MaxListenersExceededWarning"
    assert (w.type, w.count) == ("x", 3)
    assert str(w) == (
        "Possible EventEmitter memory leak detected. 3 x listeners added to [EventEmitter]. "
        "MaxListeners is 2. Use emitter.setMaxListeners() to increase limit"
    )
    with pytest.raises(ValueError) as info:
        EventEmitter().setMaxListeners(-1)
    assert info.value.code == "ERR_OUT_OF_RANGE"


def test_listeners_get_only_the_arguments_they_take():
    e = EventEmitter()
    log = []
    e.on("close", lambda: log.append("no args"))
    e.on("close", lambda had_error: log.append(had_error))
    e.emit("close", False)
    assert log == ["no args", False]


def test_events_once_promise_resolves_with_args_and_rejects_on_error():
    e = EventEmitter()

    def main():
        p = once(e, "ready")
        jsloop.setTimeout(e.emit, 1, "ready", 1, 2)
        return p

    assert jsloop.run(main, clock=FakeClock()) == [1, 2]

    def main2():
        p = once(e, "ready")
        jsloop.setTimeout(e.emit, 1, "error", ValueError("failed"))
        return p

    with pytest.raises(ValueError, match="failed"):
        jsloop.run(main2, clock=FakeClock())
