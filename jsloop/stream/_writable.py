"""Writable streams (Node's lib/internal/streams/writable.js).

Owns: ``WritableState`` and ``Writable``: ``write()`` (returns False once
``length >= highWaterMark``; 'drain' when it empties again), buffering while
a ``_write`` is in flight, corked or not yet constructed, ``cork``/``uncork``
flushing through ``_writev``, ``end()`` → ``_final`` → 'prefinish' →
'finish' (one nextTick later) → autoDestroy → 'close'.

How a write flows: ``write`` → ``_write`` (if nothing else is in flight,
else buffered) → ``_write`` calls ``onwrite(err)``. A synchronous callback
defers the user callback and 'drain' to one nextTick (``afterWriteTick``,
merging consecutive callbacks of the same function into one tick, as Node);
an asynchronous one runs them at once. The next buffered chunk is written
from ``onwrite`` itself.

State is one int of flag bits (``state.bits``) plus a few plain slots, as in
Node 20; the named properties (``state.ending`` ...) are for tests and
callers, the code tests bits.

Imports: _utils, _destroy, _legacy, timers (nextTick).
"""

from __future__ import annotations

from typing import Any

from ..timers import nextTick
from . import _destroy as destroy_impl
from . import _wstate
from ._legacy import Stream, merge_options
from ._utils import (
    CHUNK_TYPES,
    ERR_INVALID_ARG_TYPE,
    ERR_METHOD_NOT_IMPLEMENTED,
    ERR_MULTIPLE_CALLBACK,
    ERR_STREAM_ALREADY_FINISHED,
    ERR_STREAM_CANNOT_PIPE,
    ERR_STREAM_DESTROYED,
    ERR_STREAM_NULL_VALUES,
    ERR_STREAM_WRITE_AFTER_END,
    ERR_UNKNOWN_ENCODING,
    check_fn,
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
    nop,
    normalize_encoding,
)
from ._wstate import (
    Chunks,
    WritableState,
    WriteReq,
    kAfterWritePending,
    kAllBuffers,
    kAllNoop,
    kBufferProcessing,
    kCorked,
    kDecodeStrings,
    kEnded,
    kEnding,
    kExpectWriteCb,
    kFinalCalled,
    kFinished,
    kHasWritable,
    kNeedDrain,
    kOnFinished,
    kPrefinished,
    kSync,
    kWritable,
    kWriting,
)


class _AfterWriteTick:
    __slots__ = ("cb", "count", "state", "stream")

    def __init__(self, stream: Any, state: WritableState, cb: Any) -> None:
        self.stream = stream
        self.state = state
        self.cb = cb
        self.count = 1


def _write(stream: Any, chunk: Any, encoding: Any, cb: Any) -> Any:
    state: WritableState = stream._writableState
    if cb is None or not callable(cb):
        cb = nop
    elif cb is not nop:
        cb = js_option(cb, 1)
    if chunk is None:
        raise ERR_STREAM_NULL_VALUES()
    if not state.bits & kObjectMode:
        if not encoding:
            encoding = state._default_encoding
        elif encoding != "buffer":
            norm = normalize_encoding(encoding)
            if norm is None:
                raise ERR_UNKNOWN_ENCODING(encoding)
            encoding = norm
        t = type(chunk)
        if t is bytes:
            encoding = "buffer"
        elif t is str:
            if state.bits & kDecodeStrings:
                chunk = encode(chunk, encoding)
                encoding = "buffer"
        elif isinstance(chunk, (bytes, bytearray, memoryview)):
            chunk = bytes(chunk)
            encoding = "buffer"
        elif isinstance(chunk, str):
            chunk = str(chunk)
            if state.bits & kDecodeStrings:
                chunk = encode(chunk, encoding)
                encoding = "buffer"
        else:
            raise ERR_INVALID_ARG_TYPE("chunk", CHUNK_TYPES, chunk)
    err = None
    if state.bits & kEnding:
        err = ERR_STREAM_WRITE_AFTER_END()
    elif state.bits & kDestroyed:
        err = ERR_STREAM_DESTROYED("write")
    if err is not None:
        nextTick(cb, err)
        destroy_impl.errorOrDestroy(stream, err, True)
        return err
    state.pendingcb += 1
    return write_or_buffer(stream, state, chunk, encoding, cb)


