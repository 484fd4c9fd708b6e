"""Run jsloop programs the way ORDERING.md writes them: a log, ``spin``, ``clock(n)``.

``run_fake(main)`` runs ``main`` on a fresh loop driven by a fake clock, so
timer order never depends on how fast the machine is; ``spin(ms)`` moves that
clock forward the way JavaScript's busy-wait ``spin(ms)`` moves real time.
``on(event, fn)`` adds a ``process`` listener that is removed after the test
(``process`` is one object per interpreter, as in Node).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import jsloop

_current_clock: list[Any] = []
_added_listeners: list[tuple[str, Callable[..., Any]]] = []


class Log(list[str]):
    """The program's output: ``log('x')`` appends; ``log.s`` is the lines joined by spaces."""

    def __call__(self, line: object) -> None:
        self.append(str(line))

    @property
    def s(self) -> str:
        return " ".join(self)


def make_fake_clock() -> Any:
    from jsloop._clock import FakeClock

    return FakeClock()


def _run_kwargs(clock: Any) -> dict[str, Any]:
    params = inspect.signature(jsloop.run).parameters
    return {"clock": clock} if "clock" in params else {}


def run_fake(main: Callable[..., Any], *args: Any) -> Any:
    """``jsloop.run(main, *args)`` on a fake clock; returns what ``run`` returns."""
    clock = make_fake_clock()
    _current_clock.append(clock)
    try:
        return jsloop.run(main, *args, **_run_kwargs(clock))
    finally:
        _current_clock.pop()


def run_real(main: Callable[..., Any], *args: Any) -> Any:
    """``jsloop.run`` on the real clock."""
    return jsloop.run(main, *args)


def spin(ms: float) -> None:
    """JavaScript's ``spin(ms)``: the running callback takes ``ms`` of (fake) time."""
    if not _current_clock:
        raise RuntimeError("spin() needs a run_fake() loop")
    _current_clock[-1].advance(ms)


def clock(log: Log, n: int) -> None:
    """ORDERING.md's ``clock(n)``: logs c1..cn, one per microtask tick."""
    p = jsloop.Promise.resolve()
    for i in range(1, n + 1):
        p = p.then(lambda _v, i=i: log(f"c{i}"))


def js(v: object) -> str:
    """``String(v)`` for the values the examples print (booleans, None)."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "undefined"
    return str(v)


def on(event: str, fn: Callable[..., Any]) -> None:
    """``process.on(event, fn)``, undone by ``cleanup_process()`` after the test."""
    jsloop.process.on(event, fn)
    _added_listeners.append((event, fn))


def cleanup_process() -> None:
    while _added_listeners:
        event, fn = _added_listeners.pop()
        with contextlib.suppress(Exception):
            jsloop.process.off(event, fn)
    with contextlib.suppress(Exception):
        jsloop.process.exitCode = None


@contextlib.contextmanager
def listening(event: str, fn: Callable[..., Any]) -> Iterator[None]:
    jsloop.process.on(event, fn)
    try:
        yield
    finally:
        jsloop.process.off(event, fn)
