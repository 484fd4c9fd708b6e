"""Promises/A+ through a deferred adapter, plus the tick-count table of ORDERING.md §6.6.

The A+ cases follow the structure of the promises-aplus-tests suite (sections
2.1-2.3), run inside ``jsloop.run`` with a fake clock; "later" is a 5 ms timer,
as the suite's ``setTimeout(..., 50)``. Each case records what the handlers saw
and asserts it after the run has drained.
"""

from __future__ import annotations

import pytest
from helpers.loopkit import Log, cleanup_process, clock, run_fake

from jsloop import AggregateError, Promise, asyncfn, setTimeout


@pytest.fixture(autouse=True)
def _clean_process():
    cleanup_process()
    yield
    cleanup_process()


# --------------------------------------------------------------------------- adapter


class Deferred:
    """then/promise's ``test/adapter-a.js``: {promise, resolve, reject}."""

    def __init__(self):
        self.promise, self.resolve, self.reject = Promise.withResolvers()


def resolved(v):
    return Promise.resolve(v)


def rejected(r):
    p = Promise.reject(r)
    p.catch(lambda _: None)  # these tests attach handlers later; silence §7
    return p


def deferred():
    return Deferred()


DUMMY = {"dummy": "dummy"}
SENTINEL = {"sentinel": "sentinel"}
OTHER = {"other": "other"}


def later(fn, ms=5):
    setTimeout(fn, ms)


def run(main):
    seen = []
    run_fake(lambda: main(seen))
    return seen


# --------------------------------------------------------------------------- 2.1 states


def test_2_1_2_fulfilled_promise_cannot_become_rejected():
    def main(seen):
        d = deferred()
        d.promise.then(lambda v: seen.append(("f", v)), lambda r: seen.append(("r", r)))
        d.resolve(DUMMY)
        d.reject(DUMMY)
        later(lambda: seen.append("done"))

    assert run(main) == [("f", DUMMY), "done"]


def test_2_1_3_rejected_promise_cannot_become_fulfilled():
    def main(seen):
        d = deferred()
        d.promise.then(lambda v: seen.append(("f", v)), lambda r: seen.append(("r", r)))
        d.reject(DUMMY)
        d.resolve(DUMMY)
        later(lambda: seen.append("done"))

    assert run(main) == [("r", DUMMY), "done"]


def test_2_1_fulfil_then_reject_later_still_fulfilled():
    def main(seen):
        d = deferred()
        d.promise.then(lambda v: seen.append(("f", v)), lambda r: seen.append(("r", r)))
        d.resolve(DUMMY)
        later(lambda: d.reject(OTHER), 1)
        later(lambda: seen.append("done"), 10)

    assert run(main) == [("f", DUMMY), "done"]


# --------------------------------------------------------------------------- 2.2.1 optional args


@pytest.mark.parametrize("non_function", [None, False, 5, "str", {"a": 1}, [1]])
def test_2_2_1_non_function_on_fulfilled_is_ignored(non_function):
    def main(seen):
        rejected(DUMMY).then(non_function, lambda r: seen.append(("r", r)))
        resolved(DUMMY).then(lambda v: seen.append(("f", v)), non_function)

    assert sorted(map(repr, run(main))) == sorted(map(repr, [("r", DUMMY), ("f", DUMMY)]))


@pytest.mark.parametrize("non_function", [None, False, 5, "str", {"a": 1}, [1]])
def test_2_2_7_3_non_function_passes_value_through(non_function):
    def main(seen):
        resolved(SENTINEL).then(non_function).then(lambda v: seen.append(("f", v)))
        rejected(SENTINEL).then(None, non_function).then(None, lambda r: seen.append(("r", r)))

    out = run(main)
    assert ("f", SENTINEL) in out and ("r", SENTINEL) in out and len(out) == 2


# --------------------------------------------------------------------------- 2.2.2 / 2.2.3


@pytest.mark.parametrize("when", ["already", "immediately", "eventually"])
def test_2_2_2_on_fulfilled_called_once_with_value_after_fulfilment(when):
    def main(seen):
        d = deferred()
        if when == "already":
            d.resolve(SENTINEL)
        d.promise.then(lambda v: seen.append(v))
        seen.append("after then")
        if when == "immediately":
            d.resolve(SENTINEL)
            d.resolve(OTHER)
        if when == "eventually":
            later(lambda: (d.resolve(SENTINEL), d.resolve(OTHER)))

    assert run(main) == ["after then", SENTINEL]


