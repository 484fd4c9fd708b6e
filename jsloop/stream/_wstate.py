"""WritableState: the writable side's flag bits and counters (Node's writable.js ``WritableState``).

Owns: the bit constants of the writable side (bits 0..8 are shared with the
readable side, see _utils), ``WriteReq`` (one buffered write), ``Chunks``
(what ``_writev`` receives) and the slotted ``WritableState`` with named
properties over ``bits`` for callers and tests.

Imports: _utils.
"""

from __future__ import annotations

from typing import Any

from ._utils import (
    StateBase,
    flag_property,
    kAutoDestroy,
    kConstructed,
    kEmitClose,
    nop,
    parse_common_options,
)

kSync = 1 << 9
kFinalCalled = 1 << 10
kNeedDrain = 1 << 11
kEnding = 1 << 12
kFinished = 1 << 13
kDecodeStrings = 1 << 14
kWriting = 1 << 15
kBufferProcessing = 1 << 16
kPrefinished = 1 << 17
kAllBuffers = 1 << 18
kAllNoop = 1 << 19
kOnFinished = 1 << 20
kHasWritable = 1 << 21
kWritable = 1 << 22
kCorked = 1 << 23
kExpectWriteCb = 1 << 26
kAfterWritePending = 1 << 28
kEnded = 1 << 30


# writable.onwrite, installed by _writable at import (it imports this module, not the
# other way round); a one-element list so the hot path is a plain global read.
_onwrite: list[Any] = [None]


class WriteReq:
    """One buffered write (Node's ``{chunk, encoding, callback}``)."""

    __slots__ = ("callback", "chunk", "encoding")

    def __init__(self, chunk: Any, encoding: str, callback: Any) -> None:
        self.chunk = chunk
        self.encoding = encoding
        self.callback = callback

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __repr__(self) -> str:
        return f"WriteReq({self.chunk!r}, {self.encoding!r})"


class Chunks(list[Any]):
    """The list ``_writev`` receives; ``allBuffers`` says whether every chunk is bytes."""

    allBuffers = True


class WritableState(StateBase):
    """Node's ``WritableState``."""

    __slots__ = (
        "_buffered", "_default_encoding", "_on_finished",
        "after_tick", "bufferedIndex", "corked", "highWaterMark", "length",
        "pendingcb", "stream", "writecb", "writelen",
    )

    def __init__(self, options: dict[str, Any] | None, stream: Any, is_duplex: bool) -> None:
        bits, self.highWaterMark, self._default_encoding = parse_common_options(
            options, is_duplex, "writable",
            kSync | kConstructed | kEmitClose | kAutoDestroy | kDecodeStrings,
        )
        if options and options.get("decodeStrings") is False:
            bits &= ~kDecodeStrings
        self.bits = bits
        self.length = 0
        self.corked = 0
        self.stream = stream
        self.writelen = 0
        self.writecb: Any = nop
        self._buffered: list[Any] | None = None
        self.bufferedIndex = 0
        self.pendingcb = 0
        self._errored: Any = None
        self._on_finished: list[Any] | None = None
        self.after_tick: Any = None  # the pending _AfterWriteTick, if any
        self._reset_buffer()

    @property
    def onwrite(self) -> Any:
        """The callback handed to ``_write``: the state itself (one object less per stream)."""
        return self

    def __call__(self, er: Any = None, *_rest: Any) -> None:
        _onwrite[0](self.stream, er)

    def _reset_buffer(self) -> None:
        self._buffered = None
        self.bufferedIndex = 0
        self.bits = (self.bits | kAllBuffers | kAllNoop)

    finalCalled = flag_property(kFinalCalled)
    needDrain = flag_property(kNeedDrain)
    ending = flag_property(kEnding)
    ended = flag_property(kEnded)
    finished = flag_property(kFinished)
    decodeStrings = flag_property(kDecodeStrings)
    writing = flag_property(kWriting)
    sync = flag_property(kSync)
    bufferProcessing = flag_property(kBufferProcessing)
    prefinished = flag_property(kPrefinished)
    allBuffers = flag_property(kAllBuffers)
    allNoop = flag_property(kAllNoop)

    @property
    def writable(self) -> bool | None:
        if self.bits & kHasWritable:
            return bool(self.bits & kWritable)
        return None

    @writable.setter
    def writable(self, value: Any) -> None:
        if value is None:
            self.bits &= ~(kHasWritable | kWritable)
        elif value:
            self.bits |= kHasWritable | kWritable
        else:
            self.bits = (self.bits | kHasWritable) & ~kWritable

    @property
    def defaultEncoding(self) -> str:
        return self._default_encoding

    @defaultEncoding.setter
    def defaultEncoding(self, value: str) -> None:
        self._default_encoding = value

    @property
    def buffered(self) -> list[Any]:
        return self._buffered if self._buffered is not None else []

    def getBuffer(self) -> list[Any]:
        if self._buffered is None:
            return []
        return self._buffered[self.bufferedIndex:]

    @property
    def bufferedRequestCount(self) -> int:
        if self._buffered is None:
            return 0
        return len(self._buffered) - self.bufferedIndex

    def on_constructed(self, stream: Any) -> None:
        from ._writable import clear_buffer, finish_maybe

        if not self.bits & kWriting:
            clear_buffer(stream, self)
        if self.bits & kEnding:
            finish_maybe(stream, self, False)
