"""pytest plugin: the ``jsloop_fake`` fixture (fake timers for tests of timer code).

Registered through the ``pytest11`` entry point in pyproject.toml, so any
project that installs jsloop gets the fixture::

    def test_debounce(jsloop_fake):
        calls = []
        d = debounce(lambda: calls.append(1), 200)
        d(); jsloop_fake.advance(100); d()
        jsloop_fake.advance(199)
        assert calls == []
        jsloop_fake.advance(1)
        assert calls == [1]

The fixture is function-scoped. Under hypothesis (``@given``), enter a
``jsloop.testing.FakeTimers()`` in the test body instead: hypothesis runs
many examples per fixture instance. For the same reason the orders Node leaves
open are drawn with ``@given(jsloop.testing.schedules())`` rather than from a
fixture (docs/testing.md); ``FakeTimers(schedule=...)`` combines the two.

Imports: testing, pytest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .testing import FakeTimers


@pytest.fixture
def jsloop_fake() -> Iterator[FakeTimers]:
    """A ``FakeTimers`` loop installed for the test; closed afterwards."""
    with FakeTimers() as fake:
        yield fake
