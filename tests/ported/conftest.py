"""Shared helpers for tests ported from Node's own suite (test/parallel/*.js).

``must`` is Node's ``common.mustCall`` / ``common.mustNotCall`` as a fixture:
``must.call(fn=None, times=1)`` wraps ``fn`` and, when the test ends, asserts it
ran exactly ``times`` times (``times=None``: at least once); ``must.not_call()``
fails the test if it is ever called. Wrapped functions keep JS's surplus-argument
rule: they accept any arguments and pass ``fn`` only what it takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from jsloop._compat import call_js


class _Counted:
    def __init__(self, fn: Callable[..., Any] | None, times: int | None, where: str) -> None:
        self.fn = fn
        self.times = times
        self.where = where
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        if self.fn is None:
            return None
        return call_js(self.fn, *args)

    def check(self) -> str | None:
        if self.times is None:
            return None if self.calls else f"{self.where}: expected at least one call, got 0"
        if self.calls != self.times:
            return f"{self.where}: expected {self.times} call(s), got {self.calls}"
        return None


class Must:
    def __init__(self) -> None:
        self.counted: list[_Counted] = []

    def call(self, fn: Callable[..., Any] | None = None, times: int | None = 1) -> _Counted:
        import inspect

        frame = inspect.stack()[1]
        c = _Counted(fn, times, f"mustCall at line {frame.lineno}")
        self.counted.append(c)
        return c

    def not_call(self, msg: str = "") -> Callable[..., Any]:
        return self.call(None, 0)

    def check(self) -> None:
        problems = [p for c in self.counted if (p := c.check()) is not None]
        assert not problems, "; ".join(problems)


@pytest.fixture
def must() -> Iterator[Must]:
    m = Must()
    yield m
    m.check()
