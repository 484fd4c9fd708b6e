"""Shared helpers for the I/O tests (net, fs, dns, thread pool, signals, examples).

* ``no_leaks``: a fixture that fails the test when fds or threads outlive it
  (libuv's tests assert the closed loop is empty; here the process is).
* ``run_bounded``: ``jsloop.run`` with a watchdog — an unref'd timer that fails
  the run if it has not finished in time (it never keeps the loop alive).
* ``MustCall``: Node's ``common.mustCall`` — a callback that must be called
  exactly ``n`` times by the end of the test.
* ``wait_for_line``: read a subprocess's stdout until a line matches (the
  only synchronisation with example servers: no sleeps).
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import jsloop

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def no_leaks() -> Iterator[None]:
    fds = fd_count()
    threads = threading.active_count()
    yield
    # Pool workers are joined by run(); give the interpreter no slack beyond that.
    assert threading.active_count() == threads, threading.enumerate()
    assert fd_count() == fds, sorted(os.listdir("/proc/self/fd"))


class WatchdogExpired(AssertionError):
    pass


def run_bounded(main: Callable[..., Any], *args: Any, timeout: float = 10.0) -> Any:
    """``jsloop.run(main, *args)`` that fails (instead of hanging) after ``timeout`` s."""

    def wrapped(*a: Any) -> Any:
        def expire() -> None:
            raise WatchdogExpired(f"test loop still running after {timeout}s")

        jsloop.setTimeout(expire, timeout * 1000).unref()
        return main(*a)

    return jsloop.run(wrapped, *args)


class MustCall:
    """Node's ``common.mustCall(fn, n)``: check ``.verify()`` at the end."""

    def __init__(self, fn: Callable[..., Any] | None = None, times: int = 1) -> None:
        self.fn = fn
        self.times = times
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.fn(*args) if self.fn is not None else None

    def verify(self) -> None:
        assert len(self.calls) == self.times, (
            f"expected {self.times} call(s), got {len(self.calls)}: {self.calls!r}"
        )


def start_example(name: str, *args: str, env: dict[str, str] | None = None
                  ) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(EXAMPLES / name), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )


def wait_for_line(proc: subprocess.Popen[str], pattern: str, timeout: float = 20.0
                  ) -> re.Match[str]:
    """Read ``proc.stdout`` until a line matches ``pattern``; fail on EOF or timeout."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    seen: list[str] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line matching {pattern!r} in {timeout}s: {seen!r}")
            if not sel.select(left):
                continue
            line = proc.stdout.readline()
            if not line:
                err = proc.stderr.read() if proc.stderr else ""
                raise AssertionError(f"EOF before {pattern!r}; got {seen!r}; stderr: {err}")
            seen.append(line)
            m = re.search(pattern, line)
            if m:
                return m
    finally:
        sel.close()


def stop(proc: subprocess.Popen[str]) -> None:
    """Kill a child that is still running (test cleanup) and reap it."""
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=10)
