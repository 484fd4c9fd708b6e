"""Error types shared by every jsloop module.

Owns: AggregateError (Promise.any), RejectionError (the exception an ``await``
raises when a promise rejects with a value that is not an exception),
UnhandledPromiseRejection (Node's wrapper for a non-Error reason that nobody
handled), and helpers that build Node's argument errors in Python form
(a TypeError/ValueError subclass carrying Node's ``code``).

Imports: stdlib only.
"""

from __future__ import annotations

from typing import Any


class NodeError(Exception):
    """Base of errors that carry Node's ``code`` string (``ERR_INVALID_ARG_TYPE``...)."""

    code: str = ""


class NodeTypeError(TypeError):
    """Node's ``TypeError`` with a ``code`` (e.g. ``ERR_INVALID_ARG_TYPE``)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class NodeRangeError(ValueError):
    """Node's ``RangeError`` in Python form (a ValueError) with a ``code``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class AggregateError(Exception):
    """JavaScript's AggregateError: ``.errors`` lists the rejection reasons in input order."""

    def __init__(self, errors: list[Any], message: str = "All promises were rejected") -> None:
        super().__init__(message)
        self.errors = list(errors)
        self.message = message


class RejectionError(Exception):
    """Raised by ``await`` when a promise rejects with a value that is not an exception.

    JavaScript can reject with any value; Python can only raise exceptions. The
    original value is kept as ``.reason``.
    """

    def __init__(self, reason: Any) -> None:
        super().__init__(f"Promise rejected with non-exception value: {reason!r}")
        self.reason = reason


class UnhandledPromiseRejection(Exception):
    """Node's error for an unhandled rejection whose reason is not an exception."""

    def __init__(self, reason: Any) -> None:
        super().__init__(
            "This error originated either by throwing inside of an async function without a "
            "catch block, or by rejecting a promise which was not handled with .catch(). "
            f'The promise rejected with the reason "{reason}".'
        )
        self.reason = reason
        self.code = "ERR_UNHANDLED_REJECTION"


def describe_received(value: Any) -> str:
    """Node's ``Received ...`` suffix of ERR_INVALID_ARG_TYPE messages."""
    if value is None:
        return "Received None"
    if callable(value):
        name = getattr(value, "__name__", "")
        return f"Received function {name}" if name else "Received function"
    if isinstance(value, (bool, int, float)):
        return f"Received type {type(value).__name__} ({value!r})"
    if isinstance(value, str):
        shown = value if len(value) <= 28 else value[:25] + "..."
        return f"Received type string ({shown!r})"
    return f"Received an instance of {type(value).__name__}"


def invalid_arg_type(name: str, expected: str, value: Any) -> NodeTypeError:
    """Build Node's ERR_INVALID_ARG_TYPE error."""
    return NodeTypeError(
        f'The "{name}" argument must be {expected}. {describe_received(value)}',
        "ERR_INVALID_ARG_TYPE",
    )


def invalid_property_type(name: str, expected: str, value: Any) -> NodeTypeError:
    """Node's ERR_INVALID_ARG_TYPE for an options property (``'The "options.x" property...'``)."""
    return NodeTypeError(
        f'The "{name}" property must be {expected}. {describe_received(value)}',
        "ERR_INVALID_ARG_TYPE",
    )


def ensure_callable(value: Any, name: str = "callback") -> None:
    """Raise Node's ERR_INVALID_ARG_TYPE unless ``value`` is callable."""
    if not callable(value):
        raise invalid_arg_type(name, "of type function", value)
