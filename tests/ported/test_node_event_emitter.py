"""EventEmitter tests ported from Node v20's test/parallel (one test per upstream file).

Each test names its upstream file; ``must`` is common.mustCall (tests/ported/conftest.py).
Node-only internals (``ee._events`` shapes, domains) are left out; what a user sees
(listeners, order, errors, warnings) is kept.
"""

from __future__ import annotations

import pytest

import jsloop
from jsloop import events, process
from jsloop.events import EventEmitter, MaxListenersExceededWarning, errorMonitor


def test_add_listeners(must):
    """test/parallel/test-event-emitter-add-listeners.js"""
    ee = EventEmitter()
    events_seen: list[str] = []
    listeners_seen: list[object] = []
    assert EventEmitter.addListener is EventEmitter.on

    def on_new(event, listener):
        if event == "newListener":
            return
        events_seen.append(event)
        listeners_seen.append(listener)

    ee.on("newListener", on_new)

    def hello_body(a, b):
        assert (a, b) == ("a", "b")

    hello = must.call(hello_body)

    def once_new(name, listener):
        assert name == "hello"
        assert listener is hello
        assert ee.listeners("hello") == []

    ee.once("newListener", once_new)
    ee.on("hello", hello)
    fail = must.not_call()
    ee.once("foo", fail)
    assert events_seen == ["hello", "foo"]
    assert listeners_seen == [hello, fail]
    ee.emit("hello", "a", "b")

    EventEmitter().setMaxListeners(0)

    def listen1():
        pass

    def listen2():
        pass

    ee2 = EventEmitter()

    def first_new():
        assert ee2.listeners("hello") == []

        def second_new():
            assert ee2.listeners("hello") == []

        ee2.once("newListener", second_new)
        ee2.on("hello", listen2)

    ee2.once("newListener", first_new)
    ee2.on("hello", listen1)
    # The order of listeners on an event is not always the order they were added.
    assert ee2.listeners("hello") == [listen2, listen1]


def test_check_listener_leaks():
    """test/parallel/test-event-emitter-check-listener-leaks.js (the warned flag is
    observed through process 'warning' events, which Node emits for the same cases)."""
    warned: list[tuple[object, int]] = []

    def main():
        process.on("warning", lambda w: warned.append((w.type, w.count)))
        e = EventEmitter()
        for _ in range(10):
            e.on("default", lambda: None)
        e.on("default", lambda: None)
        e.setMaxListeners(1)
        e.on("only one", lambda: None)
        e.on("only one", lambda: None)
        e.setMaxListeners(0)
        for _ in range(1000):
            e.on("unlimited", lambda: None)
        assert e.setMaxListeners(1) is e  # chainable

    saved = EventEmitter.defaultMaxListeners
    try:
        jsloop.run(main)
        assert warned == [("default", 11), ("only one", 2)]
        warned.clear()

        def process_wide():
            process.on("warning", lambda w: warned.append((w.type, w.count)))
            EventEmitter.defaultMaxListeners = 42
            e = EventEmitter()
            for _ in range(42):
                e.on("fortytwo", lambda: None)
            assert warned == []
            e.on("fortytwo", lambda: None)
            # _maxListeners still has precedence over defaultMaxListeners
            u = EventEmitter()
            u.setMaxListeners(1)
            u.on("uno", lambda: None)
            u.on("uno", lambda: None)

        jsloop.run(process_wide)
        assert warned == [("fortytwo", 43), ("uno", 2)]
    finally:
        EventEmitter.defaultMaxListeners = saved


