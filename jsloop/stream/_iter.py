"""``async for chunk in readable`` (Node's ``createAsyncIterator``), ``toArray`` and ``wrap``.

Owns: ``ReadableIterator``. Each ``__anext__`` reads what is buffered
(``stream.read()``), else waits for 'readable' or the end of the stream
(``finished`` with ``writable=False``). The stream ending gives
StopAsyncIteration; an error is raised from ``__anext__``.

Leaving the loop early (``break``, ``return``, an exception in the body)
destroys the stream, as leaving Node's ``for await`` calls ``return()``:
Python does not tell an iterator that its loop was left, so the iterator
does it when it is dropped (CPython frees it right there, by reference
count; the stream's listeners only reference a small shared ``_IterState``,
never the iterator, so no cycle delays that). ``aclose()`` does it
explicitly. With ``readable.iterator(destroyOnReturn=False)`` the stream is
left open instead.

A buffered chunk reaches the loop body two microtask ticks after
``__anext__`` is called, and the end or an error one tick after it is known,
as in Node (an async generator driven by ``for await``).

Imports: promise, asyncfn, _destroy, _eos, _utils (abort lazily).
"""

from __future__ import annotations

from typing import Any

from ..asyncfn import asyncfn
from ..promise import Promise
from . import _destroy as destroy_impl
from ._utils import ERR_INVALID_ARG_TYPE, aggregate_two_errors

_UNSET: Any = object()  # JavaScript's undefined: no error and not finished


def _resolved() -> Promise[Any]:
    return Promise.resolve(None)


class _IterState:
    __slots__ = ("callback", "error")

    def __init__(self) -> None:
        self.callback: Any = None
        self.error: Any = _UNSET

    def on_readable(self, *_a: Any) -> None:
        cb = self.callback
        self.callback = None
        if cb is not None:
            cb(None)

    def on_eos(self, err: Any = None) -> None:
        prev = None if self.error is _UNSET else self.error
        self.error = aggregate_two_errors(prev, err) if err else None
        self.on_readable()

    def wait(self, resolve: Any, _reject: Any) -> None:
        self.callback = resolve


class ReadableIterator:
    """The async iterator of a Readable (``readable.__aiter__()`` / ``readable.iterator()``)."""

    __slots__ = ("_cleanup", "_done", "_state", "destroy_on_return", "stream")

    def __init__(self, stream: Any, destroy_on_return: bool) -> None:
        from ._eos import eos

        self.stream = stream
        self.destroy_on_return = destroy_on_return
        self._done = False
        st = self._state = _IterState()
        stream.on("readable", st.on_readable)
        self._cleanup = eos(stream, {"writable": False}, st.on_eos)

    def __aiter__(self) -> ReadableIterator:
        return self

    async def __anext__(self) -> Any:
        if self._done:
            raise StopAsyncIteration
        stream = self.stream
        st = self._state
        try:
            while True:
                chunk = None if stream.destroyed else stream.read()
                if chunk is not None:
                    # Node's `yield` in an async generator plus `for await`: 2 ticks.
                    await _resolved()
                    await _resolved()
                    return chunk
                if st.error is None:
                    self._finish()
                    # the generator returns; `for await` sees it one tick later
                    await _resolved()
                    raise StopAsyncIteration
                if st.error is not _UNSET:
                    raise st.error
                await Promise(st.wait)
        except StopAsyncIteration:
            raise
        except Exception as err:  # not GeneratorExit: a dropped waiter must just close
            st.error = aggregate_two_errors(None if st.error is _UNSET else st.error, err)
            self._finish()
            await _resolved()  # the rejection reaches `for await` one tick later
            raise

    def _finish(self) -> None:
        """The ``finally`` of Node's generator: destroy the stream or just detach."""
        if self._done:
            return
        self._done = True
        st = self._state
        stream = self.stream
        error = st.error
        if (error not in (None, _UNSET) or self.destroy_on_return) and (
            error is _UNSET or stream._readableState.autoDestroy
        ):
            destroy_impl.destroyer(stream, None)
        else:
            stream.off("readable", st.on_readable)
            self._cleanup()

    async def aclose(self) -> None:
        """Leave the iteration early (what ``break`` does): destroys the stream."""
        self._finish()

    def __del__(self) -> None:
        if not self._done:
            try:
                self._finish()
            except Exception:
                pass


@asyncfn
async def to_array(stream: Any, options: Any) -> list[Any]:
    """Node's ``toArray`` operator (lib/internal/streams/operators.js): an async function,
    so bad options reject rather than raise."""
    signal = None
    if options is not None:
        if not isinstance(options, dict):
            raise ERR_INVALID_ARG_TYPE("options", "of type object", options)
        signal = options.get("signal")
        if signal is not None:
            from ..abort import validate_abort_signal

            validate_abort_signal(signal, "options.signal")
    result = []
    async for val in stream:
        if signal is not None and signal.aborted:
            from ..abort import AbortError

            raise AbortError(cause=signal.reason)
        result.append(val)
    return result


def wrap(self: Any, stream: Any) -> Any:
    """``readable.wrap(oldStream)``."""
    paused = False

    def ondata(chunk: Any) -> None:
        nonlocal paused
        if not self.push(chunk) and callable(getattr(stream, "pause", None)):
            paused = True
            stream.pause()

    stream.on("data", ondata)
    stream.on("end", lambda *_a: self.push(None))
    stream.on("error", lambda err=None: destroy_impl.errorOrDestroy(self, err))
    stream.on("close", lambda *_a: self.destroy())
    stream.on("destroy", lambda *_a: self.destroy())

    def _read(_n: int = 0) -> None:
        nonlocal paused
        if paused and callable(getattr(stream, "resume", None)):
            paused = False
            stream.resume()

    self._read = _read
    return self
