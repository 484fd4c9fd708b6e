"""Fake timers (jsloop.testing): stepping virtual time gives the real loop's order.

The hypothesis test compares, on generated programs, the log of a real-clock
``jsloop.run`` with the log of the same program stepped through ``FakeTimers``
in random slices. The generator keeps every pair of timer deadlines at least
20 ms apart (delays depend on how many timer hops led there) so the real-clock
order does not depend on how fast the machine is.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jsloop
from jsloop.testing import FakeTimers

# ---------------------------------------------------------------- direct behaviour


def test_advance_runs_due_timers_at_their_virtual_time() -> None:
    seen: list[tuple[str, float]] = []
    with FakeTimers() as ft:
        jsloop.setTimeout(lambda: seen.append(("b", ft.now)), 200)
        jsloop.setTimeout(lambda: seen.append(("a", ft.now)), 100)
        ft.advance(99)
        assert seen == []
        ft.advance(1)
        assert seen == [("a", 100.0)]
        ft.advance(1000)
        assert seen == [("a", 100.0), ("b", 200.0)]
        assert ft.now == 1100.0


def test_hour_long_timers_take_no_wall_time() -> None:
    t0 = time.monotonic()
    fired: list[int] = []

    with FakeTimers() as ft:
        @jsloop.asyncfn
        async def worker() -> None:
            for i in range(5):
                await jsloop.sleep(3_600_000)
                fired.append(i)

        worker()
        ft.run_until_idle(max_ms=10 * 3_600_000)
        assert fired == [0, 1, 2, 3, 4]
        assert ft.now == 5 * 3_600_000
    assert time.monotonic() - t0 < 5


def test_run_due_runs_immediates_and_microtasks_without_moving_time() -> None:
    log: list[str] = []
    with FakeTimers() as ft:
        jsloop.setTimeout(lambda: log.append("timeout"), 1)
        jsloop.setImmediate(lambda: log.append("immediate"))
        jsloop.Promise.resolve().then(lambda _v: log.append("then"))
        jsloop.nextTick(lambda: log.append("tick"))
        ft.run_due()
        assert log == ["tick", "then", "immediate"]
        assert ft.now == 0
        ft.advance(1)
        assert log[-1] == "timeout"


def test_run_until_idle_detects_endless_interval() -> None:
    with FakeTimers() as ft:
        jsloop.setInterval(lambda: None, 10)
        with pytest.raises(TimeoutError):
            ft.run_until_idle(max_ms=1000)


def test_uncaught_error_is_raised_from_the_step() -> None:
    def boom() -> None:
        raise ValueError("in a timer")

    with FakeTimers() as ft:
        jsloop.setTimeout(boom, 5)
        ft.advance(4)
        with pytest.raises(ValueError, match="in a timer"):
            ft.advance(1)


def test_debounce_with_fixture(jsloop_fake: FakeTimers) -> None:
    calls: list[int] = []
    pending: list[Any] = [None]

    def debounced() -> None:
        jsloop.clearTimeout(pending[0])
        pending[0] = jsloop.setTimeout(lambda: calls.append(1), 200)

    debounced()
    jsloop_fake.advance(150)
    debounced()
    jsloop_fake.advance(199)
    assert calls == []
    jsloop_fake.advance(1)
    assert calls == [1]
    assert jsloop_fake.pending_timers() == 0


def test_nested_fake_loops_refused() -> None:
    with FakeTimers(), pytest.raises(RuntimeError), FakeTimers():
        pass


# ---------------------------------------------------------------- generated programs

# Timer delay by timer hops so far: every deadline is one of 10, 30, 60, 80, 100, 120 ms.
DELAYS = ((10, 30), (50, 90))

leaf = st.just({"k": "log"})


def _node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    block = st.lists(children, max_size=3)
    return st.one_of(
        st.builds(lambda b, d: {"k": "timeout", "d": d, "b": b}, block, st.integers(0, 1)),
        st.builds(lambda b: {"k": "immediate", "b": b}, block),
        st.builds(lambda b: {"k": "tick", "b": b}, block),
        st.builds(lambda b: {"k": "micro", "b": b}, block),
        st.builds(lambda b: {"k": "then", "b": b}, block),
    )


programs = st.lists(st.recursive(leaf, _node, max_leaves=10), min_size=1, max_size=5)


def number(prog: list[dict[str, Any]]) -> None:
    n = [0]

    def walk(block: list[dict[str, Any]]) -> None:
        for node in block:
            n[0] += 1
            node["id"] = n[0]
            walk(node.get("b", []))

    walk(prog)


def make_main(prog: list[dict[str, Any]], log: list[str]) -> Any:
    def run_block(block: list[dict[str, Any]], hops: int) -> None:
        for node in block:
            run_node(node, hops)

    def run_node(node: dict[str, Any], hops: int) -> None:
        k, i, body = node["k"], node["id"], node.get("b", [])
        if k == "log":
            log.append(f"l{i}")
        elif k == "timeout" and hops < 2:
            jsloop.setTimeout(lambda: (log.append(f"t{i}"), run_block(body, hops + 1)),
                              DELAYS[hops][node["d"]])
        elif k in ("immediate", "timeout"):  # a third timer hop becomes an immediate
            jsloop.setImmediate(lambda: (log.append(f"i{i}"), run_block(body, hops)))
        elif k == "tick":
            jsloop.nextTick(lambda: (log.append(f"n{i}"), run_block(body, hops)))
        elif k == "micro":
            jsloop.queueMicrotask(lambda: (log.append(f"m{i}"), run_block(body, hops)))
        else:
            jsloop.Promise.resolve(i).then(
                lambda _v: (log.append(f"p{i}"), run_block(body, hops)))

    return lambda: run_block(prog, 0)


@settings(max_examples=25, deadline=None)
@given(prog=programs, steps=st.lists(st.integers(0, 45), max_size=6))
def test_fake_timers_order_equals_real_clock(prog: list[dict[str, Any]], steps: list[int]) -> None:
    number(prog)
    # The reference is jsloop.run on a FakeClock: the real clock's order is Node's
    # only while every callback takes no time (timer starts are Node's floored loop
    # time, so a loaded machine may legitimately run a 10 ms timer before a chain
    # of immediates ends, as node would).
    reference: list[str] = []
    jsloop.run(make_main(prog, reference), clock=jsloop.FakeClock())

    fake: list[str] = []
    with FakeTimers() as ft:
        ft.call(make_main(prog, fake))
        for ms in steps:
            ft.advance(ms)
        ft.run_until_idle(max_ms=10_000)
    assert fake == reference