def test_error_monitor(must):
    """test/parallel/test-event-emitter-error-monitor.js"""
    ee = EventEmitter()
    the_err = RuntimeError("MyError")

    def monitor(e):
        assert e is the_err

    ee.on(errorMonitor, must.call(monitor, 3))
    with pytest.raises(RuntimeError) as info:
        ee.emit("error", the_err)
    assert info.value is the_err
    ee.once("error", must.call(lambda e: None))
    ee.emit("error", the_err)
    outcome: list[object] = []

    def main():
        jsloop.nextTick(lambda: ee.emit("error", the_err))
        events.once(ee, "notTriggered").then(
            lambda v: outcome.append(("fulfilled", v)), lambda r: outcome.append(r)
        )

    jsloop.run(main)
    assert outcome == [the_err]
    ee.on("aEvent", must.call())
    ee.emit("aEvent")


def test_errors():
    """test/parallel/test-event-emitter-errors.js"""
    ee = EventEmitter()
    with pytest.raises(Exception) as info:
        ee.emit("error", "Accepts a string")
    assert info.value.code == "ERR_UNHANDLED_ERROR"
    assert str(info.value) == "Unhandled error. ('Accepts a string')"
    with pytest.raises(Exception) as info:
        ee.emit("error", {"message": "Error!"})
    assert info.value.code == "ERR_UNHANDLED_ERROR"
    assert str(info.value) == "Unhandled error. ({'message': 'Error!'})"


def test_get_max_listeners():
    """test/parallel/test-event-emitter-get-max-listeners.js"""
    emitter = EventEmitter()
    assert emitter.getMaxListeners() == EventEmitter.defaultMaxListeners
    emitter.setMaxListeners(0)
    assert emitter.getMaxListeners() == 0
    emitter.setMaxListeners(3)
    assert emitter.getMaxListeners() == 3


def test_events_getmaxlisteners():
    """test/parallel/test-events-getmaxlisteners.js"""
    emitter = EventEmitter()
    assert events.getMaxListeners(emitter) == events.defaultMaxListeners
    emitter.setMaxListeners(101)
    assert events.getMaxListeners(emitter) == 101


@pytest.mark.parametrize("method", ["on", "once", "removeListener", "prependOnceListener"])
def test_invalid_listener(method):
    """test/parallel/test-event-emitter-invalid-listener.js"""
    ee = EventEmitter()
    with pytest.raises(TypeError) as info:
        getattr(ee, method)("foo", None)
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    assert str(info.value).startswith('The "listener" argument must be of type function.')


def test_listener_count():
    """test/parallel/test-event-emitter-listener-count.js"""
    emitter = EventEmitter()
    emitter.on("foo", lambda: None)
    emitter.on("foo", lambda: None)
    emitter.on("baz", lambda: None)
    emitter.on(123, lambda: None)  # any type is allowed
    assert EventEmitter.listenerCount(emitter, "foo") == 2
    assert emitter.listenerCount("foo") == 2
    assert emitter.listenerCount("bar") == 0
    assert emitter.listenerCount("baz") == 1
    assert emitter.listenerCount(123) == 1


def test_listener_count_with_listener(must):
    """test/parallel/test-events-listener-count-with-listener.js"""
    ee = EventEmitter()
    handler = must.call(None, 3)
    another = must.call()
    assert (ee.listenerCount("event"), ee.listenerCount("event", handler)) == (0, 0)
    ee.once("event", handler)
    assert (ee.listenerCount("event"), ee.listenerCount("event", handler)) == (1, 1)
    assert ee.listenerCount("event", another) == 0
    ee.removeAllListeners("event")
    assert ee.listenerCount("event") == 0
    ee.on("event", handler)
    ee.once("event", another)
    assert (ee.listenerCount("event"), ee.listenerCount("event", another)) == (2, 1)
    ee.once("event", handler)
    assert (ee.listenerCount("event"), ee.listenerCount("event", handler)) == (3, 2)
    ee.emit("event")
    assert ee.listenerCount("event") == 1
    assert ee.listenerCount("event", another) == 0
    ee.emit("event")
    assert ee.listenerCount("event") == 1
    ee.off("event", handler)
    assert ee.listenerCount("event") == 0


