"""``jsloop.stream``: Node 20's ``stream`` module.

``Readable``, ``Writable``, ``Duplex``, ``Transform``, ``PassThrough``,
``pipeline``, ``finished``, ``addAbortSignal``, ``Readable.from_``, and
``stream.promises`` (``pipeline``, ``finished``), with Node 20's event and
tick order: the package is a transliteration of lib/internal/streams, and it
calls ``process.nextTick`` (``jsloop.nextTick``) exactly where Node does.

Layout follows Node's: _readable, _writable, _duplex, _transform (and
PassThrough), _destroy, _eos (finished), _pipeline, _from, _iter (async
iteration, wrap), _pipe (Readable.pipe), _abort (addAbortSignal), _legacy
(the Stream base), _utils (state bits, errors, encodings, predicates).
See docs/streams.md.

Imports: its submodules only (which import events, timers, promise, asyncfn, abort).
"""

from __future__ import annotations

from types import SimpleNamespace

from ._abort import addAbortSignal
from ._duplex import Duplex
from ._eos import finished, finished_promise
from ._legacy import Stream
from ._pipeline import pipeline, pipeline_promise
from ._readable import Readable
from ._rstate import ReadableState
from ._transform import PassThrough, Transform
from ._utils import (
    StreamError,
    StringDecoder,
    getDefaultHighWaterMark,
    isDisturbed,
    isErrored,
    isReadable,
    isWritable,
    setDefaultHighWaterMark,
)
from ._writable import Writable
from ._wstate import WritableState

promises = SimpleNamespace(pipeline=pipeline_promise, finished=finished_promise)
"""``require('stream/promises')``: ``pipeline(...)`` and ``finished(stream)`` returning Promises."""

Stream.Readable = Readable  # type: ignore[attr-defined]
Stream.Writable = Writable  # type: ignore[attr-defined]
Stream.Duplex = Duplex  # type: ignore[attr-defined]
Stream.Transform = Transform  # type: ignore[attr-defined]
Stream.PassThrough = PassThrough  # type: ignore[attr-defined]

__all__ = [
    "Duplex",
    "PassThrough",
    "Readable",
    "ReadableState",
    "Stream",
    "StreamError",
    "StringDecoder",
    "Transform",
    "Writable",
    "WritableState",
    "addAbortSignal",
    "finished",
    "getDefaultHighWaterMark",
    "isDisturbed",
    "isErrored",
    "isReadable",
    "isWritable",
    "pipeline",
    "promises",
    "setDefaultHighWaterMark",
]
