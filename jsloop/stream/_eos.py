"""``finished(stream, [options], callback)`` (Node's lib/internal/streams/end-of-stream.js).

Owns: end-of-stream detection: the callback runs once, with no error when
the stream ended ('end' for the readable side, 'finish' for the writable
side, or both for a duplex) and 'close' followed (if it will be emitted),
with the error on 'error', or with ERR_STREAM_PREMATURE_CLOSE on a 'close'
before the end. Returns a cleanup function that removes its listeners.
Also the promise form ``finished_promise`` (``stream.promises.finished``).

Imports: _utils, timers (nextTick), promise; abort lazily.
"""

from __future__ import annotations

from typing import Any

from ..errors import ensure_callable
from ..promise import Promise
from ..timers import nextTick
from ._utils import (
    ERR_INVALID_ARG_TYPE,
    ERR_STREAM_PREMATURE_CLOSE,
    isClosed,
    isNodeStream,
    isReadable,
    isReadableErrored,
    isReadableFinished,
    isReadableNodeStream,
    isWritable,
    isWritableErrored,
    isWritableFinished,
    isWritableNodeStream,
    willEmitClose,
)


def _nop(*_a: Any) -> None:
    return None


_MISSING: Any = object()


def eos(stream: Any, options: Any = None, callback: Any = _MISSING) -> Any:
    """``stream.finished(stream[, options], callback)``; returns the cleanup function."""
    if callback is _MISSING:  # two arguments: (stream, callback)
        callback = options
        options = {}
    elif options is None:
        options = {}
    elif not isinstance(options, dict):
        raise ERR_INVALID_ARG_TYPE("options", "of type object", options)
    ensure_callable(callback, "callback")
    signal = options.get("signal")
    if signal is not None:
        from ..abort import validate_abort_signal

        validate_abort_signal(signal, "options.signal")
    if not isNodeStream(stream):
        raise ERR_INVALID_ARG_TYPE(
            "stream", "an instance of ReadableStream, WritableStream, or Stream", stream
        )
    user_cb = callback
    done = [False]

    def cb(*args: Any) -> None:
        if done[0]:
            return
        done[0] = True
        user_cb(*args)

    callback = cb
    readable = options.get("readable")
    if readable is None:
        readable = isReadableNodeStream(stream)
    writable = options.get("writable")
    if writable is None:
        writable = isWritableNodeStream(stream)
    w_state = getattr(stream, "_writableState", None)
    r_state = getattr(stream, "_readableState", None)

    will_emit_close = (
        bool(willEmitClose(stream))
        and isReadableNodeStream(stream) == readable
        and isWritableNodeStream(stream) == writable
    )
    writable_finished = bool(isWritableFinished(stream, False))
    readable_finished = bool(isReadableFinished(stream, False))

    def onlegacyfinish(*_a: Any) -> None:
        if not getattr(stream, "writable", False):
            onfinish()

    def onfinish(*_a: Any) -> None:
        nonlocal writable_finished, will_emit_close
        writable_finished = True
        if getattr(stream, "destroyed", False):
            will_emit_close = False
        if will_emit_close and (not getattr(stream, "readable", False) or readable):
            return
        if not readable or readable_finished:
            callback()

    def onend(*_a: Any) -> None:
        nonlocal readable_finished, will_emit_close
        readable_finished = True
        if getattr(stream, "destroyed", False):
            will_emit_close = False
        if will_emit_close and (not getattr(stream, "writable", False) or writable):
            return
        if not writable or writable_finished:
            callback()

    def onerror(err: Any = None) -> None:
        callback(err)

    closed = bool(isClosed(stream))

    def onclose(*_a: Any) -> None:
        nonlocal closed
        closed = True
        errored = isWritableErrored(stream) or isReadableErrored(stream)
        if errored and not isinstance(errored, bool):
            callback(errored)
            return
        if (
            readable
            and not readable_finished
            and isReadableNodeStream(stream, True)
            and not isReadableFinished(stream, False)
        ):
            callback(ERR_STREAM_PREMATURE_CLOSE())
            return
        if writable and not writable_finished and not isWritableFinished(stream, False):
            callback(ERR_STREAM_PREMATURE_CLOSE())
            return
        callback()

    def onclosed() -> None:
        nonlocal closed
        closed = True
        errored = isWritableErrored(stream) or isReadableErrored(stream)
        if errored and not isinstance(errored, bool):
            callback(errored)
            return
        callback()

    if writable and w_state is None:  # legacy streams
        stream.on("end", onlegacyfinish)
        stream.on("close", onlegacyfinish)
    if not will_emit_close and isinstance(getattr(stream, "aborted", None), bool):
        stream.on("aborted", onclose)
    stream.on("end", onend)
    stream.on("finish", onfinish)
    if options.get("error") is not False:
        stream.on("error", onerror)
    stream.on("close", onclose)

    if closed:
        nextTick(onclose)
    elif (w_state is not None and w_state.errorEmitted) or (
        r_state is not None and r_state.errorEmitted
    ):
        if not will_emit_close:
            nextTick(onclosed)
    elif (
        not readable
        and (not will_emit_close or isReadable(stream))
        and (writable_finished or isWritable(stream) is False)
        and (w_state is None or w_state.pendingcb == 0)
    ) or (
        not writable
        and (not will_emit_close or isWritable(stream))
        and (readable_finished or isReadable(stream) is False)
    ):
        nextTick(onclosed)

    def cleanup() -> None:
        nonlocal callback
        callback = _nop
        stream.removeListener("aborted", onclose)
        stream.removeListener("end", onlegacyfinish)
        stream.removeListener("close", onlegacyfinish)
        stream.removeListener("finish", onfinish)
        stream.removeListener("end", onend)
        stream.removeListener("error", onerror)
        stream.removeListener("close", onclose)

    if signal is not None and not closed:
        from ..abort import AbortError, add_abort_listener

        def abort(*_a: Any) -> None:
            end_callback = callback
            cleanup()
            end_callback(AbortError(cause=signal.reason))

        if signal.aborted:
            nextTick(abort)
        else:
            dispose = add_abort_listener(signal, abort)
            original = callback

            def with_dispose(*args: Any) -> None:
                dispose()
                original(*args)

            callback = with_dispose
    return cleanup


def finished(stream: Any, options: Any = None, callback: Any = _MISSING) -> Any:
    """``stream.finished``: the callback form (see ``eos``)."""
    return eos(stream, options, callback)


def finished_promise(stream: Any, opts: Any = None) -> Promise[Any]:
    """``stream.promises.finished(stream[, options])``: resolves with None or rejects."""
    auto_cleanup = False
    if opts and opts.get("cleanup") is not None:
        auto_cleanup = opts["cleanup"]
        if not isinstance(auto_cleanup, bool):
            raise ERR_INVALID_ARG_TYPE("cleanup", "of type boolean", auto_cleanup)
    resolvers = Promise.withResolvers()
    cleanup_box: list[Any] = []

    def on_done(err: Any = None) -> None:
        if auto_cleanup and cleanup_box:
            cleanup_box[0]()
        if err:
            resolvers.reject(err)
        else:
            resolvers.resolve(None)

    cleanup_box.append(eos(stream, opts, on_done))
    return resolvers.promise