def test_listeners():
    """test/parallel/test-event-emitter-listeners.js"""

    def listener():
        pass

    def listener2():
        pass

    def listener3():
        return 0

    def listener4():
        return 1

    ee = EventEmitter()
    ee.on("foo", listener)
    foo_listeners = ee.listeners("foo")
    ee.removeAllListeners("foo")
    assert ee.listeners("foo") == []
    assert foo_listeners == [listener]

    ee = EventEmitter()
    ee.on("foo", listener)
    copy = ee.listeners("foo")
    copy.append(listener2)
    assert ee.listeners("foo") == [listener]

    ee = EventEmitter()
    ee.on("foo", listener)
    copy = ee.listeners("foo")
    ee.on("foo", listener2)
    assert ee.listeners("foo") == [listener, listener2]
    assert copy == [listener]

    ee = EventEmitter()
    ee.once("foo", listener)
    assert ee.listeners("foo") == [listener]

    ee = EventEmitter()
    ee.on("foo", listener)
    ee.once("foo", listener2)
    assert ee.listeners("foo") == [listener, listener2]

    class TestStream(EventEmitter):
        pass

    assert TestStream().listeners("foo") == []

    ee = EventEmitter()
    ee.on("foo", listener)
    wrapped = ee.rawListeners("foo")
    assert wrapped == [listener]
    assert wrapped is not ee.rawListeners("foo")
    ee.once("foo", listener)
    wrapped = ee.rawListeners("foo")
    assert len(wrapped) == 2
    assert wrapped[0] is listener
    assert wrapped[1] is not listener
    assert wrapped[1].listener is listener
    ee.emit("foo")
    assert len(wrapped) == 2

    ee = EventEmitter()
    ee.once("foo", listener3)
    ee.on("foo", listener4)
    raw = ee.rawListeners("foo")
    assert len(raw) == 2
    assert raw[0]() == 0
    raw = ee.rawListeners("foo")
    assert len(raw) == 1
    assert raw[0]() == 1


def test_listeners_side_effects():
    """test/parallel/test-event-emitter-listeners-side-effects.js"""
    e = EventEmitter()
    fl = e.listeners("foo")
    assert fl == []
    assert e.eventNames() == []

    def fail():
        raise AssertionError

    def ok():
        pass

    e.on("foo", fail)
    assert e.listeners("foo") == [fail]
    e.listeners("bar")
    assert e.eventNames() == ["foo"]
    e.on("foo", ok)
    assert e.listeners("foo") == [fail, ok]


def test_max_listeners():
    """test/parallel/test-event-emitter-max-listeners.js"""
    e = EventEmitter()
    called = []
    e.on("maxListeners", lambda: called.append(1))
    e.setMaxListeners(42)  # must not corrupt the 'maxListeners' queue
    for bad in (float("nan"), -1):
        with pytest.raises(ValueError) as info:
            e.setMaxListeners(bad)
        assert info.value.code == "ERR_OUT_OF_RANGE"
        with pytest.raises(ValueError) as info:
            events.defaultMaxListeners = bad
        assert info.value.code == "ERR_OUT_OF_RANGE"
        with pytest.raises(ValueError) as info:
            EventEmitter.setMaxListeners(bad)
        assert info.value.code == "ERR_OUT_OF_RANGE"
    with pytest.raises(TypeError) as info:
        e.setMaxListeners("and even this")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    with pytest.raises(TypeError) as info:
        events.defaultMaxListeners = "and even this"
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    with pytest.raises(TypeError) as info:
        EventEmitter.setMaxListeners("and even this")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    with pytest.raises(TypeError) as info:
        EventEmitter.setMaxListeners(events.defaultMaxListeners, "INVALID_EMITTER")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    e.emit("maxListeners")
    assert called == [1]
    assert events.defaultMaxListeners == 10


