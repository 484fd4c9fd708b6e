"""``pipeline(...streams, callback)`` and its promise form (Node's streams/pipeline.js).

Owns: connecting a chain source → transforms → destination with
``pipe`` (node streams) or a pump (iterables, async-generator functions),
destroying every stage when any of them fails or closes early, and calling
the callback exactly once (from a nextTick) with the first real error
(ERR_STREAM_PREMATURE_CLOSE only if nothing better came).

Stages may be: Node-style streams; as the first stage an iterable, async
iterable or a function returning one; later, functions ``fn(source,
options)`` returning an async iterable (a transform) or, for the last stage,
a Promise (its value is passed to the callback).

Imports: _eos, _destroy, _utils, _transform (PassThrough), abort, asyncfn,
promise, timers (nextTick).
"""

from __future__ import annotations

import inspect
from typing import Any

from ..abort import AbortController, AbortError, add_abort_listener, validate_abort_signal
from ..asyncfn import asyncfn, start
from ..errors import ensure_callable
from ..promise import Promise
from ..timers import nextTick
from . import _destroy as destroy_impl
from ._eos import eos
from ._utils import (
    ERR_INVALID_ARG_TYPE,
    ERR_INVALID_RETURN_VALUE,
    ERR_MISSING_ARGS,
    ERR_STREAM_DESTROYED,
    ERR_STREAM_PREMATURE_CLOSE,
    aggregate_two_errors,
    isIterable,
    isNodeStream,
    isReadable,
    isReadableFinished,
    isReadableNodeStream,
    js_option,
)


def _destroyer(stream: Any, reading: bool, writing: bool) -> tuple[Any, Any]:
    finished = False

    def on_close(*_a: Any) -> None:
        nonlocal finished
        finished = True

    stream.on("close", on_close)

    def on_eos(err: Any = None) -> None:
        nonlocal finished
        finished = not err

    cleanup = eos(stream, {"readable": reading, "writable": writing}, on_eos)

    def destroy(err: Any = None) -> None:
        nonlocal finished
        if finished:
            return
        finished = True
        destroy_impl.destroyer(stream, err or ERR_STREAM_DESTROYED("pipe"))

    return destroy, cleanup


def _make_async_iterable(val: Any) -> Any:
    if isIterable(val):
        return val
    if isReadableNodeStream(val):
        return val.__aiter__()
    raise ERR_INVALID_ARG_TYPE("val", "an instance of Readable, Iterable, or AsyncIterable", val)


@asyncfn
async def _pump_to_node(iterable: Any, writable: Any, finish: Any, end: bool) -> None:
    error: Any = None
    onresolve: Any = None

    def resume(err: Any = None) -> None:
        nonlocal error, onresolve
        if err:
            error = err
        if onresolve is not None:
            cb = onresolve
            onresolve = None
            cb()

    def wait() -> Promise[Any]:
        def executor(resolve: Any, reject: Any) -> None:
            nonlocal onresolve
            if error:
                reject(error)
            else:

                def settle() -> None:
                    if error:
                        reject(error)
                    else:
                        resolve(None)

                onresolve = settle

        return Promise(executor)

    writable.on("drain", resume)
    cleanup = eos(writable, {"readable": False}, resume)
    try:
        if writable.writableNeedDrain:
            await wait()
        if hasattr(iterable, "__aiter__"):
            async for chunk in iterable:
                if not writable.write(chunk):
                    await wait()
        else:
            for chunk in iterable:
                if not writable.write(chunk):
                    await wait()
        if end:
            writable.end()
            await wait()
        finish()
    except Exception as err:
        finish(aggregate_two_errors(error, err) if error is not err else err)
    finally:
        cleanup()
        writable.off("drain", resume)


def pipeline(*streams: Any) -> Any:
    """``stream.pipeline(...streams, callback)``: returns the last stream."""
    streams_l = list(streams)
    cb = streams_l.pop() if streams_l else None
    ensure_callable(cb, "streams[stream.length - 1]")
    cb = js_option(cb, 2)
    called = False

    def once(*args: Any) -> None:
        nonlocal called
        if called:
            return
        called = True
        cb(*args)

    return pipeline_impl(streams_l, once, None)


