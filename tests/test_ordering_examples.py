"""Every deterministic example of ORDERING.md §2-§8, in Python, with the output node printed.

Each test is the JavaScript example translated line by line (JS in the
docstring-free comment above the Python). ``spin(ms)`` advances the fake
clock; ``clock(log, n)`` is ORDERING.md's ``clock(n)``. Examples whose order
varies in Node (§5) assert "one of the orders node printed".
"""

from __future__ import annotations

import json
import warnings

import pytest
from helpers.loopkit import Log, cleanup_process, clock, js, on, run_fake, spin

import jsloop
from jsloop import (
    AggregateError,
    Promise,
    asyncfn,
    clearImmediate,
    clearInterval,
    clearTimeout,
    nextTick,
    queueMicrotask,
    setImmediate,
    setInterval,
    setTimeout,
)


@pytest.fixture(autouse=True)
def _clean_process():
    cleanup_process()
    yield
    cleanup_process()


def run_log(main, *, raises=None):
    """Run ``main(log)`` on the fake clock; return the log joined by spaces."""
    log = Log()
    if raises is None:
        run_fake(main, log)
    else:
        with pytest.raises(raises):
            run_fake(main, log)
    return log.s


class Thenable:
    """``{ then(r) { log('then called'); r(value); } }``"""

    def __init__(self, log, value, label="then called"):
        self.log, self.value, self.label = log, value, label

    def then(self, resolve, reject=None):
        self.log(self.label)
        resolve(self.value)


# ---------------------------------------------------------------- §2 queues


def test_s2_sync_tick_promise_microtask_timeout():
    def main(log):
        log("sync1")
        setTimeout(lambda: log("timeout"), 0)
        Promise.resolve().then(lambda _: log("promise"))
        queueMicrotask(lambda: log("microtask"))
        nextTick(lambda: log("tick"))
        log("sync2")

    assert run_log(main) == "sync1 sync2 tick promise microtask timeout"


def test_s2_nested_ticks_run_before_promise_jobs():
    def main(log):
        Promise.resolve().then(lambda _: log("p1"))

        def t1():
            log("t1")
            nextTick(lambda: log("t2"))
            Promise.resolve().then(lambda _: log("p2"))

        nextTick(t1)
        nextTick(lambda: log("t3"))

    assert run_log(main) == "t1 t3 t2 p1 p2"


def test_s2_tick_queued_by_microtask_waits_for_all_microtasks():
    def main(log):
        def p1(_):
            log("p1")
            nextTick(lambda: log("tick-from-p1"))
            Promise.resolve().then(lambda _: log("p3"))

        Promise.resolve().then(p1)
        Promise.resolve().then(lambda _: log("p2"))

    assert run_log(main) == "p1 p2 p3 tick-from-p1"


def test_s2_microtask_queued_by_tick_waits_for_all_ticks():
    def main(log):
        def t1():
            log("t1")
            queueMicrotask(lambda: log("m1"))

        nextTick(t1)
        nextTick(lambda: log("t2"))

    assert run_log(main) == "t1 t2 m1"


def test_s2_drain_between_two_timers_of_one_pass():
    def main(log):
        def t1():
            log("T1")
            nextTick(lambda: log("tick1"))
            Promise.resolve().then(lambda _: log("p1"))

        setTimeout(t1, 5)
        setTimeout(lambda: log("T2"), 5)

    assert run_log(main) == "T1 tick1 p1 T2"


def test_s2_microtask_tick_between_two_timers():
    def main(log):
        def p1(_):
            log("p1")
            nextTick(lambda: log("tick-from-p1"))

        def t1():
            log("T1")
            Promise.resolve().then(p1)

        setTimeout(t1, 5)
        setTimeout(lambda: log("T2"), 5)

    assert run_log(main) == "T1 p1 tick-from-p1 T2"


def test_s2_drain_between_two_immediates():
    def main(log):
        def i1():
            log("I1")
            nextTick(lambda: log("tick1"))
            Promise.resolve().then(lambda _: log("p1"))

        setImmediate(i1)
        setImmediate(lambda: log("I2"))

    assert run_log(main) == "I1 tick1 p1 I2"