def test_static_set_max_listeners_on_targets():
    """test/parallel/test-events-static-geteventlisteners.js's neighbour:
    events.setMaxListeners(n, *targets) (Node docs; checked against node)."""
    g = EventEmitter()
    EventEmitter.setMaxListeners(1, g)
    assert g.getMaxListeners() == 1
    assert EventEmitter.defaultMaxListeners == 10


def test_max_listeners_warning(must):
    """test/parallel/test-event-emitter-max-listeners-warning.js"""

    class FakeInput(EventEmitter):
        def resume(self):
            pass

    seen: list[MaxListenersExceededWarning] = []

    def main():
        e = FakeInput()
        e.setMaxListeners(1)
        process.on("warning", seen.append)
        e.on("event-type", lambda: None)
        e.on("event-type", lambda: None)  # triggers the warning
        e.on("event-type", lambda: None)  # ... only once
        return e

    e = jsloop.run(main)
    assert len(seen) == 1
    w = seen[0]
    assert isinstance(w, Exception)
    assert w.name == "MaxListenersExceededWarning"
    assert w.emitter is e
    assert (w.count, w.type) == (2, "event-type")
    assert "2 event-type listeners added to [FakeInput]." in str(w)


def test_modify_in_emit():
    """test/parallel/test-event-emitter-modify-in-emit.js"""
    called: list[str] = []
    e = EventEmitter()

    def callback1():
        called.append("callback1")
        e.on("foo", callback2)
        e.on("foo", callback3)
        e.removeListener("foo", callback1)

    def callback2():
        called.append("callback2")
        e.removeListener("foo", callback2)

    def callback3():
        called.append("callback3")
        e.removeListener("foo", callback3)

    e.on("foo", callback1)
    e.emit("foo")
    assert len(e.listeners("foo")) == 2
    assert called == ["callback1"]
    e.emit("foo")
    assert e.listeners("foo") == []
    assert called == ["callback1", "callback2", "callback3"]
    e.emit("foo")
    assert called == ["callback1", "callback2", "callback3"]
    e.on("foo", callback1)
    e.on("foo", callback2)
    e.removeAllListeners("foo")
    assert e.listeners("foo") == []
    called.clear()
    e.on("foo", callback2)
    e.on("foo", callback3)
    e.emit("foo")
    assert called == ["callback2", "callback3"]
    assert e.listeners("foo") == []


def test_num_args():
    """test/parallel/test-event-emitter-num-args.js"""
    e = EventEmitter()
    seen: list[int] = []
    e.on("numArgs", lambda *args: seen.append(len(args)))
    e.on("foo", lambda *args: seen.append(len(args)))
    e.on("foo", lambda *args: seen.append(len(args)))
    for n in range(6):
        e.emit("numArgs", *([None] * n))
    e.emit("foo", None, None, None, None)
    assert seen == [0, 1, 2, 3, 4, 5, 4, 4]


def test_once(must):
    """test/parallel/test-event-emitter-once.js"""
    e = EventEmitter()
    e.once("hello", must.call())
    for _ in range(4):
        e.emit("hello", "a", "b")

    def remove():
        raise AssertionError("once->foo should not be emitted")

    e.once("foo", remove)
    e.removeListener("foo", remove)
    e.emit("foo")
    e.once("e", must.call(lambda: e.emit("e")))
    e.once("e", must.call())
    e.emit("e")
    for i in range(5):
        ee = EventEmitter()
        args = list(range(i))

        def check(*params, expected=args):
            assert list(params) == expected

        ee.once("foo", must.call(check))
        ee.emit("foo", *args)


def test_prepend(must):
    """test/parallel/test-event-emitter-prepend.js (the stream.Stream fallback part
    tests Node's legacy prototype patching and is left out)."""
    ee = EventEmitter()
    m = [0]

    def last():
        assert m[0] == 2

    def second():
        assert m[0] == 1
        m[0] += 1

    def first():
        assert m[0] == 0
        m[0] += 1

    ee.on("foo", must.call(last))
    ee.prependListener("foo", must.call(second))
    ee.prependOnceListener("foo", must.call(first))
    ee.emit("foo")


