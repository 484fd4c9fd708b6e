"""Timers and immediates: the public calls, their bad inputs, refs, refresh, sleep."""

from __future__ import annotations

import math
import time

import pytest

import jsloop
from jsloop import (
    FakeClock,
    clearImmediate,
    clearInterval,
    clearTimeout,
    setImmediate,
    setInterval,
    setTimeout,
    sleep,
)
from jsloop.timers import TIMEOUT_MAX, coerce_delay


def run_fake(main, *args):
    return jsloop.run(main, *args, clock=FakeClock())


@pytest.mark.parametrize("bad", [None, 42, "cb", object()])
@pytest.mark.parametrize("fn", [setTimeout, setInterval, setImmediate])
def test_non_callable_callback_is_a_type_error_at_the_call(fn, bad):
    def main():
        with pytest.raises(TypeError) as info:
            fn(bad)
        assert info.value.code == "ERR_INVALID_ARG_TYPE"
        assert 'The "callback" argument must be of type function' in str(info.value)
        return "checked"

    assert run_fake(main) == "checked"


def test_outside_a_loop_is_a_clear_error():
    with pytest.raises(RuntimeError, match="no jsloop loop is running"):
        setTimeout(lambda: None, 1)
    with pytest.raises(RuntimeError, match="no jsloop loop is running"):
        jsloop.Promise.resolve(1).then(print)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (0, 1),
        (-5, 1),
        (1, 1),
        (1.9, 1.9),
        (5, 5),
        (math.nan, 1),
        (None, 1),
        ("2", 2.0),
        ("", 1),
        ("abc", 1),
        (True, 1),
        (TIMEOUT_MAX, TIMEOUT_MAX),
    ],
)
def test_delay_coercion_follows_node(given, expected):
    assert coerce_delay(given) == expected


def test_overflowing_delay_warns_and_becomes_one():
    with pytest.warns(jsloop.TimeoutOverflowWarning, match="does not fit into a 32-bit"):
        assert coerce_delay(2**31) == 1


def test_extra_arguments_are_passed():
    got = []

    def main():
        setTimeout(lambda a, b: got.append(("t", a, b)), 1, 1, 2)
        setImmediate(lambda a: got.append(("i", a)), "x")

    run_fake(main)
    assert sorted(got) == [("i", "x"), ("t", 1, 2)]


def test_clear_none_is_ignored_and_clear_is_idempotent():
    fired = []

    def main():
        clearTimeout(None)
        clearInterval(None)
        clearImmediate(None)
        t = setTimeout(lambda: fired.append("t"), 5)
        clearTimeout(t)
        clearTimeout(t)
        i = setImmediate(lambda: fired.append("i"))
        clearImmediate(i)
        clearImmediate(i)

    run_fake(main)
    assert fired == []


def test_clear_interval_and_clear_timeout_are_interchangeable():
    ticks = []

    def main():
        def tick():
            ticks.append(len(ticks))
            if len(ticks) == 3:
                clearTimeout(iv)

        iv = setInterval(tick, 10)

    run_fake(main)
    assert ticks == [0, 1, 2]


def test_interval_runs_on_its_period_in_virtual_time():
    clock = FakeClock(start_ms=0)
    stamps = []

    def main():
        def tick():
            stamps.append(clock.now_ns() // 1_000_000)
            if len(stamps) == 4:
                clearInterval(iv)

        iv = setInterval(tick, 25)

    jsloop.run(main, clock=clock)
    assert stamps == [25, 50, 75, 100]


def test_unref_timer_does_not_keep_the_loop_alive_and_ref_restores():
    fired = []

    def main():
        t = setTimeout(lambda: fired.append("unref"), 50)
        assert t.unref() is t
        assert t.hasRef() is False
        t2 = setTimeout(lambda: fired.append("reref"), 60)
        t2.unref()
        t2.ref()
        assert t2.hasRef() is True

    run_fake(main)
    assert fired == ["unref", "reref"]


def test_unref_only_timer_exits_without_running():
    fired = []

    def main():
        setTimeout(lambda: fired.append("x"), 50).unref()
        setImmediate(lambda: fired.append("i")).unref()

    run_fake(main)
    assert fired == []


def test_refresh_rearms_a_fired_timer_and_cleared_stays_cleared():
    fired = []

    def main():
        t = setTimeout(lambda: fired.append("once"), 5)
        setTimeout(lambda: t.refresh(), 10)
        c = setTimeout(lambda: fired.append("cleared"), 5)
        clearTimeout(c)
        c.refresh()

    run_fake(main)
    assert fired == ["once", "once"]


def test_timeout_is_a_context_manager_that_clears():
    fired = []

    def main():
        with setTimeout(lambda: fired.append("x"), 5):
            pass

    run_fake(main)
    assert fired == []


def test_sleep_resolves_with_value_after_the_delay():
    clock = FakeClock(start_ms=0)

    @jsloop.asyncfn
    async def main():
        v = await sleep(30, "v")
        return v, clock.now_ns() // 1_000_000

    assert jsloop.run(main, clock=clock) == ("v", 30)


def test_real_clock_timer_fires_no_earlier_than_node_allows(monkeypatch):
    """Node floors a timer's start, so it may fire up to 1 ms early; the opt-in
    JSLOOP_TIMERS=never-early rounds it up: never early."""
    for mode, bound in (("", 0.019), ("never-early", 0.020)):
        monkeypatch.setenv("JSLOOP_TIMERS", mode)
        result = {}

        def main(result=result):
            start = time.monotonic()
            setTimeout(lambda: result.setdefault("elapsed", time.monotonic() - start), 20)

        jsloop.run(main)
        assert result["elapsed"] > bound if not mode else result["elapsed"] >= bound


def test_immediates_queued_during_check_wait_for_next_turn():
    order = []

    def main():
        def first():
            order.append("I1")
            setImmediate(lambda: order.append("I3"))

        setImmediate(first)
        setImmediate(lambda: order.append("I2"))

    run_fake(main)
    assert order == ["I1", "I2", "I3"]


def test_immediate_ref_unref():
    def main():
        i = setImmediate(lambda: None)
        assert i.hasRef() is True
        i.unref()
        assert i.hasRef() is False
        i.ref()
        assert i.hasRef() is True

    run_fake(main)


def test_repr_of_handles():
    def main():
        t = setTimeout(lambda: None, 5)
        assert "Timeout 5ms armed" in repr(t)
        clearTimeout(t)
        assert "cleared" in repr(t)
        iv = setInterval(lambda: None, 5)
        assert repr(iv).startswith("<Interval")
        clearInterval(iv)

    run_fake(main)