def test_s2_drain_after_last_timer_before_check_phase():
    def main(log):
        def t():
            setImmediate(lambda: log("immediate"))
            nextTick(lambda: log("tick"))
            Promise.resolve().then(lambda _: log("promise"))
            log("timer")

        setTimeout(t, 5)

    assert run_log(main) == "timer tick promise immediate"


# ---------------------------------------------------------------- §3 timers


def test_s3_1_delay_coercion():
    def main(log):
        setTimeout(lambda: log("d5"), 5)
        setTimeout(lambda: log("big"), 2**31)
        setTimeout(lambda: log("nan"), float("nan"))
        setTimeout(lambda: log("one"), 1)
        setTimeout(lambda: log("neg"), -10)
        setTimeout(lambda: log("zero"), 0)
        setTimeout(lambda: log("1.9"), 1.9)
        setTimeout(lambda: log("str"), "2")

    with warnings.catch_warnings():
        # Node prints a TimeoutOverflowWarning for 2**31; how jsloop reports it is its own choice.
        warnings.simplefilter("ignore")
        out = run_log(main)
    assert out == "big nan one neg zero 1.9 str d5"


def test_s3_1_default_delay_is_a_1ms_timer():
    # setTimeout(f) and setTimeout(f, 0) are both 1 ms timers: same list, creation order.
    def main(log):
        setTimeout(lambda: log("one"), 1)
        setTimeout(lambda: log("default"))
        setTimeout(lambda: log("zero"), 0)

    assert run_log(main) == "one default zero"


def test_s3_2_lists_by_duration():
    def main(log):
        setTimeout(lambda: log("A10"), 10)
        setTimeout(lambda: log("B5"), 5)
        setTimeout(lambda: log("C10"), 10)
        setTimeout(lambda: log("D5"), 5)

    assert run_log(main) == "B5 D5 A10 C10"


def test_s3_2_timer_created_in_timers_phase_waits_for_next_walk():
    def main(log):
        def a():
            log("A")
            setTimeout(lambda: log("C0"), 0)
            setImmediate(lambda: log("I"))
            spin(5)  # C0 is long overdue when A returns...

        setTimeout(a, 5)
        setTimeout(lambda: log("B"), 5)
        spin(10)  # A and B are both due in the first timers phase

    assert run_log(main) == "A B I C0"


def test_s3_2_quirk_zero_timer_in_trailing_drain_with_clock_refresh():
    def main(log):
        def micro(_):
            setTimeout(lambda: log("C0"), 0)  # created after the walk re-armed the timer
            setImmediate(lambda: log("I"))
            spin(3)
            clearTimeout(setTimeout(lambda: None, 100))  # a timer call refreshes the loop clock

        def a():
            log("A")
            Promise.resolve().then(micro)

        setTimeout(a, 5)

    assert run_log(main) == "A C0 I"


def test_s3_2_quirk_without_clock_refresh_usual_order():
    def main(log):
        def micro(_):
            setTimeout(lambda: log("C0"), 0)
            setImmediate(lambda: log("I"))
            spin(3)

        def a():
            log("A")
            Promise.resolve().then(micro)

        setTimeout(a, 5)

    assert run_log(main) == "A I C0"


def test_s3_2_quirk_list_only_looks_at_its_head():
    def main(log):
        n = [0]
        iv = None

        def tick():
            n[0] += 1
            log(f"I{n[0]}")
            if n[0] == 1:
                spin(20)
                setTimeout(lambda: log("X"), 50)  # X: start +20 ms
            if n[0] == 2:
                clearInterval(iv)

        iv = setInterval(tick, 50)
        setTimeout(lambda: log("Y"), 110)

    assert run_log(main) == "I1 Y X I2"


def test_s3_3_interval_scheduled_from_before_the_callback():
    def main(log):
        n = [0]
        iv = None

        def tick():
            n[0] += 1
            log(f"I{n[0]}")
            spin(30)  # the callback takes 30 ms of its 40 ms period
            if n[0] == 3:
                clearInterval(iv)

        iv = setInterval(tick, 40)
        setTimeout(lambda: log("T105"), 105)

    assert run_log(main) == "I1 I2 T105 I3"