def write_or_buffer(stream: Any, state: WritableState, chunk: Any, encoding: str, cb: Any) -> bool:
    ln = 1 if state.bits & kObjectMode else len(chunk)
    state.length += ln
    bits = state.bits
    if bits & (kWriting | kErrored | kCorked | kConstructed) != kConstructed:
        buffered = state._buffered
        if buffered is None:
            buffered = state._buffered = []
        buffered.append(WriteReq(chunk, encoding, cb))
        if bits & kAllBuffers and encoding != "buffer":
            state.bits &= ~kAllBuffers
        if bits & kAllNoop and cb is not nop:
            state.bits &= ~kAllNoop
    else:
        state.writelen = ln
        if cb is not nop:
            state.writecb = cb
        state.bits = bits | kWriting | kSync | kExpectWriteCb
        stream._write(chunk, encoding, state)
        state.bits &= ~kSync
    ret = state.length < state.highWaterMark or state.length == 0
    if not ret:
        state.bits |= kNeedDrain
    return ret and not state.bits & (kDestroyed | kErrored)


def do_write(
    stream: Any, state: WritableState, writev: bool, ln: int, chunk: Any, encoding: str, cb: Any
) -> None:
    state.writelen = ln
    if cb is not nop:
        state.writecb = cb
    state.bits |= kWriting | kSync | kExpectWriteCb
    if state.bits & kDestroyed:
        state(ERR_STREAM_DESTROYED("write"))
    elif writev:
        stream._writev(chunk, state)
    else:
        stream._write(chunk, encoding, state)
    state.bits &= ~kSync


def onwrite_error(stream: Any, state: WritableState, er: Any, cb: Any) -> None:
    state.pendingcb -= 1
    cb(er)
    error_buffer(state)
    destroy_impl.errorOrDestroy(stream, er)


def onwrite(stream: Any, er: Any) -> None:
    state: WritableState = stream._writableState
    bits = state.bits
    if not bits & kExpectWriteCb:
        destroy_impl.errorOrDestroy(stream, ERR_MULTIPLE_CALLBACK())
        return
    sync = bool(bits & kSync)
    cb = state.writecb
    state.writecb = nop
    state.bits = bits & ~(kWriting | kExpectWriteCb)
    state.length -= state.writelen
    state.writelen = 0
    if er:
        if not state.bits & kErrored:
            state._errored = er
            state.bits |= kErrored
        rs = stream._readableState
        if rs is not None and not rs.errored:
            rs.errored = er
        if sync:
            nextTick(onwrite_error, stream, state, er, cb)
        else:
            onwrite_error(stream, state, er, cb)
        return
    if state._buffered is not None:
        clear_buffer(stream, state)
    if sync:
        bits = state.bits
        need_drain = bool(bits & kNeedDrain) and state.length == 0
        # Node 20 reads `state[kState] & kDestroyed !== 0`, which JS parses as
        # `state & 1` (kObjectMode): objectMode writes always take the tick.
        need_tick = need_drain or bool(bits & kObjectMode) or cb is not nop
        if cb is nop:
            if not bits & kAfterWritePending and need_tick:
                nextTick(after_write, stream, state, 1, cb)
                state.bits |= kAfterWritePending
            else:
                state.pendingcb -= 1
                if state.bits & kEnding:
                    finish_maybe(stream, state, True)
        elif state.after_tick is not None and state.after_tick.cb is cb:
            state.after_tick.count += 1
        elif need_tick:
            info = state.after_tick = _AfterWriteTick(stream, state, cb)
            nextTick(after_write_tick, info)
            state.bits |= kAfterWritePending
        else:
            state.pendingcb -= 1
            if state.bits & kEnding:
                finish_maybe(stream, state, True)
    else:
        after_write(stream, state, 1, cb)


_wstate._onwrite[0] = onwrite


def after_write_tick(info: _AfterWriteTick) -> None:
    info.state.after_tick = None
    after_write(info.stream, info.state, info.count, info.cb)


def after_write(stream: Any, state: WritableState, count: int, cb: Any) -> None:
    state.bits &= ~kAfterWritePending
    bits = state.bits
    need_drain = bits & (kEnding | kNeedDrain | kDestroyed) == kNeedDrain and state.length == 0
    if need_drain:
        state.bits &= ~kNeedDrain
        stream.emit("drain")
    while count > 0:
        count -= 1
        state.pendingcb -= 1
        cb(None)
    if state.bits & kDestroyed:
        error_buffer(state)
    if state.bits & kEnding:
        finish_maybe(stream, state, True)