@pytest.mark.parametrize("when", ["already", "immediately", "eventually"])
def test_2_2_3_on_rejected_called_once_with_reason_after_rejection(when):
    def main(seen):
        d = deferred()
        if when == "already":
            d.reject(SENTINEL)
        d.promise.then(None, lambda r: seen.append(r))
        seen.append("after then")
        if when == "immediately":
            d.reject(SENTINEL)
            d.reject(OTHER)
        if when == "eventually":
            later(lambda: (d.reject(SENTINEL), d.reject(OTHER)))

    assert run(main) == ["after then", SENTINEL]


def test_2_2_2_not_called_before_fulfilment():
    def main(seen):
        d = deferred()
        d.promise.then(lambda v: seen.append(("f", v)))
        later(lambda: (seen.append("resolving"), d.resolve(DUMMY)))

    assert run(main) == ["resolving", ("f", DUMMY)]


# --------------------------------------------------------------------------- 2.2.4 async


@pytest.mark.parametrize("state", ["fulfilled", "rejected"])
def test_2_2_4_handlers_never_run_synchronously(state):
    def main(seen):
        p = resolved(DUMMY) if state == "fulfilled" else rejected(DUMMY)
        p.then(lambda _: seen.append("handler"), lambda _: seen.append("handler"))
        seen.append("then returned")
        d = deferred()
        d.promise.then(lambda _: seen.append("handler2"), lambda _: seen.append("handler2"))
        (d.resolve if state == "fulfilled" else d.reject)(DUMMY)
        seen.append("settle returned")

    assert run(main) == ["then returned", "settle returned", "handler", "handler2"]


# --------------------------------------------------------------------------- 2.2.6 multiple then


@pytest.mark.parametrize("state", ["fulfilled", "rejected"])
def test_2_2_6_handlers_in_then_order_even_if_one_throws(state):
    def main(seen):
        d = deferred()

        def boom(_):
            seen.append(2)
            raise Exception("thrown")

        for h in (lambda _: seen.append(1), boom, lambda _: seen.append(3)):
            if state == "fulfilled":
                d.promise.then(h).catch(lambda _: None)
            else:
                d.promise.then(None, h).catch(lambda _: None)
        later(lambda: (d.resolve if state == "fulfilled" else d.reject)(SENTINEL))
        later(lambda: d.promise.then(lambda _: seen.append(4), lambda _: seen.append(4)), 10)

    assert run(main) == [1, 2, 3, 4]


def test_2_2_6_results_of_multiple_branches():
    def main(seen):
        p = resolved(DUMMY)
        p.then(lambda _: SENTINEL).then(lambda v: seen.append(("a", v)))
        p.then(lambda _: OTHER).then(lambda v: seen.append(("b", v)))

        def thrower(_):
            raise ValueError("x")

        p.then(thrower).then(None, lambda r: seen.append(("c", type(r).__name__)))

    assert run(main) == [("a", SENTINEL), ("b", OTHER), ("c", "ValueError")]


# --------------------------------------------------------------------------- 2.2.7 then returns


def test_2_2_7_then_returns_a_promise():
    def main(seen):
        p = resolved(DUMMY)
        q = p.then()
        seen.append(isinstance(q, Promise) and q is not p)

    assert run(main) == [True]


@pytest.mark.parametrize("state", ["fulfilled", "rejected"])
def test_2_2_7_2_throw_in_handler_rejects_promise2_with_it(state):
    err = ValueError("e")

    def main(seen):
        p = resolved(DUMMY) if state == "fulfilled" else rejected(DUMMY)

        def thrower(_):
            raise err

        p.then(thrower, thrower).then(None, lambda r: seen.append(r))

    assert run(main) == [err]


@pytest.mark.parametrize("value", [None, False, 0, "", 5, SENTINEL, [1, 2]])
def test_2_3_4_non_thenable_values_fulfil(value):
    def main(seen):
        resolved(DUMMY).then(lambda _: value).then(lambda v: seen.append(v))
        rejected(DUMMY).then(None, lambda _: value).then(lambda v: seen.append(v))

    assert run(main) == [value, value]


# --------------------------------------------------------------------------- 2.3.1 self


def test_2_3_1_resolving_with_itself_rejects_with_type_error():
    def main(seen):
        box = {}
        box["p"] = resolved(DUMMY).then(lambda _: box["p"])
        box["p"].then(None, lambda r: seen.append(type(r)))
        d = deferred()
        d.resolve(d.promise)
        d.promise.catch(lambda r: seen.append(type(r)))

    out = run(main)
    assert len(out) == 2 and all(issubclass(t, TypeError) for t in out)


# --------------------------------------------------------------------------- 2.3.2 x is a promise


