"""jsloop: the Node.js event loop, in Python.

``setTimeout``/``setImmediate``/``nextTick``/``queueMicrotask``/``Promise`` and
async functions run in exactly the order Node.js 20 runs them; servers run
single-threaded on epoll; blocking disk and DNS work goes to a thread pool
whose completions come back into the same loop. See docs/ for the phases,
queues and guarantees, and README.md for the public names (kept stable).
"""

from __future__ import annotations

import os as _os

from . import child_process, dns, fs, http, net, stream, timers_promises
from ._clock import Clock, FakeClock
from ._loop import run
from ._threadpool import runInThreadPool
from .abort import AbortController, AbortSignal, EventTarget
from .asyncfn import asyncfn
from .errors import AggregateError, RejectionError, UnhandledPromiseRejection
from .events import EventEmitter
from .process import process
from .promise import Promise
from .timers import (
    Immediate,
    Timeout,
    TimeoutOverflowWarning,
    clearImmediate,
    clearInterval,
    clearTimeout,
    nextTick,
    queueMicrotask,
    setImmediate,
    setInterval,
    setTimeout,
    sleep,
)

__version__ = "0.1.0"

__all__ = [
    "AbortController",
    "AbortSignal",
    "AggregateError",
    "Clock",
    "EventEmitter",
    "EventLoopPolicy",
    "EventTarget",
    "FakeClock",
    "Immediate",
    "Promise",
    "RejectionError",
    "Timeout",
    "TimeoutOverflowWarning",
    "UnhandledPromiseRejection",
    "asyncfn",
    "child_process",
    "clearImmediate",
    "clearInterval",
    "clearTimeout",
    "dns",
    "fs",
    "http",
    "install",
    "net",
    "new_event_loop",
    "nextTick",
    "process",
    "queueMicrotask",
    "run",
    "runInThreadPool",
    "setImmediate",
    "setInterval",
    "setTimeout",
    "sleep",
    "stream",
    "timers_promises",
]

_AIO_NAMES = ("EventLoopPolicy", "JsloopEventLoop", "install", "new_event_loop")


def __getattr__(name: str) -> object:
    # jsloop as an asyncio loop (docs/asyncio.md), loaded on first use so that
    # ``import jsloop`` does not import asyncio.
    if name in _AIO_NAMES:
        from . import aio

        return getattr(aio, name)
    if name in _LAZY_MODULES:
        # submodules users reach as attributes (``jsloop.testing.schedules()``)
        # without paying for them at ``import jsloop``
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'jsloop' has no attribute {name!r}")


_LAZY_MODULES = frozenset({"testing", "perf_hooks"})


# Opt-in diagnostics from the environment (docs/diagnostics.md): one lookup at
# import; nothing per callback, and jsloop.diagnostics is not even imported
# unless one of these variables is set.
if any(
    _os.environ.get(_v)
    for _v in ("JSLOOP_WATCHDOG", "JSLOOP_TRACE", "JSLOOP_DEBUG", "JSLOOP_WARN_STARVATION")
):
    from .diagnostics import enable_from_env as _enable_from_env

    _enable_from_env()