def pipeline_impl(streams: list[Any], callback: Any, opts: dict[str, Any] | None) -> Any:
    if len(streams) == 1 and isinstance(streams[0], (list, tuple)):
        streams = list(streams[0])
    if len(streams) < 2:
        raise ERR_MISSING_ARGS("streams")
    ac = AbortController()
    signal = ac.signal
    outer_signal = (opts or {}).get("signal")
    validate_abort_signal(outer_signal, "options.signal")
    last_stream_cleanup: list[Any] = []
    error: Any = None
    value: Any = None
    destroys: list[Any] = []
    finish_count = 0

    def abort(*_a: Any) -> None:
        finish_impl(AbortError(cause=None if outer_signal is None else outer_signal.reason), False)

    dispose = add_abort_listener(outer_signal, abort) if outer_signal is not None else None

    def finish(err: Any = None) -> None:
        nonlocal finish_count
        finish_count -= 1
        finish_impl(err, finish_count == 0)

    def finish_impl(err: Any, final: bool) -> None:
        nonlocal error
        if err and (not error or getattr(error, "code", None) == "ERR_STREAM_PREMATURE_CLOSE"):
            error = err
        if not error and not final:
            return
        while destroys:
            destroys.pop(0)(error)
        if dispose is not None:
            dispose()
        ac.abort()
        if final:
            if not error:
                for fn in last_stream_cleanup:
                    fn()
            nextTick(callback, error, value)

    ret: Any = None
    n = len(streams)
    end_opt = (opts or {}).get("end") is not False
    for i, stream in enumerate(streams):
        reading = i < n - 1
        writing = i > 0
        end = reading or end_opt
        is_last = i == n - 1
        if isNodeStream(stream):
            if end:
                destroy, cleanup = _destroyer(stream, reading, writing)
                destroys.append(destroy)
                if isReadable(stream) and is_last:
                    last_stream_cleanup.append(cleanup)

            def on_error(err: Any = None) -> None:
                if (
                    err
                    and getattr(err, "name", None) != "AbortError"
                    and getattr(err, "code", None) != "ERR_STREAM_PREMATURE_CLOSE"
                ):
                    finish(err)

            stream.on("error", on_error)
            if isReadable(stream) and is_last:
                last_stream_cleanup.append(
                    lambda s=stream, f=on_error: s.removeListener("error", f)
                )
        if i == 0:
            if callable(stream) and not isNodeStream(stream):
                ret = js_option(stream, 1)({"signal": signal})
                if not isIterable(ret):
                    raise ERR_INVALID_RETURN_VALUE(
                        "Iterable, AsyncIterable or Stream", "source", ret
                    )
            elif isIterable(stream) or isReadableNodeStream(stream):
                ret = stream
            else:
                raise ERR_INVALID_ARG_TYPE(
                    "source", "an instance of Stream, Iterable, or AsyncIterable", stream
                )
        elif callable(stream) and not isNodeStream(stream):
            ret = _make_async_iterable(ret)
            ret = js_option(stream, 2)(ret, {"signal": signal})
            if inspect.iscoroutine(ret):  # an ``async def`` stage: run it as an async function
                ret = start(ret)
            if reading:
                if not isIterable(ret, True):
                    raise ERR_INVALID_RETURN_VALUE("AsyncIterable", f"transform[{i - 1}]", ret)
            else:
                from ._transform import PassThrough

                pt = PassThrough(objectMode=True)
                if isinstance(ret, Promise) or callable(getattr(ret, "then", None)):
                    finish_count += 1

                    def on_value(val: Any, pt: Any = pt, end: bool = end) -> None:
                        nonlocal value
                        value = val
                        if val is not None:
                            pt.write(val)
                        if end:
                            pt.end()
                        nextTick(finish)

                    def on_reject(err: Any, pt: Any = pt) -> None:
                        pt.destroy(err)
                        nextTick(finish, err)

                    ret.then(on_value, on_reject)
                elif isIterable(ret, True):
                    finish_count += 1
                    _pump_to_node(ret, pt, finish, end)
                else:
                    raise ERR_INVALID_RETURN_VALUE("AsyncIterable or Promise", "destination", ret)
                ret = pt
                destroy, cleanup = _destroyer(ret, False, True)
                destroys.append(destroy)
                if is_last:
                    last_stream_cleanup.append(cleanup)
        elif isNodeStream(stream):
            if isReadableNodeStream(ret):
                finish_count += 2
                cleanup = _pipe(ret, stream, finish, end)
                if isReadable(stream) and is_last:
                    last_stream_cleanup.append(cleanup)
            elif isIterable(ret):
                finish_count += 1
                _pump_to_node(ret, stream, finish, end)
            else:
                raise ERR_INVALID_ARG_TYPE(
                    "val", "an instance of Readable, Iterable, or AsyncIterable", ret
                )
            ret = stream
        else:
            raise ERR_INVALID_ARG_TYPE("streams", "an instance of Stream or function", stream)
    if signal.aborted or (outer_signal is not None and outer_signal.aborted):
        nextTick(abort)
    return ret


def _pipe(src: Any, dst: Any, finish: Any, end: bool) -> Any:
    ended = False

    def on_close(*_a: Any) -> None:
        if not ended:
            finish(ERR_STREAM_PREMATURE_CLOSE())

    dst.on("close", on_close)
    src.pipe(dst, {"end": False})
    if end:

        def end_fn(*_a: Any) -> None:
            nonlocal ended
            ended = True
            dst.end()

        if isReadableFinished(src):
            nextTick(end_fn)
        else:
            src.once("end", end_fn)
    else:
        finish()

    def on_src_eos(err: Any = None) -> None:
        r_state = src._readableState
        if (
            err
            and getattr(err, "code", None) == "ERR_STREAM_PREMATURE_CLOSE"
            and r_state is not None
            and r_state.ended
            and not r_state.errored
            and not r_state.errorEmitted
        ):
            src.once("end", finish).once("error", finish)
        else:
            finish(err)

    eos(src, {"readable": True, "writable": False}, on_src_eos)
    return eos(dst, {"readable": False, "writable": True}, finish)


def pipeline_promise(*streams: Any, **options: Any) -> Promise[Any]:
    """``stream.promises.pipeline(...streams[, options])``; options: ``signal``, ``end``."""
    streams_l = list(streams)
    opts: dict[str, Any] | None = dict(options) if options else None
    if streams_l and isinstance(streams_l[-1], dict) and not isNodeStream(streams_l[-1]):
        opts = {**streams_l.pop(), **(opts or {})}
    resolvers = Promise.withResolvers()

    def done(err: Any = None, value: Any = None) -> None:
        if err:
            resolvers.reject(err)
        else:
            resolvers.resolve(value)

    try:
        pipeline_impl(streams_l, done, opts)
    except Exception as exc:
        resolvers.reject(exc)
    return resolvers.promise
