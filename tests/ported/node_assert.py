"""Node's ``assert.strictEqual``/``deepStrictEqual`` as one-liners for the ported stream
tests (they keep the upstream files' shape), and ``run`` for a test's ``main``."""

from __future__ import annotations

from typing import Any

import jsloop


def run(main: Any) -> Any:
    return jsloop.run(main)


def eq(a: Any, b: Any) -> None:
    assert a == b, (a, b)


def is_(a: Any, b: Any) -> None:
    assert a is b, (a, b)