def error_buffer(state: WritableState) -> None:
    if state.bits & kWriting:
        return
    buffered = state._buffered
    if buffered is not None:
        objmode = state.bits & kObjectMode
        for n in range(state.bufferedIndex, len(buffered)):
            req = buffered[n]
            state.length -= 1 if objmode else len(req.chunk)
            err = state.errored
            req.callback(err if err is not None else ERR_STREAM_DESTROYED("write"))
    err = state.errored
    call_finished_callbacks(state, err if err is not None else ERR_STREAM_DESTROYED("end"))
    state._reset_buffer()


def clear_buffer(stream: Any, state: WritableState) -> None:
    if state._buffered is None or (
        state.bits & (kDestroyed | kBufferProcessing | kCorked | kConstructed) != kConstructed
    ):
        return
    objmode = state.bits & kObjectMode
    buffered = state._buffered
    i = state.bufferedIndex
    buffered_length = len(buffered) - i
    if not buffered_length:
        return
    state.bits |= kBufferProcessing
    if buffered_length > 1 and stream._writev is not None:
        state.pendingcb -= buffered_length - 1
        if state.bits & kAllNoop:
            callback: Any = nop
        else:
            start = i

            def callback(err: Any = None) -> None:
                for n in range(start, len(buffered)):
                    buffered[n].callback(err)

        chunks = Chunks(buffered[i:])
        chunks.allBuffers = bool(state.bits & kAllBuffers)
        do_write(stream, state, True, state.length, chunks, "", callback)
        state._reset_buffer()
    else:
        while True:
            req = buffered[i]
            buffered[i] = None
            i += 1
            do_write(stream, state, False, 1 if objmode else len(req.chunk), req.chunk,
                     req.encoding, req.callback)
            if i >= len(buffered) or state.bits & kWriting:
                break
        if i == len(buffered):
            state._reset_buffer()
        elif i > 256:
            del buffered[:i]
            state.bufferedIndex = 0
        else:
            state.bufferedIndex = i
    state.bits &= ~kBufferProcessing


def need_finish(state: WritableState) -> bool:
    return (
        state.bits & (kEnding | kDestroyed | kConstructed | kFinished | kWriting | kErrorEmitted
                      | kCloseEmitted | kErrored) == (kEnding | kConstructed)
        and state._buffered is None
        and state.length == 0
    )


def on_finish(stream: Any, state: WritableState, err: Any) -> None:
    if state.bits & kPrefinished:
        destroy_impl.errorOrDestroy(stream, err if err is not None else ERR_MULTIPLE_CALLBACK())
        return
    state.pendingcb -= 1
    if err:
        call_finished_callbacks(state, err)
        destroy_impl.errorOrDestroy(stream, err, bool(state.bits & kSync))
    elif need_finish(state):
        state.bits |= kPrefinished
        stream.emit("prefinish")
        state.pendingcb += 1
        nextTick(finish, stream, state)


def prefinish(stream: Any, state: WritableState) -> None:
    if state.bits & (kPrefinished | kFinalCalled):
        return
    final = stream._final
    if callable(final) and not state.bits & kDestroyed:
        state.bits |= kFinalCalled | kSync
        state.pendingcb += 1
        try:
            final(lambda err=None, *_rest: on_finish(stream, state, err))
        except Exception as exc:
            on_finish(stream, state, exc)
        state.bits &= ~kSync
    else:
        state.bits |= kFinalCalled | kPrefinished
        stream.emit("prefinish")


def _finish_tick(stream: Any, state: WritableState) -> None:
    if need_finish(state):
        finish(stream, state)
    else:
        state.pendingcb -= 1


def finish_maybe(stream: Any, state: WritableState, sync: bool) -> None:
    if need_finish(state):
        prefinish(stream, state)
        if state.pendingcb == 0:
            if sync:
                state.pendingcb += 1
                nextTick(_finish_tick, stream, state)
            elif need_finish(state):
                state.pendingcb += 1
                finish(stream, state)


def finish(stream: Any, state: WritableState) -> None:
    state.pendingcb -= 1
    state.bits |= kFinished
    call_finished_callbacks(state, None)
    stream.emit("finish")
    if state.bits & kAutoDestroy:
        rs = stream._readableState
        if rs is None or (rs.autoDestroy and (rs.endEmitted or rs.readable is False)):
            stream.destroy()