def test_remove_all_listeners(must):
    """test/parallel/test-event-emitter-remove-all-listeners.js"""
    ee = EventEmitter()
    noop = must.not_call()
    ee.on("foo", noop)
    ee.on("bar", noop)
    ee.on("baz", noop)
    ee.on("baz", noop)
    foo_l, bar_l, baz_l = ee.listeners("foo"), ee.listeners("bar"), ee.listeners("baz")
    removed: list[str] = []
    ee.on("removeListener", must.call(lambda name: removed.append(name), 3))
    ee.removeAllListeners("bar")
    ee.removeAllListeners("baz")
    assert sorted(removed) == ["bar", "baz", "baz"]
    assert ee.listeners("foo") == [noop]
    assert ee.listeners("bar") == [] and ee.listeners("baz") == []
    assert (foo_l, bar_l, baz_l) == ([noop], [noop], [noop, noop])

    # LIFO order, and the 'removeListener' event itself last.
    ee = EventEmitter()
    ee.on("foo", must.not_call())
    ee.on("bar", must.not_call())
    first: list[str] = []
    second: list[str] = []
    ee.on("removeListener", must.call(lambda name: first.append(name), 3))
    ee.on("removeListener", must.call(lambda name: second.append(name), 2))
    ee.removeAllListeners()
    assert first == ["foo", "bar", "removeListener"]
    assert second == ["foo", "bar"]
    assert ee.listeners("foo") == [] and ee.listeners("bar") == []

    ee = EventEmitter()
    ee.on("removeListener", must.not_call())
    ee.removeAllListeners("foo")  # no listeners for it: must not throw

    ee = EventEmitter()
    expect_length = [2]

    def on_remove(name, _fn):
        assert expect_length[0] == len(ee.listeners("baz"))
        expect_length[0] -= 1

    ee.on("removeListener", on_remove)
    for _ in range(3):
        ee.on("baz", must.not_call())
    ee.removeAllListeners("baz")
    assert ee.listeners("baz") == []

    ee = EventEmitter()
    assert ee.removeAllListeners() is ee

    ee = EventEmitter()
    symbol = object()
    sym_noop = must.not_call()
    ee.on(symbol, sym_noop)
    got: list[tuple[object, object]] = []
    ee.on("removeListener", must.call(lambda *args: got.append(args)))
    ee.removeAllListeners()
    assert got == [(symbol, sym_noop)]


def test_remove_listeners(must):
    """test/parallel/test-event-emitter-remove-listeners.js"""

    def listener1():
        pass

    def listener2():
        pass

    ee = EventEmitter()
    ee.on("hello", listener1)

    def check1(name, cb):
        assert (name, cb) == ("hello", listener1)

    ee.on("removeListener", must.call(check1))
    ee.removeListener("hello", listener1)
    assert ee.listeners("hello") == []

    ee = EventEmitter()
    ee.on("hello", listener1)
    ee.on("removeListener", must.not_call())
    ee.removeListener("hello", listener2)
    assert ee.listeners("hello") == [listener1]

    ee = EventEmitter()
    ee.on("hello", listener1)
    ee.on("hello", listener2)

    def check_first(name, cb):
        assert (name, cb) == ("hello", listener1)
        assert ee.listeners("hello") == [listener2]

    ee.once("removeListener", must.call(check_first))
    ee.removeListener("hello", listener1)
    assert ee.listeners("hello") == [listener2]

    def check_second(name, cb):
        assert (name, cb) == ("hello", listener2)
        assert ee.listeners("hello") == []

    ee.once("removeListener", must.call(check_second))
    ee.removeListener("hello", listener2)

    ee = EventEmitter()

    def remove1():
        raise AssertionError("remove1 should not have been called")

    def remove2():
        raise AssertionError("remove2 should not have been called")

    def on_remove(name, cb):
        if cb is not remove1:
            return
        ee.removeListener("quux", remove2)
        ee.emit("quux")

    ee.on("removeListener", must.call(on_remove, 2))
    ee.on("quux", remove1)
    ee.on("quux", remove2)
    ee.removeListener("quux", remove1)

    ee = EventEmitter()

    def listener4_body():
        pass

    listener4 = must.call(listener4_body)
    listener3 = must.call(lambda: ee.removeListener("hello", listener4), 2)
    ee.on("hello", listener3)
    ee.on("hello", listener4)
    ee.emit("hello")  # listener4 still called: the array at emit time had it
    ee.emit("hello")

    ee = EventEmitter()
    ee.once("hello", listener1)

    def check_once(event_name, listener):
        assert (event_name, listener) == ("hello", listener1)

    ee.on("removeListener", must.call(check_once))
    ee.emit("hello")

    ee = EventEmitter()
    assert ee.removeListener("foo", lambda: None) is ee

    ee = EventEmitter()
    ee.on("foo", listener1)
    ee.on("foo", listener2)
    ee.removeListener("foo", listener1)
    ee.on("foo", listener1)
    assert ee.listeners("foo") == [listener2, listener1]


