"""Readable streams (Node's lib/internal/streams/readable.js).

Owns: ``ReadableState`` and ``Readable``: ``push``/``unshift`` into a buffer
(an index-advanced list, Node's ``bufferIndex`` trick), paused mode
(``'readable'`` + ``read(n)``) and flowing mode (``'data'``; ``resume``,
``pause``, ``pipe``), ``setEncoding`` through a StringDecoder, end detection
(``push(None)`` → ``'end'`` once the buffer drains), ``pipe``/``unpipe`` with
per-destination drain accounting.

The tick structure is Node 20's: 'readable' is emitted from a nextTick
(``emit_readable_``), reads ahead are scheduled with ``maybe_read_more`` in a
nextTick, ``resume()`` starts flowing in a nextTick, 'end' comes a nextTick
after the last byte was consumed. ``push`` called synchronously inside
``_read`` (``kSync``) never emits 'data' directly.

State is one int of flag bits (``state.bits``) plus plain slots; named
properties (``state.flowing`` ...) exist for callers and tests.

Imports: _utils, _destroy, _legacy, timers (nextTick); _iter, _from lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ensure_callable
from ..events import _OnceWrapper
from ..timers import nextTick
from . import _destroy as destroy_impl
from ._legacy import Stream, merge_options, prependListener
from ._rstate import (
    ReadableState,
    _NaN,
    kDataEmitted,
    kDataListening,
    kDecoder,
    kEmittedReadable,
    kEnded,
    kEndEmitted,
    kFlowing,
    kHasFlowing,
    kHasPaused,
    kMultiAwaitDrain,
    kNeedReadable,
    kPaused,
    kReadableListening,
    kReading,
    kReadingMore,
    kResumeScheduled,
    kSync,
)
from ._utils import (
    CHUNK_TYPES,
    ERR_INVALID_ARG_TYPE,
    ERR_METHOD_NOT_IMPLEMENTED,
    ERR_OUT_OF_RANGE,
    ERR_STREAM_PUSH_AFTER_EOF,
    ERR_STREAM_UNSHIFT_AFTER_END_EVENT,
    StringDecoder,
    check_fn,
    decode,
    encode,
    js_option,
    kAutoDestroy,
    kClosed,
    kCloseEmitted,
    kConstructed,
    kDestroyed,
    kErrored,
    kErrorEmitted,
    kObjectMode,
)

# -- push / unshift ----------------------------------------------------------------------


def _to_bytes_chunk(stream: Any, state: ReadableState, chunk: Any, encoding: Any) -> Any:
    """Byte-mode chunk normalisation; returns (chunk, encoding) or None after an error."""
    if isinstance(chunk, str):
        encoding = encoding or state.defaultEncoding
        if state.encoding != encoding:
            return encode(chunk, encoding), ""
        return chunk, encoding
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk), ""
    destroy_impl.errorOrDestroy(stream, ERR_INVALID_ARG_TYPE("chunk", CHUNK_TYPES, chunk))
    return None


def add_chunk_push_bytes(stream: Any, state: ReadableState, chunk: Any, encoding: Any) -> bool:
    if chunk is None:
        state.bits &= ~kReading
        on_eof_chunk(stream, state)
        return False
    if type(chunk) is bytes:
        encoding = ""
    else:
        res = _to_bytes_chunk(stream, state, chunk, encoding)
        if res is None:
            return False
        chunk, encoding = res
    if not chunk:
        state.bits &= ~kReading
        maybe_read_more(stream, state)
        return can_push_more(state)
    bits = state.bits
    if bits & kEnded:
        destroy_impl.errorOrDestroy(stream, ERR_STREAM_PUSH_AFTER_EOF())
        return False
    if bits & (kDestroyed | kErrored):
        return False
    state.bits = bits & ~kReading
    if bits & kDecoder and not encoding:
        chunk = state.decoder.write(chunk)  # type: ignore[union-attr]
        if not chunk:
            maybe_read_more(stream, state)
            return can_push_more(state)
    add_chunk(stream, state, chunk, False)
    return can_push_more(state)


def add_chunk_push_objects(stream: Any, state: ReadableState, chunk: Any, encoding: Any) -> bool:
    if chunk is None:
        state.bits &= ~kReading
        on_eof_chunk(stream, state)
        return False
    if state.bits & kEnded:
        destroy_impl.errorOrDestroy(stream, ERR_STREAM_PUSH_AFTER_EOF())
        return False
    if state.bits & (kDestroyed | kErrored):
        return False
    state.bits &= ~kReading
    if state.bits & kDecoder and not encoding:
        chunk = state.decoder.write(chunk)  # type: ignore[union-attr]
    add_chunk(stream, state, chunk, False)
    return can_push_more(state)


def add_chunk_unshift(stream: Any, state: ReadableState, chunk: Any, encoding: Any) -> bool:
    if chunk is None:
        state.bits &= ~kReading
        on_eof_chunk(stream, state)
        return False
    if not state.bits & kObjectMode:
        if isinstance(chunk, str):
            encoding = encoding or state.defaultEncoding
            if state.encoding != encoding:
                data = encode(chunk, encoding)
                chunk = decode(data, state.encoding) if state.encoding else data
        elif isinstance(chunk, (bytearray, memoryview)):
            chunk = bytes(chunk)
        elif not isinstance(chunk, bytes):
            destroy_impl.errorOrDestroy(stream, ERR_INVALID_ARG_TYPE("chunk", CHUNK_TYPES, chunk))
            return False
        if not chunk:
            return can_push_more(state)
    if state.bits & kEndEmitted:
        destroy_impl.errorOrDestroy(stream, ERR_STREAM_UNSHIFT_AFTER_END_EVENT())
    elif state.bits & (kDestroyed | kErrored):
        return False
    else:
        add_chunk(stream, state, chunk, True)
    return can_push_more(state)


def can_push_more(state: ReadableState) -> bool:
    return not state.bits & kEnded and (state.length < state.highWaterMark or state.length == 0)


def add_chunk(stream: Any, state: ReadableState, chunk: Any, add_to_front: bool) -> None:
    bits = state.bits
    if bits & (kFlowing | kSync | kDataListening) == (kFlowing | kDataListening) and (
        state.length == 0
    ):
        if bits & kMultiAwaitDrain:
            state.awaitDrainWriters.clear()
        elif state.awaitDrainWriters is not None:
            state.awaitDrainWriters = None
        state.bits = bits | kDataEmitted
        stream.emit("data", chunk)
    else:
        state.length += 1 if bits & kObjectMode else len(chunk)
        if add_to_front:
            if state.bufferIndex > 0:
                state.bufferIndex -= 1
                state.buffer[state.bufferIndex] = chunk
            elif state.buffer:
                state.buffer.insert(0, chunk)
            else:
                state.buffer = [chunk]
        elif state.buffer:
            state.buffer.append(chunk)
        else:
            state.buffer = [chunk]  # (an idle stream holds no list: see ReadableState)
        if bits & kNeedReadable:
            emit_readable(stream)
    # maybe_read_more(stream, state), inlined: this runs once per chunk.
    if state.bits & (kReadingMore | kConstructed) == kConstructed:
        state.bits |= kReadingMore
        nextTick(maybe_read_more_, stream, state)


# -- read() ----------------------------------------------------------------------------

MAX_HWM = 0x40000000


def compute_new_high_water_mark(n: int) -> int:
    if n > MAX_HWM:
        raise ERR_OUT_OF_RANGE("size", "<= 1GiB", n)
    return 1 << (n - 1).bit_length() if n > 0 else 0


def how_much_to_read(n: float, state: ReadableState) -> int:
    bits = state.bits
    if n <= 0 or (state.length == 0 and bits & kEnded):
        return 0
    if bits & kObjectMode:
        return 1
    if n != n:  # NaN: read everything (or the first chunk when flowing)
        if bits & kFlowing and state.length:
            return len(state.buffer[state.bufferIndex])
        return state.length
    if n <= state.length:
        return int(n)
    return state.length if bits & kEnded else 0


def read(stream: Any, n: Any = None) -> Any:
    """``readable.read([size])`` (the body of Readable.read)."""
    if n is None:
        n = _NaN
    elif not isinstance(n, int) or isinstance(n, bool):
        try:
            n = int(n)
        except (TypeError, ValueError):
            n = _NaN
    state: ReadableState = stream._readableState
    n_orig = n
    if n > state.highWaterMark:
        state.highWaterMark = compute_new_high_water_mark(n)
    if n != 0:
        state.bits &= ~kEmittedReadable
    if n == 0 and state.bits & kNeedReadable and (
        (state.length >= state.highWaterMark if state.highWaterMark != 0 else state.length > 0)
        or state.bits & kEnded
    ):
        if state.length == 0 and state.bits & kEnded:
            end_readable(stream)
        else:
            emit_readable(stream)
        return None
    n = how_much_to_read(n, state)
    if n == 0 and state.bits & kEnded:
        if state.length == 0:
            end_readable(stream)
        return None
    do_read = bool(state.bits & kNeedReadable)
    if state.length == 0 or state.length - n < state.highWaterMark:
        do_read = True
    if state.bits & (kReading | kEnded | kDestroyed | kErrored | kConstructed) != kConstructed:
        do_read = False
    elif do_read:
        state.bits |= kReading | kSync
        if state.length == 0:
            state.bits |= kNeedReadable
        try:
            stream._read(state.highWaterMark)
        except Exception as exc:
            destroy_impl.errorOrDestroy(stream, exc)
        state.bits &= ~kSync
        if not state.bits & kReading:
            n = how_much_to_read(n_orig, state)
    ret = from_list(n, state) if n > 0 else None
    if ret is None:
        if state.length <= state.highWaterMark:
            state.bits |= kNeedReadable
        n = 0
    else:
        state.length -= n
        if state.bits & kMultiAwaitDrain:
            state.awaitDrainWriters.clear()
        elif state.awaitDrainWriters is not None:
            state.awaitDrainWriters = None
    if state.length == 0:
        if not state.bits & kEnded:
            state.bits |= kNeedReadable
        if n_orig != n and state.bits & kEnded:
            end_readable(stream)
    if ret is not None and not state.bits & (kErrorEmitted | kCloseEmitted):
        state.bits |= kDataEmitted
        stream.emit("data", ret)
    return ret


def on_eof_chunk(stream: Any, state: ReadableState) -> None:
    if state.bits & kEnded:
        return
    decoder = state.decoder if state.bits & kDecoder else None
    if decoder is not None:
        chunk = decoder.end()
        if chunk:
            if state.buffer:
                state.buffer.append(chunk)
            else:
                state.buffer = [chunk]
            state.length += 1 if state.bits & kObjectMode else len(chunk)
    state.bits |= kEnded
    if state.bits & kSync:
        emit_readable(stream)
    else:
        state.bits = (state.bits & ~kNeedReadable) | kEmittedReadable
        emit_readable_(stream)


def emit_readable(stream: Any) -> None:
    state = stream._readableState
    state.bits &= ~kNeedReadable
    if not state.bits & kEmittedReadable:
        state.bits |= kEmittedReadable
        nextTick(emit_readable_, stream)


def emit_readable_(stream: Any) -> None:
    state = stream._readableState
    if not state.bits & (kDestroyed | kErrored) and (state.length or state.bits & kEnded):
        stream.emit("readable")
        state.bits &= ~kEmittedReadable
    if not state.bits & (kFlowing | kEnded) and state.length <= state.highWaterMark:
        state.bits |= kNeedReadable
    flow(stream)


def maybe_read_more(stream: Any, state: ReadableState) -> None:
    if state.bits & (kReadingMore | kConstructed) == kConstructed:
        state.bits |= kReadingMore
        nextTick(maybe_read_more_, stream, state)


def maybe_read_more_(stream: Any, state: ReadableState) -> None:
    while not state.bits & (kReading | kEnded) and (
        state.length < state.highWaterMark or (state.bits & kFlowing and state.length == 0)
    ):
        ln = state.length
        stream.read(0)
        if ln == state.length:
            break
    state.bits &= ~kReadingMore


def flow(stream: Any) -> None:
    state = stream._readableState
    while state.bits & kFlowing and stream.read() is not None:
        pass


def from_list(n: int, state: ReadableState) -> Any:
    """Take ``n`` units off the front of the buffer (all of it for a NaN/0 ``n``)."""
    if state.length == 0:
        return None
    idx = state.bufferIndex
    buf = state.buffer
    ln = len(buf)
    if state.bits & kObjectMode:
        ret = buf[idx]
        buf[idx] = None
        idx += 1
    elif not n or n >= state.length:
        if ln - idx == 1:
            ret = buf[idx]
            buf[idx] = None
            idx += 1
        elif ln - idx == 0:
            ret = "" if state.bits & kDecoder else b""
        else:
            ret = ("" if state.bits & kDecoder else b"").join(buf[idx:])
            idx = ln
    else:
        first = buf[idx]
        if n < len(first):
            ret = first[:n]
            buf[idx] = first[n:]
        elif n == len(first):
            ret = first
            buf[idx] = None
            idx += 1
        else:
            parts = []
            while idx < ln:
                data = buf[idx]
                if n > len(data):
                    parts.append(data)
                    n -= len(data)
                    buf[idx] = None
                    idx += 1
                else:
                    if n == len(data):
                        parts.append(data)
                        buf[idx] = None
                        idx += 1
                    else:
                        parts.append(data[:n])
                        buf[idx] = data[n:]
                    break
            ret = ("" if state.bits & kDecoder else b"").join(parts)
    if idx == ln:
        state.buffer = ()  # give the list back: most streams rarely buffer
        state.bufferIndex = 0
    elif idx > 1024:
        del buf[:idx]
        state.bufferIndex = 0
    else:
        state.bufferIndex = idx
    return ret


def end_readable(stream: Any) -> None:
    state = stream._readableState
    if not state.bits & kEndEmitted:
        state.bits |= kEnded
        nextTick(end_readable_nt, state, stream)


def end_readable_nt(state: ReadableState, stream: Any) -> None:
    if not state.bits & (kErrored | kCloseEmitted | kEndEmitted) and state.length == 0:
        state.bits |= kEndEmitted
        stream.emit("end")
        if getattr(stream, "writable", False) and getattr(stream, "allowHalfOpen", True) is False:
            nextTick(end_writable_nt, stream)
        elif state.bits & kAutoDestroy:
            ws = stream._writableState
            if ws is None or (ws.autoDestroy and (ws.finished or ws.writable is False)):
                stream.destroy()


def end_writable_nt(stream: Any) -> None:
    if stream.writable and not stream.writableEnded and not stream.destroyed:
        stream.end()


# -- flowing-mode control --------------------------------------------------------------


def update_readable_listening(self: Any) -> None:
    state = self._readableState
    if self.listenerCount("readable") > 0:
        state.bits |= kReadableListening
    else:
        state.bits &= ~kReadableListening
    bits = state.bits
    if bits & (kHasPaused | kPaused | kResumeScheduled) == (kHasPaused | kResumeScheduled):
        state.bits |= kHasFlowing | kFlowing
    elif bits & kDataListening:
        self.resume()
    elif not bits & kReadableListening:
        state.bits &= ~(kHasFlowing | kFlowing)


def n_reading_next_tick(self: Any) -> None:
    self.read(0)


def resume_(stream: Any, state: ReadableState) -> None:
    if not state.bits & kReading:
        stream.read(0)
    state.bits &= ~kResumeScheduled
    stream.emit("resume")
    flow(stream)
    if state.bits & (kFlowing | kReading) == kFlowing:
        stream.read(0)


class Readable(Stream):
    """Node's ``stream.Readable``.

    Subclass and override ``_read(size)`` (call ``self.push(chunk)``; ``push(None)``
    ends the stream), optionally ``_destroy(err, callback)`` and
    ``_construct(callback)``; or pass ``read=``, ``destroy=``, ``construct=``
    options (called with Node's arguments, not with the stream). Options:
    ``highWaterMark``, ``objectMode``, ``encoding``, ``defaultEncoding``,
    ``emitClose``, ``autoDestroy``, ``signal``; as a dict or as keywords.
    Chunks are ``bytes`` (``str`` once an encoding is set); in objectMode any
    value but ``None``, which is JavaScript's ``null`` (end of stream).
    """

    __slots__ = ()

    _construct: Any = None
    allowHalfOpen = True

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        opts = merge_options(options, kwargs)
        Stream.__init__(self)
        self._readableState = ReadableState(opts, self, False)
        if opts:
            _apply_readable_options(self, opts)
            signal = opts.get("signal")
            if signal is not None:
                from ._abort import addAbortSignal

                addAbortSignal(signal, self)
        if self._construct is not None:
            destroy_impl.construct(self, lambda: self._readableState.on_constructed(self))

    destroy = destroy_impl.destroy

    def _undestroy(self) -> None:
        destroy_impl.undestroy(self)

    def _destroy(self, err: Any, cb: Any) -> None:
        cb(err)

    def push(self, chunk: Any, encoding: Any = None) -> bool:
        """``readable.push(chunk[, encoding])``: False when the buffer is at highWaterMark."""
        state = self._readableState
        bits = state.bits
        if type(chunk) is bytes and chunk and not bits & (
            kObjectMode | kEnded | kDestroyed | kErrored | kDecoder
        ):
            # The socket path: add_chunk_push_bytes for a non-empty bytes chunk, inlined.
            state.bits = bits & ~kReading
            add_chunk(self, state, chunk, False)
            return not state.bits & kEnded and (
                state.length < state.highWaterMark or state.length == 0
            )
        if bits & kObjectMode:
            return add_chunk_push_objects(self, state, chunk, encoding)
        return add_chunk_push_bytes(self, state, chunk, encoding)

    def unshift(self, chunk: Any, encoding: Any = None) -> bool:
        """``readable.unshift(chunk)``: put data back at the front of the buffer."""
        return add_chunk_unshift(self, self._readableState, chunk, encoding)

    def isPaused(self) -> bool:
        bits = self._readableState.bits
        return bool(bits & kPaused) or bits & (kHasFlowing | kFlowing) == kHasFlowing

    def setEncoding(self, enc: Any) -> Any:
        """``readable.setEncoding(enc)``: chunks become ``str``; split characters survive."""
        state = self._readableState
        decoder = StringDecoder(enc)
        state.decoder = decoder
        state.encoding = decoder.encoding
        state.bits |= kDecoder
        content = "".join(decoder.write(d) for d in state.buffer[state.bufferIndex:])
        state.buffer = [content] if content else ()
        state.bufferIndex = 0
        state.length = len(content)
        return self

    def read(self, n: Any = None) -> Any:
        """``readable.read([size])``: None when not enough data is buffered."""
        return read(self, n)

    def _read(self, n: int) -> None:
        raise ERR_METHOD_NOT_IMPLEMENTED("_read()")

    def pipe(self, dest: Any, options: Any = None) -> Any:
        """``readable.pipe(dest[, {end}])``: flow into ``dest`` with backpressure."""
        from ._pipe import pipe

        return pipe(self, dest, options)

    def unpipe(self, dest: Any = None) -> Any:
        state = self._readableState
        if not state.pipes:
            return self
        if dest is None:
            dests = state.pipes
            state.pipes = ()
            self.pause()
            for d in dests:
                d.emit("unpipe", self, {"hasUnpiped": False})
            return self
        try:
            index = state.pipes.index(dest)
        except ValueError:
            return self
        del state.pipes[index]
        if not state.pipes:
            self.pause()
        dest.emit("unpipe", self, {"hasUnpiped": False})
        return self

    def on(self, event: Any, listener: Callable[..., Any]) -> Any:
        ev = event
        res = Stream.on(self, ev, listener)
        state = self._readableState
        if ev == "data":
            state.bits |= kDataListening
            if self.listenerCount("readable") > 0:
                state.bits |= kReadableListening
            if state.bits & (kHasFlowing | kFlowing) != kHasFlowing:
                self.resume()
        elif ev == "readable" and not state.bits & (kEndEmitted | kReadableListening):
            state.bits = (state.bits | kReadableListening | kNeedReadable | kHasFlowing) & ~(
                kFlowing | kEmittedReadable
            )
            if state.length:
                emit_readable(self)
            elif not state.bits & kReading:
                nextTick(n_reading_next_tick, self)
        return res

    addListener = on

    def once(self, event: Any, listener: Callable[..., Any]) -> Any:
        ensure_callable(listener, "listener")
        return self.on(event, _OnceWrapper(self, event, listener))

    def removeListener(self, event: Any, listener: Callable[..., Any]) -> Any:
        ev = event
        res = Stream.removeListener(self, ev, listener)
        if ev == "readable":
            nextTick(update_readable_listening, self)
        elif ev == "data" and self.listenerCount("data") == 0:
            self._readableState.bits &= ~kDataListening
        return res

    off = removeListener

    def removeAllListeners(self, event: Any = None) -> Any:
        res = Stream.removeAllListeners(self, event)
        if event == "readable" or event is None:
            nextTick(update_readable_listening, self)
        return res

    def resume(self) -> Any:
        """``readable.resume()``: switch to flowing mode (from a nextTick)."""
        state = self._readableState
        if not state.bits & kFlowing:
            state.bits |= kHasFlowing
            if not state.bits & kReadableListening:
                state.bits |= kFlowing
            else:
                state.bits &= ~kFlowing
            if not state.bits & kResumeScheduled:
                state.bits |= kResumeScheduled
                nextTick(resume_, self, state)
        state.bits = (state.bits | kHasPaused) & ~kPaused
        return self

    def pause(self) -> Any:
        """``readable.pause()``: stop 'data' events; emits 'pause' if it was flowing."""
        state = self._readableState
        if state.bits & (kHasFlowing | kFlowing) != kHasFlowing:
            state.bits = (state.bits | kHasFlowing) & ~kFlowing
            self.emit("pause")
        state.bits |= kHasPaused | kPaused
        return self

    def wrap(self, stream: Any) -> Any:
        """``readable.wrap(oldStream)``: adopt an old-style stream as this one's source."""
        from ._iter import wrap

        return wrap(self, stream)

    def __aiter__(self) -> Any:
        from ._iter import ReadableIterator

        return ReadableIterator(self, True)

    def iterator(self, options: Any = None, **kwargs: Any) -> Any:
        """``readable.iterator({destroyOnReturn})`` for ``async for``."""
        opts = merge_options(options, kwargs) or {}
        from ._iter import ReadableIterator

        return ReadableIterator(self, opts.get("destroyOnReturn") is not False)

    def toArray(self, options: Any = None) -> Any:
        """``readable.toArray([{signal}])``: a Promise of every chunk (Node's operator)."""
        from ._iter import to_array

        return to_array(self, options)

    @classmethod
    def from_(cls, iterable: Any, opts: Any = None, **kwargs: Any) -> Any:
        """``Readable.from(iterable[, options])``: objectMode by default."""
        from ._from import from_

        return from_(cls, iterable, merge_options(opts, kwargs))

    # -- properties --------------------------------------------------------------------

    @property
    def readable(self) -> bool:
        r = self._readableState
        return (
            r is not None and r.readable is not False
            and not r.bits & (kDestroyed | kErrorEmitted | kEndEmitted)
        )

    @readable.setter
    def readable(self, val: Any) -> None:
        if self._readableState is not None:
            self._readableState.readable = bool(val)

    @property
    def readableDidRead(self) -> bool:
        return bool(self._readableState.bits & kDataEmitted)

    @property
    def readableAborted(self) -> bool:
        r = self._readableState
        return bool(
            r.readable is not False
            and (r.bits & kDestroyed or r.errored)
            and not r.bits & kEndEmitted
        )

    @property
    def readableHighWaterMark(self) -> int:
        return self._readableState.highWaterMark  # type: ignore[no-any-return]

    @property
    def readableBuffer(self) -> list[Any]:
        r = self._readableState
        return r.buffer[r.bufferIndex:]  # type: ignore[no-any-return]

    @property
    def readableFlowing(self) -> bool | None:
        return self._readableState.flowing  # type: ignore[no-any-return]

    @readableFlowing.setter
    def readableFlowing(self, value: Any) -> None:
        if self._readableState is not None:
            self._readableState.flowing = value

    @property
    def readableLength(self) -> int:
        return self._readableState.length  # type: ignore[no-any-return]

    @property
    def readableObjectMode(self) -> bool:
        r = self._readableState
        return bool(r.bits & kObjectMode) if r is not None else False

    @property
    def readableEncoding(self) -> str | None:
        r = self._readableState
        return r.encoding if r is not None else None

    @property
    def errored(self) -> Any:
        r = self._readableState
        return r.errored if r is not None else None

    @property
    def closed(self) -> bool:
        r = self._readableState
        return bool(r.bits & kClosed) if r is not None else False

    @property
    def destroyed(self) -> bool:
        r = self._readableState
        return bool(r.bits & kDestroyed) if r is not None else False

    @destroyed.setter
    def destroyed(self, value: bool) -> None:
        if self._readableState is not None:
            self._readableState.destroyed = value

    @property
    def readableEnded(self) -> bool:
        r = self._readableState
        return bool(r.bits & kEndEmitted) if r is not None else False


def _apply_readable_options(self: Any, opts: dict[str, Any]) -> None:
    fn = check_fn(opts.get("read"), "options.read")
    if fn is not None:
        self._read = js_option(fn, 1)
    fn = check_fn(opts.get("destroy"), "options.destroy")
    if fn is not None:
        self._destroy = js_option(fn, 2)
    fn = check_fn(opts.get("construct"), "options.construct")
    if fn is not None:
        self._construct = js_option(fn, 1)


__all__ = [
    "Readable",
    "ReadableState",
    "kDataEmitted",
    "kDataListening",
    "kDecoder",
    "kEmittedReadable",
    "kEndEmitted",
    "kEnded",
    "kFlowing",
    "kHasFlowing",
    "kHasPaused",
    "kMultiAwaitDrain",
    "kNeedReadable",
    "kPaused",
    "kReadableListening",
    "kReading",
    "kReadingMore",
    "kResumeScheduled",
    "kSync",
    "prependListener",
]
