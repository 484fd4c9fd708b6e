"""ReadableState: the readable side's flag bits and counters (Node's readable.js ``ReadableState``).

Owns: the bit constants of the readable side (bits 0..8 are shared with the
writable side, see _utils) and the slotted ``ReadableState`` with named
properties over ``bits`` for callers and tests.

Imports: _utils.
"""

from __future__ import annotations

from typing import Any

from ._utils import (
    StateBase,
    StringDecoder,
    flag_property,
    kAutoDestroy,
    kConstructed,
    kEmitClose,
    parse_common_options,
)

kEnded = 1 << 9
kEndEmitted = 1 << 10
kReading = 1 << 11
kSync = 1 << 12
kNeedReadable = 1 << 13
kEmittedReadable = 1 << 14
kReadableListening = 1 << 15
kResumeScheduled = 1 << 16
kMultiAwaitDrain = 1 << 17
kReadingMore = 1 << 18
kDataEmitted = 1 << 19
kDecoder = 1 << 21
kHasFlowing = 1 << 23
kFlowing = 1 << 24
kHasPaused = 1 << 25
kPaused = 1 << 26
kDataListening = 1 << 27

_NaN = float("nan")


class ReadableState(StateBase):
    """Node's ``ReadableState``."""

    # Cold fields are class-level defaults, stored per instance (in a ``__dict__``
    # made on first write) only by streams that set them: an idle socket's state
    # is 32 B smaller. Hot paths guard their writes (``awaitDrainWriters``).
    __slots__ = ("__dict__", "buffer", "bufferIndex", "highWaterMark", "length")

    awaitDrainWriters: Any = None
    decoder: StringDecoder | None = None
    encoding: str | None = None
    defaultEncoding = "utf8"
    # A shared empty tuple until the first pipe() (saves a list per stream).
    pipes: Any = ()
    readable: bool | None = None

    def __init__(self, options: dict[str, Any] | None, stream: Any, is_duplex: bool) -> None:
        bits, self.highWaterMark, default_encoding = parse_common_options(
            options, is_duplex, "readable", kEmitClose | kAutoDestroy | kConstructed | kSync
        )
        if default_encoding != "utf8":
            self.defaultEncoding = default_encoding
        enc = options.get("encoding") if options else None
        if enc:
            self.decoder = StringDecoder(enc)
            self.encoding = self.decoder.encoding
            bits |= kDecoder
        self.bits = bits
        # The buffered chunks: a shared empty tuple until something is buffered, and
        # again once read empty (a list is 56 B per idle stream; sockets rarely buffer).
        self.buffer: Any = ()
        self.bufferIndex = 0
        self.length = 0
        self._errored: Any = None

    ended = flag_property(kEnded)
    endEmitted = flag_property(kEndEmitted)
    reading = flag_property(kReading)
    sync = flag_property(kSync)
    needReadable = flag_property(kNeedReadable)
    emittedReadable = flag_property(kEmittedReadable)
    readableListening = flag_property(kReadableListening)
    resumeScheduled = flag_property(kResumeScheduled)
    multiAwaitDrain = flag_property(kMultiAwaitDrain)
    readingMore = flag_property(kReadingMore)
    dataEmitted = flag_property(kDataEmitted)

    @property
    def flowing(self) -> bool | None:
        return bool(self.bits & kFlowing) if self.bits & kHasFlowing else None

    @flowing.setter
    def flowing(self, value: Any) -> None:
        if value is None:
            self.bits &= ~(kHasFlowing | kFlowing)
        elif value:
            self.bits |= kHasFlowing | kFlowing
        else:
            self.bits = (self.bits | kHasFlowing) & ~kFlowing

    @property
    def paused(self) -> bool:
        return bool(self.bits & kPaused)

    @paused.setter
    def paused(self, value: Any) -> None:
        self.bits |= kHasPaused
        if value:
            self.bits |= kPaused
        else:
            self.bits &= ~kPaused

    @property
    def pipesCount(self) -> int:
        return len(self.pipes)

    def on_constructed(self, stream: Any) -> None:
        if self.bits & kNeedReadable:
            from ._readable import maybe_read_more

            maybe_read_more(stream, self)