def test_s3_3_sleep_is_a_plain_timer():
    def main(log):
        jsloop.sleep(5, "v").then(lambda v: log(f"sleep resolved {v}"))
        setTimeout(lambda: log("T"), 5)
        n = [0]
        iv = None

        def tick():
            n[0] += 1
            log(f"iv{n[0]}")
            if n[0] == 2:
                clearTimeout(iv)

        iv = setInterval(tick, 8)

    assert run_log(main) == "sleep resolved v T iv1 iv2"


def test_s3_4_clear_takes_effect_immediately_also_within_a_batch():
    def main(log):
        h = {}

        def a():
            log("A")
            clearTimeout(h["b"])

        def c():
            log("C")
            Promise.resolve().then(lambda _: clearTimeout(h["d"]))

        h["a"] = setTimeout(a, 5)
        h["b"] = setTimeout(lambda: log("B"), 5)
        h["c"] = setTimeout(c, 10)
        h["d"] = setTimeout(lambda: log("D"), 10)

    assert run_log(main) == "A C"


def test_s3_4_clear_none_is_a_noop():
    def main(log):
        clearTimeout(None)
        clearInterval(None)
        clearImmediate(None)
        setTimeout(lambda: log("ran"), 1)

    assert run_log(main) == "ran"


def test_s3_5_refresh():
    def main(log):
        a = setTimeout(lambda: log("A"), 20)
        setTimeout(lambda: log("B"), 20)

        def r():
            log("R")
            a.refresh()

        setTimeout(r, 10)
        fired = [False]
        once = None

        def once_cb():
            log("once")
            if not fired[0]:
                fired[0] = True
                once.refresh()

        once = setTimeout(once_cb, 50)

    assert run_log(main) == "R B A once once"


def test_s3_5_unref():
    def main(log):
        t = setTimeout(lambda: log("unref timer"), 20)
        t.unref()
        log("hasRef " + js(t.hasRef()))
        setTimeout(lambda: log("ref timer"), 5)

    assert run_log(main) == "hasRef false ref timer"


# ---------------------------------------------------------------- §4 immediates


def test_s4_immediates_queued_during_check_wait_for_next_iteration():
    def main(log):
        def i1():
            log("I1")
            setImmediate(lambda: log("I3"))  # queued during the check phase
            setTimeout(lambda: log("T"), 0)
            spin(5)  # T is due before the next check phase

        def t():
            setImmediate(i1)
            setImmediate(lambda: log("I2"))

        setTimeout(t, 5)

    assert run_log(main) == "I1 I2 T I3"


def test_s4_clear_immediate_in_the_running_batch():
    def main(log):
        h = {}

        def i1():
            log("I1")
            clearImmediate(h["i2"])

        setImmediate(i1)
        h["i2"] = setImmediate(lambda: log("I2"))
        setImmediate(lambda: log("I3"))

    assert run_log(main) == "I1 I3"


# ---------------------------------------------------------------- §5 timeout 0 vs immediate


def test_s5_main_script_order_varies():
    def main(log):
        setTimeout(lambda: log("timeout"), 0)
        setImmediate(lambda: log("immediate"))

    assert run_log(main) in ("immediate timeout", "timeout immediate")


def test_s5_main_script_after_spin_timeout_first():
    def main(log):
        setTimeout(lambda: log("timeout"), 0)
        setImmediate(lambda: log("immediate"))
        spin(3)  # main keeps running for ~3 ms

    assert run_log(main) == "timeout immediate"


def test_s5_from_a_timer_callback_immediate_first():
    def main(log):
        def t():
            setTimeout(lambda: log("timeout"), 0)
            setImmediate(lambda: log("immediate"))

        setTimeout(t, 5)

    assert run_log(main) == "immediate timeout"


def test_s5_from_an_immediate_order_varies():
    def main(log):
        def i():
            setTimeout(lambda: log("timeout"), 0)
            setImmediate(lambda: log("immediate"))

        setImmediate(i)

    assert run_log(main) in ("immediate timeout", "timeout immediate")


# ---------------------------------------------------------------- §6.1 promise basics


