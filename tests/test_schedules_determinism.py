"""Programs whose order Node fixes print node's exact trace under every schedule.

A schedule only decides what Node leaves open; everything ORDERING.md
guarantees must survive it. Three sets of programs, each run under 30 random
schedules (``Schedule.random``) and compared with node's recorded output:

* every example of tests/test_ordering_examples.py (ORDERING.md §2-§8), by
  running that module's tests with its ``run_fake`` swapped for a scheduled
  run on the same fake clock;
* the node-differential corpus, tests/data/differential_corpus.json;
* the I/O cases of tests/test_io_ordering.py (sockets, fs, a refused connect,
  a signal), in process, where a schedule does make decisions: ready fds are
  permuted, pool completions held, reads split -- and the output stays node's.
"""

from __future__ import annotations

import os
import socket
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import test_io_ordering as io_cases
import test_ordering_examples as ordering
from helpers import loopkit, pyrun
from test_differential_node import load_corpus

import jsloop
from jsloop._clock import FakeClock
from jsloop.testing import Schedule

SCHEDULES = 30


def scheduled(schedule: Schedule) -> Callable[..., Any]:
    """``loopkit.run_fake`` under ``schedule``: same fake clock, same ``spin``."""

    def run_fake(main: Callable[..., Any], *args: Any) -> Any:
        clock = FakeClock()
        loopkit._current_clock.append(clock)
        try:
            return schedule.run(main, *args, clock=clock)
        finally:
            loopkit._current_clock.pop()

    return run_fake


@pytest.fixture(autouse=True)
def _clean_process() -> Iterator[None]:
    loopkit.cleanup_process()
    yield
    loopkit.cleanup_process()


EXAMPLES = sorted(n for n in vars(ordering) if n.startswith("test_"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_ordering_example_under_schedules(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    example = getattr(ordering, name)
    for seed in range(SCHEDULES):
        monkeypatch.setattr(ordering, "run_fake", scheduled(Schedule.random(f"{name}/{seed}")))
        example()  # asserts node's output itself
        loopkit.cleanup_process()


@pytest.mark.parametrize("case", load_corpus(), ids=lambda c: c["name"])
def test_corpus_program_under_schedules(case: dict[str, Any],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    if case.get("xfail"):
        pytest.skip("still failing without a schedule: " + case["xfail"])
    source = pyrun_source(case)
    for seed in range(SCHEDULES):
        monkeypatch.setattr(pyrun, "run_fake", scheduled(Schedule.random(f"{seed}")))
        out, _trace = pyrun.run_py(source)
        assert out == case["node"], f"schedule seed {seed}"


def pyrun_source(case: dict[str, Any]) -> str:
    from helpers.progs import render_py

    return render_py(case["program"])


# ---------------------------------------------------------------- I/O, in process


IO_CASES = sorted(io_cases.CASES)


@pytest.fixture
def refused_port() -> Iterator[int]:
    holder = socket.socket()  # bound, never listening: a connect is refused
    holder.bind(("127.0.0.1", 0))
    try:
        yield holder.getsockname()[1]
    finally:
        holder.close()


@pytest.mark.parametrize("name", IO_CASES)
def test_io_ordering_case_under_schedules(name: str, refused_port: int,
                                          tmp_path: Path) -> None:
    source = textwrap.dedent(io_cases.CASES[name][1]).replace("jsloop.run(main)", "")
    expected = io_cases.CASES[name][2].splitlines()
    decided = 0
    for seed in range(SCHEDULES):
        out: list[str] = []
        ns: dict[str, Any] = {
            "__file__": io_cases.__file__,
            "os": os, "signal": __import__("signal"),
            "sys": types.SimpleNamespace(argv=["case", str(refused_port),
                                               str(tmp_path / "missing.sock")]),
            "jsloop": jsloop, "fs": jsloop.fs, "net": jsloop.net, "process": jsloop.process,
            "nextTick": jsloop.nextTick, "setImmediate": jsloop.setImmediate,
            "setTimeout": jsloop.setTimeout, "clearTimeout": jsloop.clearTimeout,
            "Promise": jsloop.Promise, "log": out.append,
        }
        exec(compile(source, f"<io case {name}>", "exec"), ns)
        schedule = Schedule.random(f"{name}/{seed}")
        try:
            schedule.run(ns["main"])
        finally:
            loopkit.cleanup_process()
        assert out == expected, f"{name}, schedule {schedule!r} (seed {seed})"
        decided += bool(schedule.decisions)
    if name in ("socket_destroy", "sync_write"):
        assert decided, "the schedules never decided anything: the test would prove nothing"

