"""The buggy-then-fixed line protocol of examples/, found and shrunk by ``schedules()``.

``examples/line_protocol_buggy.py`` treats every ``'data'`` event as one line;
the default order (each write arrives in one read) hides it. Under
``jsloop.testing.schedules()`` hypothesis finds a schedule that splits a
command across two reads and shrinks it to exactly that one decision.
``examples/line_protocol_fixed.py`` passes under every schedule tried.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings

from jsloop.testing import Schedule, schedules

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
COMMANDS = ["PING", "ECHO hello"]
EXPECTED = ["PONG", "hello"]


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(EXAMPLES))  # the buggy example imports the fixed one's demo
    try:
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(EXAMPLES))


fixed = _load("line_protocol_fixed")
buggy = _load("line_protocol_buggy")

PROPERTY = settings(
    max_examples=60, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def conversation(schedule: Schedule, module: ModuleType) -> list[str]:
    replies: list[str] = schedule.run(fixed.demo, module.create_server, COMMANDS)
    return replies


def test_default_order_hides_the_bug() -> None:
    # An ordinary test (one order: every write arrives in one read) passes for both.
    assert conversation(Schedule(), buggy) == EXPECTED
    assert conversation(Schedule(), fixed) == EXPECTED


def test_the_fixed_server_answers_the_same_under_every_schedule() -> None:
    seen: set[tuple[str, ...]] = set()

    @PROPERTY
    @given(schedules())
    def prop(schedule: Schedule) -> None:
        assert conversation(schedule, fixed) == EXPECTED
        seen.update(schedule.decisions)

    prop()
    # ...and the schedules tried did split the commands (the test is not vacuous).
    assert any(re.fullmatch(r"fd \d+: deliver \d+ of \d+ bytes", d) for d in seen)


def test_the_buggy_server_fails_and_shrinks_to_one_split_read() -> None:
    failing: list[Schedule] = []

    @PROPERTY
    @given(schedules())
    def prop(schedule: Schedule) -> None:
        replies = conversation(schedule, buggy)
        if replies != EXPECTED:
            failing.append(schedule)
        assert replies == EXPECTED

    with pytest.raises(AssertionError) as info:
        prop()
    # hypothesis re-runs the minimal failing case last: one command, split after 1 byte.
    minimal = failing[-1]
    assert re.fullmatch(r"Schedule\(\['fd \d+: deliver 1 of 5 bytes'\]\)", repr(minimal)), minimal
    # ...and the report the user reads carries it as a note (docs/testing.md shows it).
    notes = getattr(info.value, "__notes__", [])
    assert f"schedule: {minimal!r}" in notes, notes
    # The shrunk schedule replays: same decisions, same wrong replies, run after run.
    again = Schedule.replay(minimal.choices)
    first = conversation(again, buggy)
    assert first != EXPECTED and first[0] == "ERR unknown command"
    assert conversation(again, buggy) == first
    assert repr(again) == repr(minimal)