def test_special_event_names(must):
    """test/parallel/test-event-emitter-special-event-names.js"""
    ee = EventEmitter()

    def handler():
        pass

    assert ee.eventNames() == []
    for name in ("__proto__", "__defineGetter__", "toString"):
        ee.on(name, handler)
    assert ee.eventNames() == ["__proto__", "__defineGetter__", "toString"]
    assert ee.listeners("__proto__") == [handler]

    def check(val):
        assert val == 1

    ee.on("__proto__", must.call(check))
    ee.emit("__proto__", 1)
    cb = must.call(check)
    process.on("__proto__", cb)
    try:
        process.emit("__proto__", 1)
    finally:
        process.off("__proto__", cb)


def test_set_max_listeners_side_effects():
    """test/parallel/test-event-emitter-set-max-listeners-side-effects.js"""
    e = EventEmitter()
    e.setMaxListeners(5)
    assert e.eventNames() == []


def test_subclass(must):
    """test/parallel/test-event-emitter-subclass.js"""

    class MyEE(EventEmitter):
        def __init__(self, cb):
            super().__init__()
            self.once(1, cb)
            self.emit(1)
            self.removeAllListeners()

    my_ee = MyEE(must.call())
    assert my_ee.eventNames() == []

    class ErrorEE(EventEmitter):
        def __init__(self):
            super().__init__()
            self.emit("error", RuntimeError("blerg"))

    with pytest.raises(RuntimeError, match="blerg"):
        ErrorEE()

    class MyEE2(EventEmitter):
        pass

    ee1, ee2 = MyEE2(), MyEE2()
    ee1.on("x", lambda: None)
    assert ee2.listenerCount("x") == 0


def test_symbols(must):
    """test/parallel/test-event-emitter-symbols.js"""
    ee = EventEmitter()
    foo = object()
    listener = must.call()
    ee.on(foo, listener)
    assert ee.listeners(foo) == [listener]
    ee.emit(foo)
    ee.removeAllListeners()
    assert ee.listeners(foo) == []
    ee.on(foo, listener)
    assert ee.listeners(foo) == [listener]
    ee.removeListener(foo, listener)
    assert ee.listeners(foo) == []


def test_method_names():
    """test/parallel/test-event-emitter-method-names.js"""
    assert EventEmitter.on is EventEmitter.addListener
    assert EventEmitter.off is EventEmitter.removeListener
    e = EventEmitter()
    for name in ("on", "addListener", "once", "off", "removeListener", "emit", "listeners",
                 "rawListeners", "listenerCount", "eventNames", "prependListener",
                 "prependOnceListener", "removeAllListeners", "setMaxListeners",
                 "getMaxListeners"):
        assert callable(getattr(e, name)), name