@pytest.mark.parametrize(
    "how,expected",
    [
        ("fulfilled", ("f", SENTINEL)),
        ("rejected", ("r", SENTINEL)),
        ("eventually-fulfilled", ("f", SENTINEL)),
        ("eventually-rejected", ("r", SENTINEL)),
    ],
)
def test_2_3_2_adopts_state_of_returned_promise(how, expected):
    def main(seen):
        def make():
            if how == "fulfilled":
                return resolved(SENTINEL)
            if how == "rejected":
                return rejected(SENTINEL)
            d = deferred()
            later(lambda: (d.resolve if how.endswith("fulfilled") else d.reject)(SENTINEL))
            return d.promise

        resolved(DUMMY).then(lambda _: make()).then(
            lambda v: seen.append(("f", v)), lambda r: seen.append(("r", r))
        )

    assert run(main) == [expected]


def test_2_3_2_1_stays_pending_until_returned_promise_settles():
    def main(seen):
        d = deferred()
        resolved(DUMMY).then(lambda _: d.promise).then(lambda v: seen.append(("f", v)))
        later(lambda: seen.append("still pending"), 5)
        later(lambda: d.resolve(SENTINEL), 10)

    assert run(main) == ["still pending", ("f", SENTINEL)]


# --------------------------------------------------------------------------- 2.3.3 thenables


class Thenable:
    def __init__(self, then):
        self._then = then
        self.calls = 0

    def then(self, resolve_promise, reject_promise):
        self.calls += 1
        return self._then(resolve_promise, reject_promise)


def outcome_of(x_factory):
    """What ``resolved(DUMMY).then(lambda _: x)`` settles to: ("f", v) or ("r", r)."""

    def main(seen):
        resolved(DUMMY).then(lambda _: x_factory()).then(
            lambda v: seen.append(("f", v)), lambda r: seen.append(("r", r))
        )

    return run(main)


def test_2_3_3_1_then_is_read_once_and_called_with_x_as_self():
    reads = []

    class Counting:
        @property
        def then(self):
            reads.append(1)
            return lambda res, rej: res(SENTINEL)

    assert outcome_of(Counting) == [("f", SENTINEL)]
    assert len(reads) == 1


def test_2_3_3_2_getter_of_then_throwing_rejects():
    err = ValueError("getter")

    class Bad:
        @property
        def then(self):
            raise err

    assert outcome_of(Bad) == [("r", err)]


@pytest.mark.parametrize(
    "then,expected",
    [
        (lambda res, rej: res(SENTINEL), ("f", SENTINEL)),
        (lambda res, rej: rej(SENTINEL), ("r", SENTINEL)),
        (lambda res, rej: (res(SENTINEL), res(OTHER)), ("f", SENTINEL)),
        (lambda res, rej: (res(SENTINEL), rej(OTHER)), ("f", SENTINEL)),
        (lambda res, rej: (rej(SENTINEL), res(OTHER)), ("r", SENTINEL)),
        (lambda res, rej: (rej(SENTINEL), rej(OTHER)), ("r", SENTINEL)),
        (lambda res, rej: later(lambda: res(SENTINEL)), ("f", SENTINEL)),
        (lambda res, rej: later(lambda: rej(SENTINEL)), ("r", SENTINEL)),
    ],
    ids=[
        "resolve",
        "reject",
        "resolve-twice",
        "resolve-then-reject",
        "reject-then-resolve",
        "reject-twice",
        "resolve-later",
        "reject-later",
    ],
)
def test_2_3_3_3_first_call_of_resolve_or_reject_wins(then, expected):
    assert outcome_of(lambda: Thenable(then)) == [expected]


def test_2_3_3_3_1_resolve_with_y_runs_resolution_recursively():
    inner = lambda: Thenable(lambda res, rej: res(Thenable(lambda r2, j2: r2(SENTINEL))))  # noqa: E731
    assert outcome_of(inner) == [("f", SENTINEL)]
    nested_promise = lambda: Thenable(lambda res, rej: res(resolved(SENTINEL)))  # noqa: E731
    assert outcome_of(nested_promise) == [("f", SENTINEL)]
    nested_rejected = lambda: Thenable(lambda res, rej: res(rejected(SENTINEL)))  # noqa: E731
    assert outcome_of(nested_rejected) == [("r", SENTINEL)]


def test_2_3_3_3_4_then_throwing_after_resolve_is_ignored():
    def then(res, rej):
        res(SENTINEL)
        raise ValueError("ignored")

    assert outcome_of(lambda: Thenable(then)) == [("f", SENTINEL)]