def test_s6_1_executor_runs_synchronously_first_settlement_wins():
    def main(log):
        def executor(resolve, reject):
            log("executor runs synchronously")
            resolve("first")
            reject(Exception("ignored"))
            raise Exception("also ignored")

        p = Promise(executor)
        p.then(lambda v: log(f"fulfilled with {v}"))

        def bad(resolve, reject):
            raise Exception("thrown in executor")

        Promise(bad).catch(lambda e: log(f"rejected: {e}"))
        log("after constructors")

    assert run_log(main) == (
        "executor runs synchronously after constructors fulfilled with first "
        "rejected: thrown in executor"
    )


def test_s6_1_then_on_settled_promise_one_tick():
    def main(log):
        clock(log, 6)
        Promise.resolve("v").then(lambda v: log("X"))

    assert run_log(main) == "c1 X c2 c3 c4 c5 c6"


def test_s6_1_chains_interleave():
    def main(log):
        clock(log, 6)
        Promise.resolve().then(lambda _: log("A1")).then(lambda _: log("A2"))
        Promise.resolve().then(lambda _: log("B1"))

    assert run_log(main) == "c1 A1 B1 c2 A2 c3 c4 c5 c6"


def test_s6_1_queue_microtask_shares_the_queue():
    def main(log):
        clock(log, 6)
        Promise.resolve().then(lambda a: None)
        queueMicrotask(lambda: log("Q"))
        Promise.resolve().then(lambda _: log("P"))

    assert run_log(main) == "c1 Q P c2 c3 c4 c5 c6"


def test_s6_1_resolve_of_native_promise_is_identity():
    def main(log):
        clock(log, 6)
        p = Promise.resolve("v")
        log(js(Promise.resolve(p) is p))
        Promise.resolve(p).then(lambda _: log("X"))

    assert run_log(main) == "true c1 X c2 c3 c4 c5 c6"


# ---------------------------------------------------------------- §6.2 thenables


def test_s6_2_resolve_with_native_promise_costs_two_ticks():
    def main(log):
        clock(log, 6)
        Promise(lambda r, _j: r(Promise.resolve("v"))).then(lambda _: log("X"))

    assert run_log(main) == "c1 c2 c3 X c4 c5 c6"


def test_s6_2_resolve_with_sync_thenable_costs_one_tick():
    def main(log):
        clock(log, 6)
        Promise(lambda r, _j: r(Thenable(log, "v"))).then(lambda _: log("X"))

    assert run_log(main) == "c1 then called c2 X c3 c4 c5 c6"


def test_s6_2_handler_returning_native_promise():
    def main(log):
        clock(log, 6)
        Promise.resolve().then(lambda _: Promise.resolve("v")).then(lambda _: log("X"))

    assert run_log(main) == "c1 c2 c3 c4 X c5 c6"


def test_s6_2_handler_returning_plain_value_for_comparison():
    def main(log):
        clock(log, 6)
        Promise.resolve().then(lambda _: "v").then(lambda _: log("X"))

    assert run_log(main) == "c1 c2 X c3 c4 c5 c6"


def test_s6_2_handler_returning_thenable():
    def main(log):
        clock(log, 6)
        Promise.resolve().then(lambda _: Thenable(log, "v")).then(lambda _: log("X"))

    assert run_log(main) == "c1 c2 then called c3 X c4 c5 c6"


# ---------------------------------------------------------------- §6.3 finally


def test_s6_3_finally_fulfilled():
    def main(log):
        clock(log, 6)
        Promise.resolve("v").finally_(lambda: log("F")).then(lambda _: log("X"))

    assert run_log(main) == "c1 F c2 c3 c4 X c5 c6"


def test_s6_3_finally_rejected():
    def main(log):
        clock(log, 6)
        Promise.reject(Exception("e")).finally_(lambda: log("F")).catch(lambda _: log("X"))

    assert run_log(main) == "c1 F c2 c3 c4 X c5 c6"


# ---------------------------------------------------------------- §6.4 async functions


def test_s6_4_body_sync_until_first_await():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def f():
            log("start")
            await Promise.resolve("v")
            log("X")

        f()
        log("sync after call")

    assert run_log(main) == "start sync after call c1 X c2 c3 c4 c5 c6"