def call_finished_callbacks(state: WritableState, err: Any) -> None:
    cbs = state._on_finished
    if cbs is None:
        return
    state._on_finished = None
    state.bits &= ~kOnFinished
    for cb in cbs:
        cb(err)


class Writable(Stream):
    """Node's ``stream.Writable``.

    Subclass and override ``_write(chunk, encoding, callback)`` (and optionally
    ``_writev(chunks, callback)``, ``_final(callback)``, ``_destroy(err,
    callback)``, ``_construct(callback)``), or pass them as options
    (``write=``, ``writev=``, ``final=``, ``destroy=``, ``construct=``):
    option functions are called with Node's arguments, not with the stream
    (close over the stream if you need it). Options: ``highWaterMark``,
    ``objectMode``, ``decodeStrings``, ``defaultEncoding``, ``emitClose``,
    ``autoDestroy``, ``signal``; as a dict or as keywords.
    """

    __slots__ = ()

    _writev: Any = None
    _final: Any = None
    _construct: Any = None

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        opts = merge_options(options, kwargs)
        Stream.__init__(self)
        self._writableState = WritableState(opts, self, False)
        if opts:
            _apply_writable_options(self, opts)
            signal = opts.get("signal")
            if signal is not None:
                from ._abort import addAbortSignal

                addAbortSignal(signal, self)
        if self._construct is not None:
            destroy_impl.construct(self, lambda: self._writableState.on_constructed(self))

    def pipe(self, dest: Any, options: Any = None) -> Any:
        destroy_impl.errorOrDestroy(self, ERR_STREAM_CANNOT_PIPE())
        return None

    def write(self, chunk: Any, encoding: Any = None, cb: Any = None) -> bool:
        """``writable.write(chunk[, encoding][, cb])``: False means wait for 'drain'."""
        state = self._writableState
        if (
            type(chunk) is bytes
            and encoding is None
            and cb is None
            and not state.bits & (kObjectMode | kEnding | kDestroyed)
        ):
            # The socket path: _write() for a plain bytes chunk without callback, inlined.
            state.pendingcb += 1
            return write_or_buffer(self, state, chunk, "buffer", nop)
        if encoding is not None and callable(encoding):
            cb = encoding
            encoding = None
        return _write(self, chunk, encoding, cb) is True

    def cork(self) -> None:
        state = self._writableState
        state.bits |= kCorked
        state.corked += 1

    def uncork(self) -> None:
        state = self._writableState
        if state.corked:
            state.corked -= 1
            if not state.corked:
                state.bits &= ~kCorked
            if not state.bits & kWriting:
                clear_buffer(self, state)

    def setDefaultEncoding(self, encoding: Any) -> Any:
        if isinstance(encoding, str):
            encoding = encoding.lower()
        norm = normalize_encoding(encoding)
        if norm is None or norm == "buffer":
            raise ERR_UNKNOWN_ENCODING(encoding)
        self._writableState._default_encoding = norm
        return self

    def _write(self, chunk: Any, encoding: str, callback: Any) -> None:
        if self._writev is not None:
            self._writev(Chunks([WriteReq(chunk, encoding, nop)]), callback)
        else:
            raise ERR_METHOD_NOT_IMPLEMENTED("_write()")

    def end(self, chunk: Any = None, encoding: Any = None, cb: Any = None) -> Any:
        """``writable.end([chunk][, encoding][, cb])``: cb runs on 'finish' or with the error."""
        state = self._writableState
        if callable(chunk):
            cb = chunk
            chunk = None
            encoding = None
        elif callable(encoding):
            cb = encoding
            encoding = None
        err = None
        if chunk is not None:
            ret = _write(self, chunk, encoding, None)
            if isinstance(ret, BaseException):
                err = ret
        if state.bits & kCorked:
            state.corked = 1
            self.uncork()
        if err is not None:
            pass
        elif not state.bits & (kEnding | kErrored):
            state.bits |= kEnding
            finish_maybe(self, state, True)
            state.bits |= kEnded
        elif state.bits & kFinished:
            err = ERR_STREAM_ALREADY_FINISHED("end")
        elif state.bits & kDestroyed:
            err = ERR_STREAM_DESTROYED("end")
        if callable(cb):
            cb = js_option(cb, 1)
            if err is not None:
                nextTick(cb, err)
            elif state.bits & kErrored:
                nextTick(cb, state._errored)
            elif state.bits & kFinished:
                nextTick(cb, None)
            else:
                state.bits |= kOnFinished
                if state._on_finished is None:
                    state._on_finished = []
                state._on_finished.append(cb)
        return self

    def destroy(self, err: Any = None, cb: Any = None) -> Any:
        """``writable.destroy([err])``: buffered writes fail with ERR_STREAM_DESTROYED."""
        state = self._writableState
        if (state._buffered is not None or state._on_finished is not None) and not (
            state.bits & kDestroyed
        ):
            nextTick(error_buffer, state)
        destroy_impl.destroy(self, err, cb)
        return self

    def _undestroy(self) -> None:
        destroy_impl.undestroy(self)

    def _destroy(self, err: Any, cb: Any) -> None:
        cb(err)

    # -- properties ------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        s = self._writableState
        return bool(s.bits & kClosed) if s is not None else False

    @property
    def destroyed(self) -> bool:
        s = self._writableState
        return bool(s.bits & kDestroyed) if s is not None else False

    @destroyed.setter
    def destroyed(self, value: bool) -> None:
        if self._writableState is not None:
            self._writableState.destroyed = value

    @property
    def writable(self) -> bool:
        w = self._writableState
        return (
            w is not None and w.writable is not False
            and not w.bits & (kEnding | kEnded | kDestroyed | kErrored)
        )

    @writable.setter
    def writable(self, val: Any) -> None:
        if self._writableState is not None:
            self._writableState.writable = bool(val)

    @property
    def writableFinished(self) -> bool:
        s = self._writableState
        return bool(s.bits & kFinished) if s is not None else False

    @property
    def writableObjectMode(self) -> bool:
        s = self._writableState
        return bool(s.bits & kObjectMode) if s is not None else False

    @property
    def writableBuffer(self) -> list[Any]:
        return self._writableState.getBuffer()  # type: ignore[no-any-return]

    @property
    def writableEnded(self) -> bool:
        s = self._writableState
        return bool(s.bits & kEnding) if s is not None else False

    @property
    def writableNeedDrain(self) -> bool:
        s = self._writableState
        return s is not None and s.bits & (kDestroyed | kEnding | kNeedDrain) == kNeedDrain

    @property
    def writableHighWaterMark(self) -> int:
        return self._writableState.highWaterMark  # type: ignore[no-any-return]

    @property
    def writableCorked(self) -> int:
        s = self._writableState
        return s.corked if s is not None else 0

    @property
    def writableLength(self) -> int:
        return self._writableState.length  # type: ignore[no-any-return]

    @property
    def errored(self) -> Any:
        s = self._writableState
        return s.errored if s is not None else None

    @property
    def writableAborted(self) -> bool:
        s = self._writableState
        bits = s.bits
        return (
            bits & (kHasWritable | kWritable) != kHasWritable
            and bool(bits & (kDestroyed | kErrored))
            and not bits & kFinished
        )


def _apply_writable_options(self: Any, opts: dict[str, Any]) -> None:
    fn = check_fn(opts.get("write"), "options.write")
    if fn is not None:
        self._write = js_option(fn, 3)
    fn = check_fn(opts.get("writev"), "options.writev")
    if fn is not None:
        self._writev = js_option(fn, 2)
    fn = check_fn(opts.get("destroy"), "options.destroy")
    if fn is not None:
        self._destroy = js_option(fn, 2)
    fn = check_fn(opts.get("final"), "options.final")
    if fn is not None:
        self._final = js_option(fn, 1)
    fn = check_fn(opts.get("construct"), "options.construct")
    if fn is not None:
        self._construct = js_option(fn, 1)


__all__ = [
    "Writable",
    "WritableState",
    "kAfterWritePending",
    "kAllBuffers",
    "kAllNoop",
    "kBufferProcessing",
    "kCorked",
    "kDecodeStrings",
    "kEnded",
    "kEnding",
    "kExpectWriteCb",
    "kFinalCalled",
    "kFinished",
    "kHasWritable",
    "kNeedDrain",
    "kOnFinished",
    "kPrefinished",
    "kSync",
    "kWritable",
    "kWriting",
]