def test_2_3_3_3_4_then_throwing_before_resolve_rejects():
    err = ValueError("thrown")

    def then(res, rej):
        raise err

    assert outcome_of(lambda: Thenable(then)) == [("r", err)]


def test_2_3_3_4_non_callable_then_fulfils_with_x():
    class NotThenable:
        then = 5

    x = NotThenable()
    assert outcome_of(lambda: x) == [("f", x)]


def test_2_3_3_then_of_thenable_called_once_asynchronously():
    box = []

    def main(seen):
        t = Thenable(lambda res, rej: (seen.append("then called"), res(1)))
        box.append(t)
        Promise.resolve(t).then(lambda v: seen.append(("f", v)))
        seen.append("sync end")

    assert run(main) == ["sync end", "then called", ("f", 1)]
    assert box[0].calls == 1


def test_rejection_reason_may_be_any_value():
    reasons = [None, 0, "s", [1], {"k": 1}, ValueError("v")]

    def main(seen):
        for r in reasons:
            rejected(r).catch(lambda x: seen.append(x))

    assert run(main) == reasons


# --------------------------------------------------------------------------- §6.6 tick table


def _thenable(v="v"):
    return Thenable(lambda res, rej: res(v))


@asyncfn
async def _return_value():
    return "v"


@asyncfn
async def _return_native():
    return Promise.resolve("v")


@asyncfn
async def _return_thenable():
    return _thenable()


def _await_resumes(expr_factory):
    def build(mark):
        @asyncfn
        async def body():
            await expr_factory()
            mark(None)

        body()

    return build


TICK_TABLE = [
    ("then on a settled promise", lambda mark: Promise.resolve("v").then(mark), 1),
    (
        "new Promise(r => r(nativePromise)) then",
        lambda mark: Promise(lambda r, _j: r(Promise.resolve("v"))).then(mark),
        3,
    ),
    (
        "new Promise(r => r(syncThenable)) then",
        lambda mark: Promise(lambda r, _j: r(_thenable())).then(mark),
        2,
    ),
    (
        "handler returns value, next then",
        lambda mark: Promise.resolve().then(lambda _: "v").then(mark),
        2,
    ),
    (
        "handler returns native promise, next then",
        lambda mark: Promise.resolve().then(lambda _: Promise.resolve("v")).then(mark),
        4,
    ),
    (
        "handler returns sync thenable, next then",
        lambda mark: Promise.resolve().then(lambda _: _thenable()).then(mark),
        3,
    ),
    ("finally(f) then", lambda mark: Promise.resolve("v").finally_(lambda: None).then(mark), 4),
    ("finally(f): f itself", lambda mark: Promise.resolve("v").finally_(lambda: mark(None)), 1),
    ("await native promise", _await_resumes(lambda: Promise.resolve("v")), 1),
    ("await plain value", _await_resumes(lambda: Promise.resolve(42)), 1),
    ("await sync thenable", _await_resumes(lambda: Promise.resolve(_thenable())), 2),
    ("async fn return v", lambda mark: _return_value().then(mark), 1),
    ("async fn return nativePromise", lambda mark: _return_native().then(mark), 3),
    ("async fn return thenable", lambda mark: _return_thenable().then(mark), 2),
    ("all of settled", lambda mark: Promise.all([Promise.resolve(1)]).then(mark), 2),
    (
        "allSettled of settled",
        lambda mark: Promise.allSettled([Promise.resolve(1)]).then(mark),
        2,
    ),
    ("race of settled", lambda mark: Promise.race([Promise.resolve(1)]).then(mark), 2),
    ("any of settled", lambda mark: Promise.any([Promise.resolve(1)]).then(mark), 2),
    ("all([])", lambda mark: Promise.all([]).then(mark), 1),
    ("any([])", lambda mark: Promise.any([]).catch(mark), 1),
]


def ticks_until(build):
    """Run clock(8) then ``build(mark)``; return k such that X is logged right after ck."""
    log = Log()

    def main():
        clock(log, 8)
        build(lambda _v: log("X"))

    run_fake(main)
    assert log.count("X") == 1, log.s
    i = log.index("X")
    return 0 if i == 0 else int(log[i - 1][1:])


@pytest.mark.parametrize("name,build,ticks", TICK_TABLE, ids=[row[0] for row in TICK_TABLE])
def test_tick_table(name, build, ticks):
    assert ticks_until(build) == ticks


def test_any_of_all_rejected_is_aggregate_error_in_input_order():
    def main(seen):
        Promise.any([rejected(1), Promise.reject(2), rejected(3)]).catch(
            lambda e: seen.append((type(e), e.errors))
        )

    assert run(main) == [(AggregateError, [1, 2, 3])]