def test_s6_4_await_plain_value():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def f():
            await Promise.resolve(42)
            log("X")

        f()

    assert run_log(main) == "c1 X c2 c3 c4 c5 c6"


def test_s6_4_await_thenable():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def f():
            await Promise.resolve(Thenable(log, "v"))
            log("X")

        f()

    assert run_log(main) == "c1 then called c2 X c3 c4 c5 c6"


def test_s6_4_return_value():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def f():
            return "v"

        f().then(lambda _: log("X"))

    assert run_log(main) == "c1 X c2 c3 c4 c5 c6"


def test_s6_4_return_native_promise():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def f():
            return Promise.resolve("v")

        f().then(lambda _: log("X"))

    assert run_log(main) == "c1 c2 c3 X c4 c5 c6"


def test_s6_4_return_thenable():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def f():
            return Thenable(log, "v")

        f().then(lambda _: log("X"))

    assert run_log(main) == "c1 then called c2 X c3 c4 c5 c6"


def test_s6_4_return_await():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def f():
            return await Promise.resolve("v")

        f().then(lambda _: log("X"))

    assert run_log(main) == "c1 c2 X c3 c4 c5 c6"


def test_s6_4_try_catch_around_rejected_await():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def f():
            try:
                await Promise.reject(Exception("e"))
            except Exception:
                log("X")

        f()

    assert run_log(main) == "c1 X c2 c3 c4 c5 c6"


def test_s6_4_throw_rejects():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def f():
            raise Exception("e")

        f().catch(lambda _: log("X"))

    assert run_log(main) == "c1 X c2 c3 c4 c5 c6"


def test_s6_4_await_inner_async_function():
    def main(log):
        clock(log, 6)

        @asyncfn
        async def inner():
            await Promise.resolve(None)
            log("inner done")
            return "v"

        @asyncfn
        async def outer():
            await inner()
            log("X")

        outer()

    assert run_log(main) == "c1 inner done c2 X c3 c4 c5 c6"


def test_s6_4_await_pending_promise_after_earlier_reactions():
    def main(log):
        clock(log, 6)
        p = Promise(lambda r, _j: setTimeout(r, 5))

        @asyncfn
        async def f():
            await p
            log("X")

        f()
        p.then(lambda _: log("Y"))

    assert run_log(main) == "c1 c2 c3 c4 c5 c6 X Y"


# ---------------------------------------------------------------- §6.5 combinators


def test_s6_5_all_of_settled():
    def main(log):
        clock(log, 6)
        Promise.all([Promise.resolve(1), Promise.resolve(2)]).then(
            lambda v: log("X " + ",".join(map(str, v)))
        )

    assert run_log(main) == "c1 c2 X 1,2 c3 c4 c5 c6"


def test_s6_5_all_empty():
    def main(log):
        clock(log, 6)
        Promise.all([]).then(lambda _: log("X"))

    assert run_log(main) == "c1 X c2 c3 c4 c5 c6"


def test_s6_5_all_plain_values():
    def main(log):
        clock(log, 6)
        Promise.all([1, 2]).then(lambda _: log("X"))

    assert run_log(main) == "c1 c2 X c3 c4 c5 c6"


def test_s6_5_all_thenable():
    def main(log):
        clock(log, 6)
        Promise.all([Thenable(log, 1)]).then(lambda _: log("X"))

    assert run_log(main) == "c1 then called c2 c3 X c4 c5 c6"


def test_s6_5_all_with_promise_resolved_by_promise():
    def main(log):
        clock(log, 6)
        Promise.all([Promise.resolve(1), Promise(lambda r, _j: r(Promise.resolve(2)))]).then(
            lambda _: log("X")
        )

    assert run_log(main) == "c1 c2 c3 c4 X c5 c6"


def test_s6_5_all_rejects():
    def main(log):
        clock(log, 6)
        Promise.all([Promise.resolve(1), Promise.reject(Exception("no"))]).catch(
            lambda e: log(f"X {e}")
        )

    assert run_log(main) == "c1 c2 X no c3 c4 c5 c6"


