"""Model-free ordering properties (hypothesis), on the fake clock and a few on the real one.

Random trees of scheduling actions are run under an instrumented interpreter
that records, for every callback, when it was queued and when it ran, in which
macrotask and from which queue. The properties check the guarantees of
ORDERING.md §2-§4 without predicting the full order:

* every tick and microtask queued by a macrotask runs before the next macrotask;
* FIFO within the nextTick queue, the microtask queue, the immediate queue, and
  among timers of equal delay;
* a tick queued outside the microtask phase runs before every promise job
  queued after it in the same drain;
* timers never fire early on the fake clock (virtual ms); on the real clock
  (time.monotonic) a timer waits more than ``ms - 1`` (Node's floored start:
  it may fire up to 1 ms early) and at least ``ms`` with JSLOOP_TIMERS=never-early;
* an interval never overlaps itself; a cleared handle never fires after the
  clear; every uncleared callback runs exactly once;
* run() returns only when nothing referenced remains; unref'd timers do not
  keep it alive.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time

import pytest
from helpers.loopkit import cleanup_process, run_fake, run_real, spin
from hypothesis import given, settings
from hypothesis import strategies as st

from jsloop import (
    Promise,
    clearImmediate,
    clearTimeout,
    nextTick,
    queueMicrotask,
    setImmediate,
    setInterval,
    setTimeout,
)

FAST = settings(max_examples=150, deadline=None)
REAL = settings(max_examples=8, deadline=None)


@pytest.fixture(autouse=True)
def _clean_process():
    cleanup_process()
    yield
    cleanup_process()


# --------------------------------------------------------------------------- program trees

MICRO_KINDS = ("tick", "micro", "then")


@st.composite
def actions(draw, depth=0):
    kinds = ["tick", "micro", "then"]
    if depth < 4:
        kinds += ["timeout", "immediate", "clear", "spin"]
        if depth < 2:
            kinds += ["interval"]
    k = draw(st.sampled_from(kinds))
    if k == "spin":
        return {"k": k, "ms": draw(st.integers(0, 15))}
    if k == "clear":
        return {"k": k, "t": draw(st.integers(0, 20))}
    node = {"k": k, "b": draw(st.lists(actions(depth + 1), max_size=3 if depth < 3 else 0))}
    if k == "timeout":
        node["d"] = draw(st.sampled_from((0, 1, 2, 5, 10, 17)))
    if k == "interval":
        node["d"] = draw(st.sampled_from((1, 3, 10)))
        node["n"] = draw(st.integers(1, 3))
    return node


programs = st.lists(actions(), min_size=1, max_size=6)


class Interp:
    """Runs an action tree; records queue/run events with a global sequence number."""

    def __init__(self, *, real=False):
        self.seq = itertools.count()
        self.real = real
        self.macro = 0  # id of the running macrotask (0 = main)
        self.macro_ids = itertools.count(1)
        self.in_micro = False
        self.nodes = {}  # id -> record
        self.ids = itertools.count()
        self.handles = []  # (record, handle, clear function)
        self.errors = []
        self.clock = None

    # -- clocks
    def now_ms(self):
        if self.real:
            return time.monotonic() * 1000.0
        if self.clock is None:
            from jsloop._runtime import get_loop

            self.clock = get_loop().clock
        return self.clock.now_ns() / 1e6

    # -- one callback of any kind
    def record(self, node, kind):
        rec = {
            "id": next(self.ids),
            "kind": kind,
            "queued_seq": next(self.seq),
            "queued_macro": self.macro,
            "queued_in_micro": self.in_micro,
            "queued_at": self.now_ms(),
            "delay": node.get("d"),
            "n": node.get("n"),
            "runs": [],
            "cleared_seq": None,
        }
        self.nodes[rec["id"]] = rec
        return rec

    def enter(self, rec, *, macro):
        if macro:
            self.macro = next(self.macro_ids)
        rec["runs"].append(
            {
                "seq": next(self.seq),
                "macro": self.macro,
                "at": self.now_ms(),
                "in_micro_before": self.in_micro,
            }
        )

    def body(self, nodes):
        for node in nodes:
            self.do(node)

    def do(self, node):
        k = node["k"]
        if k == "spin":
            if self.real:
                end = time.monotonic() + node["ms"] / 1000
                while time.monotonic() < end:
                    pass
            else:
                spin(node["ms"])
            return
        if k == "clear":
            if self.handles:
                rec, h, clear = self.handles[node["t"] % len(self.handles)]
                clear(h)
                if rec["cleared_seq"] is None:
                    rec["cleared_seq"] = next(self.seq)
            return
        rec = self.record(node, k)

        def micro_cb(*_):
            self.enter(rec, macro=False)
            saved = self.in_micro
            self.in_micro = k != "tick"
            try:
                self.body(node["b"])
            finally:
                self.in_micro = saved

        def macro_cb():
            self.enter(rec, macro=True)
            self.in_micro = False
            running = rec.setdefault("running", [False])
            if running[0]:
                self.errors.append(f"interval {rec['id']} re-entered")
            running[0] = True
            try:
                self.body(node["b"])
                if k == "interval" and len(rec["runs"]) >= node["n"]:
                    clearTimeout(rec["handle"])
            finally:
                running[0] = False

        if k == "tick":
            nextTick(micro_cb)
        elif k == "micro":
            queueMicrotask(micro_cb)
        elif k == "then":
            Promise.resolve().then(micro_cb)
        elif k == "timeout":
            h = setTimeout(macro_cb, node["d"])
            self.handles.append((rec, h, clearTimeout))
        elif k == "interval":
            h = rec["handle"] = setInterval(macro_cb, node["d"])
            self.handles.append((rec, h, clearTimeout))
        elif k == "immediate":
            h = setImmediate(macro_cb)
            self.handles.append((rec, h, clearImmediate))

    def run(self, prog):
        def main():
            self.start = self.now_ms()
            self.body(prog)

        if self.real:
            run_real(main)
        else:
            run_fake(main)
        self.end = self.now_ms() if not self.real else time.monotonic() * 1000.0
        return self

    # -- views
    def all_runs(self):
        out = []
        for rec in self.nodes.values():
            for i, r in enumerate(rec["runs"]):
                out.append((r["seq"], rec, r, i))
        return sorted(out, key=lambda x: x[0])


def run_prog(prog, *, real=False):
    return Interp(real=real).run(prog)


# --------------------------------------------------------------------------- properties


@FAST
@given(programs)
def test_ticks_and_microtasks_run_before_the_next_macrotask(prog):
    it = run_prog(prog)
    for rec in it.nodes.values():
        if rec["kind"] in MICRO_KINDS:
            for r in rec["runs"]:
                assert r["macro"] == rec["queued_macro"], rec


@FAST
@given(programs)
def test_fifo_within_each_queue(prog):
    it = run_prog(prog)
    by_kind = {}
    for rec in it.nodes.values():
        if rec["runs"]:
            by_kind.setdefault(rec["kind"], []).append(rec)
    # nextTick queue; microtask queue (queueMicrotask and then on a settled promise share it)
    for kinds in (("tick",), ("micro", "then"), ("immediate",)):
        recs = [r for k in kinds for r in by_kind.get(k, [])]
        ran = sorted(recs, key=lambda r: r["runs"][0]["seq"])
        assert [r["queued_seq"] for r in ran] == sorted(r["queued_seq"] for r in ran), kinds
    # equal-delay timers fire in the order they were scheduled
    timeouts = by_kind.get("timeout", [])
    for d in {r["delay"] for r in timeouts}:
        same = [r for r in timeouts if max(r["delay"], 1) == max(d, 1)]
        ran = sorted(same, key=lambda r: r["runs"][0]["seq"])
        assert [r["queued_seq"] for r in ran] == sorted(r["queued_seq"] for r in ran)


@FAST
@given(programs)
def test_tick_queued_outside_microtasks_beats_later_promise_jobs_of_the_drain(prog):
    it = run_prog(prog)
    ticks = [r for r in it.nodes.values() if r["kind"] == "tick" and not r["queued_in_micro"]]
    jobs = [r for r in it.nodes.values() if r["kind"] in ("then", "micro")]
    for t in ticks:
        for j in jobs:
            if j["queued_macro"] == t["queued_macro"] and j["queued_seq"] > t["queued_seq"]:
                assert t["runs"][0]["seq"] < j["runs"][0]["seq"], (t, j)


@FAST
@given(programs)
def test_timers_never_fire_early_fake_clock(prog):
    it = run_prog(prog)
    for rec in it.nodes.values():
        if rec["kind"] == "timeout" and rec["runs"]:
            d = rec["delay"] if rec["delay"] >= 1 else 1
            assert rec["runs"][0]["at"] - rec["queued_at"] >= d, rec
        if rec["kind"] == "interval" and rec["runs"]:
            assert rec["runs"][0]["at"] - rec["queued_at"] >= rec["delay"], rec
            # later runs are measured from the loop clock read before the previous run
            # (ORDERING.md §3.3), so only their order is checked here
            ats = [r["at"] for r in rec["runs"]]
            assert ats == sorted(ats)


@FAST
@given(programs)
def test_interval_never_overlaps_itself(prog):
    it = run_prog(prog)
    assert it.errors == []  # no interval callback started while one of its runs was active
    for rec in it.nodes.values():
        if rec["kind"] == "interval":
            seqs = [r["seq"] for r in rec["runs"]]
            assert seqs == sorted(seqs)


def test_interval_slower_than_its_period_does_not_overlap():
    starts, active = [], [False]

    def main():
        n = [0]

        def cb():
            assert not active[0]
            active[0] = True
            from jsloop._runtime import get_loop

            starts.append(get_loop().clock.now_ns() / 1e6)
            n[0] += 1
            spin(25)  # 2.5 periods
            if n[0] == 4:
                clearTimeout(iv)
            active[0] = False

        iv = setInterval(cb, 10)

    run_fake(main)
    assert len(starts) == 4
    assert all(b - a >= 25 for a, b in itertools.pairwise(starts))


@FAST
@given(programs)
def test_cleared_handles_never_fire_and_the_rest_run_exactly_once(prog):
    it = run_prog(prog)
    for rec in it.nodes.values():
        cleared = rec["cleared_seq"]
        if cleared is not None:
            assert all(r["seq"] < cleared for r in rec["runs"]), rec
        if rec["kind"] == "interval":
            n = len(rec["runs"])
            assert n >= 1 or cleared is not None, rec
            continue
        if cleared is None:
            assert len(rec["runs"]) == 1, rec
        else:
            assert len(rec["runs"]) <= 1, rec


@FAST
@given(programs)
def test_intervals_run_their_count_unless_cleared(prog):
    """Each interval (cleared by its own callback after n runs) runs exactly n times."""

    it = run_prog(prog)
    for rec in it.nodes.values():
        if rec["kind"] == "interval" and rec["cleared_seq"] is None:
            assert len(rec["runs"]) == rec["n"], rec


@FAST
@given(programs)
def test_run_returns_only_when_nothing_referenced_remains(prog):
    it = run_prog(prog)
    for rec in it.nodes.values():
        if rec["cleared_seq"] is None and rec["kind"] != "interval":
            assert rec["runs"], rec  # nothing left behind
    # and no pending timer was skipped: the last thing that ran is the loop's last callback
    from jsloop._runtime import current_loop_or_none

    assert current_loop_or_none() is None


@FAST
@given(st.lists(st.sampled_from((1, 5, 20, 50)), min_size=1, max_size=5), st.integers(60, 10_000))
def test_unref_timer_does_not_keep_run_alive(ref_delays, unref_delay):
    ran = []

    def main():
        t = setTimeout(lambda: ran.append("unref"), unref_delay)
        t.unref()
        assert t.hasRef() is False
        for d in ref_delays:
            setTimeout(lambda d=d: ran.append(d), d)

    clock_box = {}

    def wrapped():
        from jsloop._runtime import get_loop

        clock_box["clock"] = get_loop().clock
        clock_box["start"] = get_loop().clock.now_ns()
        main()

    run_fake(wrapped)
    assert sorted(ran) == sorted(ref_delays)
    elapsed_ms = (clock_box["clock"].now_ns() - clock_box["start"]) / 1e6
    assert elapsed_ms < unref_delay


def test_unref_timer_does_not_keep_run_alive_real_clock():
    ran = []

    def main():
        setTimeout(lambda: ran.append("unref"), 30_000).unref()
        setTimeout(lambda: ran.append("ref"), 5)

    t0 = time.monotonic()
    run_real(main)
    assert ran == ["ref"]
    assert time.monotonic() - t0 < 10


def test_ref_after_unref_keeps_run_alive():
    ran = []

    def main():
        t = setTimeout(lambda: ran.append("T"), 40)
        t.unref()
        t.ref()
        assert t.hasRef() is True

    run_fake(main)
    assert ran == ["T"]


# --------------------------------------------------------------------------- real clock


@contextlib.contextmanager
def _timers_mode(never_early: bool):
    """Node's clock (a timer's start is the floored loop time: it may fire up to
    1 ms early) or the opt-in JSLOOP_TIMERS=never-early; yields the slack."""
    saved = os.environ.pop("JSLOOP_TIMERS", None)
    if never_early:
        os.environ["JSLOOP_TIMERS"] = "never-early"
    try:
        yield 0.0 if never_early else 1.0
    finally:
        os.environ.pop("JSLOOP_TIMERS", None)
        if saved is not None:
            os.environ["JSLOOP_TIMERS"] = saved


def _early_ok(waited: float, d: float, slack: float) -> bool:
    return waited >= d if slack == 0 else waited > d - slack


@REAL
@given(programs, st.booleans())
def test_real_clock_timers_never_fire_early(prog, never_early):
    with _timers_mode(never_early) as slack:
        it = run_prog(prog, real=True)
    for rec in it.nodes.values():
        if rec["kind"] == "timeout" and rec["runs"]:
            d = rec["delay"] if rec["delay"] >= 1 else 1
            waited = rec["runs"][0]["at"] - rec["queued_at"]
            assert _early_ok(waited, d, slack), f"timer of {d} ms fired after {waited:.3f} ms"
        if rec["kind"] == "interval" and rec["runs"]:
            waited = rec["runs"][0]["at"] - rec["queued_at"]
            assert _early_ok(waited, rec["delay"], slack), rec


@REAL
@given(programs)
def test_real_clock_queue_properties_hold(prog):
    it = run_prog(prog, real=True)
    assert it.errors == []
    for rec in it.nodes.values():
        if rec["kind"] in MICRO_KINDS:
            for r in rec["runs"]:
                assert r["macro"] == rec["queued_macro"]
        if rec["cleared_seq"] is not None:
            assert all(r["seq"] < rec["cleared_seq"] for r in rec["runs"])
        elif rec["kind"] != "interval":
            assert len(rec["runs"]) == 1


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 25), min_size=1, max_size=8), st.booleans())
def test_real_clock_timer_waits_at_least_its_delay(delays, never_early):
    seen = []

    def main():
        for d in delays:
            t0 = time.monotonic()
            setTimeout(lambda d=d, t0=t0: seen.append((d, time.monotonic() - t0)), d)

    with _timers_mode(never_early) as slack:
        run_real(main)
    assert len(seen) == len(delays)
    for d, waited in seen:
        ms = waited * 1000
        assert _early_ok(ms, d, slack), f"{d} ms timer fired after {ms:.3f} ms"
