"""``addAbortSignal(signal, stream)`` (Node's lib/internal/streams/add-abort-signal.js).

Owns: tying an AbortSignal to a stream: on abort the stream is destroyed
with an ``AbortError`` whose ``cause`` is the signal's reason; the listener
is removed when the stream finishes.

Imports: abort, _eos, _utils.
"""

from __future__ import annotations

from typing import Any

from ..abort import AbortError, AbortSignal, add_abort_listener
from ._utils import ERR_INVALID_ARG_TYPE, isNodeStream


def addAbortSignal(signal: Any, stream: Any) -> Any:
    """``stream.addAbortSignal(signal, stream)``: returns ``stream``."""
    if not isinstance(signal, AbortSignal):
        raise ERR_INVALID_ARG_TYPE("signal", "an instance of AbortSignal", signal)
    if not isNodeStream(stream):
        raise ERR_INVALID_ARG_TYPE(
            "stream", "an instance of ReadableStream, WritableStream, or Stream", stream
        )

    def on_abort(*_a: Any) -> None:
        stream.destroy(AbortError(cause=signal.reason))

    if signal.aborted:
        on_abort()
    else:
        from ._eos import eos

        dispose = add_abort_listener(signal, on_abort)
        eos(stream, lambda *_a: dispose())
    return stream