def test_s6_5_race_settled():
    def main(log):
        clock(log, 6)
        Promise.race([Promise.resolve(1), Promise.resolve(2)]).then(lambda v: log(f"X {v}"))

    assert run_log(main) == "c1 c2 X 1 c3 c4 c5 c6"


def test_s6_5_race_late_and_now():
    def main(log):
        clock(log, 6)
        late = Promise(lambda r, _j: setTimeout(r, 5, "late"))
        Promise.race([late, Promise.resolve("now")]).then(lambda v: log(f"X {v}"))

    assert run_log(main) == "c1 c2 X now c3 c4 c5 c6"


def test_s6_5_race_empty_stays_pending():
    def main(log):
        clock(log, 6)
        Promise.race([]).then(lambda _: log("never"))
        log("race([]) stays pending")

    assert run_log(main) == "race([]) stays pending c1 c2 c3 c4 c5 c6"


def test_s6_5_all_settled():
    def main(log):
        clock(log, 6)
        Promise.allSettled([Promise.resolve(1), Promise.reject(2)]).then(
            lambda v: log("X " + json.dumps(v, separators=(",", ":")))
        )

    assert run_log(main) == (
        'c1 c2 X [{"status":"fulfilled","value":1},{"status":"rejected","reason":2}] c3 c4 c5 c6'
    )


def test_s6_5_any_first_fulfilment():
    def main(log):
        clock(log, 6)
        Promise.any([Promise.reject(1), Promise.resolve(2)]).then(lambda v: log(f"X {v}"))

    assert run_log(main) == "c1 c2 X 2 c3 c4 c5 c6"


def test_s6_5_any_all_rejected():
    def main(log):
        clock(log, 6)
        Promise.any([Promise.reject(1), Promise.reject(2)]).catch(
            lambda e: log(f"X {type(e).__name__} " + ",".join(map(str, e.errors)))
        )

    assert run_log(main) == "c1 c2 X AggregateError 1,2 c3 c4 c5 c6"


def test_s6_5_any_empty():
    def main(log):
        clock(log, 6)

        def caught(e):
            assert isinstance(e, AggregateError)
            log(f"X {type(e).__name__} [" + ",".join(map(str, e.errors)) + "]")

        Promise.any([]).catch(caught)

    assert run_log(main) == "c1 X AggregateError [] c2 c3 c4 c5 c6"


# ---------------------------------------------------------------- §7 unhandled rejections


def test_s7_unhandled_rejection_ends_the_run_exit_1():
    boom = Exception("boom")

    def main(log):
        on("exit", lambda c: log(f"exit {c}"))
        p = Promise.reject(boom)
        nextTick(lambda: log("tick"))
        Promise.resolve().then(lambda _: log("microtask"))

        def imm():
            log("immediate")
            p.catch(lambda _: log("caught late"))

        setImmediate(imm)

    log = Log()
    with pytest.raises(Exception) as info:
        run_fake(main, log)
    assert info.value is boom
    assert log.s == "tick microtask exit 1"


def test_s7_handler_from_microtask_queued_by_tick_is_in_time():
    def main(log):
        on("exit", lambda c: log(f"exit {c}"))
        p = Promise.reject(Exception("boom"))
        nextTick(
            lambda: Promise.resolve().then(
                lambda _: p.catch(lambda _: log("caught in microtask queued by a tick"))
            )
        )
        setImmediate(lambda: log("immediate"))

    assert run_log(main) == "caught in microtask queued by a tick immediate exit 0"


def test_s7_unhandled_then_handled_events():
    def main(log):
        on("unhandledRejection", lambda r, *_: log(f"unhandledRejection {r}"))
        on("rejectionHandled", lambda *_: log("rejectionHandled"))
        p = Promise.reject("r1")
        nextTick(lambda: log("tick"))
        Promise.resolve().then(lambda _: log("microtask"))

        def t():
            p.catch(lambda _: log("catch handler"))
            log("handler attached")
            nextTick(lambda: log("tick after attach"))

        setTimeout(t, 5)
        setTimeout(lambda: log("later timer"), 5)

    assert run_log(main) == (
        "tick microtask unhandledRejection r1 handler attached tick after attach "
        "catch handler rejectionHandled later timer"
    )


