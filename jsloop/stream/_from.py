"""``Readable.from_(iterable)`` (Node's lib/internal/streams/from.js).

Owns: a Readable (objectMode, highWaterMark 1 by default) fed from a
``str``/``bytes`` (one chunk), a sync iterable (values may be promises) or an
async iterable. Reading pulls one value per ``push`` that returns True;
destroying the stream closes the iterator (``athrow``/``aclose`` for async
generators, ``throw``/``close`` for generators). A ``None`` value is
JavaScript's ``null``: ERR_STREAM_NULL_VALUES.

Imports: asyncfn, promise, _utils, timers (nextTick).
"""

from __future__ import annotations

import inspect
from typing import Any

from ..asyncfn import asyncfn
from ..promise import Promise
from ..timers import nextTick
from ._utils import ERR_INVALID_ARG_TYPE, ERR_STREAM_NULL_VALUES


def _is_thenable(v: Any) -> bool:
    return isinstance(v, Promise) or (
        not isinstance(v, type) and callable(getattr(v, "then", None))
    )


def from_(cls: Any, iterable: Any, opts: dict[str, Any] | None) -> Any:
    if isinstance(iterable, (str, bytes, bytearray)):
        value = iterable

        def read_once(_n: int = 0) -> None:
            readable.push(value)
            readable.push(None)

        readable = cls({"objectMode": True, **(opts or {}), "read": read_once})
        return readable
    if hasattr(iterable, "__aiter__"):
        is_async = True
        iterator = iterable.__aiter__()
    elif hasattr(iterable, "__iter__"):
        is_async = False
        iterator = iter(iterable)
    else:
        raise ERR_INVALID_ARG_TYPE("iterable", "an instance of Iterable", iterable)
    readable = cls({"objectMode": True, "highWaterMark": 1, **(opts or {})})
    reading = False
    is_async_values = False

    def _read(_n: int = 0) -> None:
        nonlocal reading
        if not reading:
            reading = True
            if is_async:
                next_async()
            elif is_async_values:
                next_sync_with_async_values()
            else:
                next_sync_with_sync_values()

    def _destroy(error: Any, cb: Any) -> None:
        close(error).then(
            lambda _v: nextTick(cb, error),
            lambda e: nextTick(cb, e or error),
        )

    readable._read = _read
    readable._destroy = _destroy

    def push_value(value: Any) -> bool:
        """Push one iterated value; True to keep pulling (Node's loop body)."""
        nonlocal reading
        if value is None:
            reading = False
            raise ERR_STREAM_NULL_VALUES()
        if readable.push(value):
            return True
        reading = False
        return False

    @asyncfn
    async def close(error: Any) -> None:
        if is_async:
            if error is not None and hasattr(iterator, "athrow"):
                try:
                    await _as_promise(iterator.athrow(error))
                    # not done: fall through to aclose
                except StopAsyncIteration:
                    return
                except BaseException as exc:
                    if exc is error:
                        return
                    raise
            if hasattr(iterator, "aclose"):
                await _as_promise(iterator.aclose())
        else:
            if error is not None and inspect.isgenerator(iterator):
                try:
                    iterator.throw(error)
                except StopIteration:
                    return
                except BaseException as exc:
                    if exc is error:
                        return
                    raise
            if hasattr(iterator, "close"):
                iterator.close()

    def next_sync_with_sync_values() -> None:
        while True:
            try:
                try:
                    value = next(iterator)
                except StopIteration:
                    readable.push(None)
                    return
                if _is_thenable(value):
                    change_to_async_values(value)
                    return
                if push_value(value):
                    continue
            except Exception as err:
                readable.destroy(err)
            break

    @asyncfn
    async def change_to_async_values(value: Any) -> None:
        nonlocal is_async_values
        is_async_values = True
        try:
            if push_value(await value):
                next_sync_with_async_values()
        except Exception as err:
            readable.destroy(err)

    @asyncfn
    async def next_sync_with_async_values() -> None:
        while True:
            try:
                try:
                    value = next(iterator)
                except StopIteration:
                    readable.push(None)
                    return
                res = (await value) if _is_thenable(value) else value
                if push_value(res):
                    continue
            except Exception as err:
                readable.destroy(err)
            break

    @asyncfn
    async def next_async() -> None:
        while True:
            try:
                try:
                    value = await _as_promise(iterator.__anext__())
                except StopAsyncIteration:
                    readable.push(None)
                    return
                if push_value(value):
                    continue
            except Exception as err:
                readable.destroy(err)
            break

    return readable


def _as_promise(awaitable: Any) -> Any:
    """Drive a Python awaitable (an async generator step) as a JS promise."""
    if isinstance(awaitable, Promise):
        return awaitable
    if inspect.iscoroutine(awaitable):
        from ..asyncfn import start

        return start(awaitable)

    async def run() -> Any:
        return await awaitable

    from ..asyncfn import start

    return start(run())
