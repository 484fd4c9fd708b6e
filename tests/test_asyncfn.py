"""@asyncfn: synchronous start, awaits, returns, exceptions, contexts."""

from __future__ import annotations

import contextvars

import pytest

import jsloop
from jsloop import FakeClock, Promise, RejectionError, asyncfn, setTimeout, sleep


def run(main, *args):
    return jsloop.run(main, *args, clock=FakeClock())


def test_asyncfn_requires_async_def():
    with pytest.raises(TypeError, match="async def"):
        asyncfn(lambda: None)  # type: ignore[arg-type]


def test_returns_a_promise_and_runs_synchronously_to_first_await():
    log = []

    @asyncfn
    async def f():
        log.append("body start")
        await Promise.resolve(None)
        log.append("after await")
        return "r"

    def main():
        p = f()
        log.append("after call")
        assert isinstance(p, Promise)
        return p

    assert run(main) == "r"
    assert log == ["body start", "after call", "after await"]


def test_try_except_around_await_catches_rejections():
    @asyncfn
    async def f():
        try:
            await Promise.reject(ValueError("e"))
        except ValueError as exc:
            return f"caught {exc}"

    assert run(f) == "caught e"


def test_non_exception_rejection_is_wrapped_and_passes_through_uncaught():
    @asyncfn
    async def catcher():
        try:
            await Promise.reject(42)
        except RejectionError as exc:
            return exc.reason

    assert run(catcher) == 42

    @asyncfn
    async def passer():
        await Promise.reject("r")

    def main():
        return passer().catch(lambda r: ("reason", r))

    assert run(main) == ("reason", "r")


def test_plain_async_def_main_is_driven():
    async def main(x):
        await sleep(5)
        return x * 2

    assert run(main, 21) == 42


def test_undecorated_inner_coroutines_are_inlined():
    async def inner():
        await sleep(1)
        return "inner"

    @asyncfn
    async def outer():
        return await inner()

    assert run(outer) == "inner"


def test_awaiting_a_thenable_via_promise_resolve():
    class Thenable:
        def then(self, resolve, reject):
            setTimeout(resolve, 5, "thenable value")

    @asyncfn
    async def f():
        return await Promise.resolve(Thenable())

    assert run(f) == "thenable value"


def test_exception_in_body_rejects_its_promise():
    @asyncfn
    async def f():
        raise KeyError("boom")

    def main():
        return f().catch(lambda e: type(e).__name__)

    assert run(main) == "KeyError"


def test_each_async_function_keeps_its_context_across_awaits():
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    seen = []

    @asyncfn
    async def worker(name):
        var.set(name)
        await sleep(1)
        await sleep(1)
        seen.append((name, var.get()))

    def main():
        worker("a")
        worker("b")
        return var.get()

    assert run(main) == "unset"
    assert sorted(seen) == [("a", "a"), ("b", "b")]


def test_callbacks_run_in_the_context_current_when_scheduled():
    var: contextvars.ContextVar[str] = contextvars.ContextVar("rid", default="none")
    seen = []

    def main():
        var.set("request-1")
        setTimeout(lambda: seen.append(("timer", var.get())), 1)
        Promise.resolve().then(lambda: seen.append(("then", var.get())))
        jsloop.nextTick(lambda: seen.append(("tick", var.get())))
        jsloop.queueMicrotask(lambda: seen.append(("micro", var.get())))
        jsloop.setImmediate(lambda: seen.append(("immediate", var.get())))
        var.set("request-2")

    run(main)
    assert sorted(seen) == sorted(
        [
            ("timer", "request-1"),
            ("then", "request-1"),
            ("tick", "request-1"),
            ("micro", "request-1"),
            ("immediate", "request-1"),
        ]
    )