def test_s7_rejections_reported_in_order_listener_keeps_running():
    def main(log):
        on("exit", lambda c: log(f"exit {c}"))
        on("unhandledRejection", lambda r, p: log(f"unhandledRejection {r}"))
        Promise.reject("r1")

        def p(_):
            Promise.reject("r2")
            log("p")

        Promise.resolve().then(p)
        nextTick(lambda: log("tick"))
        setTimeout(lambda: log("timer still runs"), 1)

    assert run_log(main) == (
        "tick p unhandledRejection r1 unhandledRejection r2 timer still runs exit 0"
    )


def test_s7_unhandled_listener_receives_reason_and_promise():
    seen = []

    def main(log):
        on("unhandledRejection", lambda r, p: seen.append((r, p)))
        seen.append(Promise.reject("r1"))

    run_fake(main, Log())
    p = seen[0]
    assert seen[1:] == [("r1", p)]


def test_s7_unhandled_plain_value_exit_1():
    def main(log):
        on("exit", lambda c: log(f"exit {c}"))
        Promise.reject("plain string")

    log = Log()
    with pytest.raises(Exception) as info:
        run_fake(main, log)
    assert log.s == "exit 1"
    # Node: UnhandledPromiseRejection ... reason "plain string".
    assert type(info.value).__name__ == "UnhandledPromiseRejection"
    assert "plain string" in str(info.value)
    assert info.value.reason == "plain string"


# ---------------------------------------------------------------- §8 uncaught exceptions


def test_s8_uncaught_in_timer_ends_run_nothing_else_runs():
    boom = Exception("boom")

    def main(log):
        on("exit", lambda c: log(f"exit {c}"))

        def t1():
            log("T1")
            nextTick(lambda: log("tick"))
            Promise.resolve().then(lambda _: log("microtask"))
            raise boom

        setTimeout(t1, 5)
        setTimeout(lambda: log("T2"), 5)
        setImmediate(lambda: log("immediate"))

    log = Log()
    with pytest.raises(Exception) as info:
        run_fake(main, log)
    assert info.value is boom
    assert log.s == "immediate T1 exit 1"


def test_s8_listener_rest_of_walk_before_callbacks_ticks():
    def main(log):
        on("uncaughtException", lambda e, *_: log(f"uncaughtException {e}"))

        def t1():
            log("T1")
            nextTick(lambda: log("tick"))
            Promise.resolve().then(lambda _: log("microtask"))
            raise Exception("boom")

        setTimeout(t1, 5)
        setTimeout(lambda: log("T2"), 5)
        spin(10)  # both timers due in the first timers phase

    assert run_log(main) == "T1 uncaughtException boom T2 tick microtask"


def test_s8_throw_in_tick_leaves_remaining_ticks_queued():
    def main(log):
        on("uncaughtException", lambda e, *_: log(f"uncaughtException {e}"))

        def t1():
            log("t1")
            raise Exception("from tick")

        nextTick(t1)
        nextTick(lambda: log("t2"))
        Promise.resolve().then(lambda _: log("p1"))
        setImmediate(lambda: log("immediate"))

    assert run_log(main) == "t1 uncaughtException from tick t2 p1 immediate"


def test_s8_throw_in_microtask_other_microtasks_go_on():
    def main(log):
        on("uncaughtException", lambda e, *_: log(f"uncaughtException {e}"))

        def m1():
            log("m1")
            raise Exception("from microtask")

        queueMicrotask(m1)
        queueMicrotask(lambda: log("m2"))
        nextTick(lambda: log("t1"))
        setImmediate(lambda: log("immediate"))

    assert run_log(main) == "t1 m1 uncaughtException from microtask m2 immediate"


def test_s8_throw_in_promise_handler_is_a_rejection_not_uncaught():
    def main(log):
        on("uncaughtException", lambda e, *_: log("uncaught!"))

        def h(_):
            raise Exception("in handler")

        Promise.resolve().then(h).catch(lambda e: log(f"rejected: {e}"))

    assert run_log(main) == "rejected: in handler"
