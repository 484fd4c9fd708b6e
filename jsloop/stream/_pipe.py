"""``Readable.pipe`` (Node's readable.js ``pipe`` and ``pipeOnDrain``).

Owns: the listeners one ``src.pipe(dest)`` installs: 'data' → ``dest.write``
(a False return pauses ``src`` until every slow destination drained),
'end' → ``dest.end()`` (unless ``{end: False}``), dest 'error'/'close'/
'finish' → unpipe, and their cleanup on 'unpipe'.

Invariant: with several destinations, ``state.awaitDrainWriters`` is the set
of destinations that returned False; ``src`` resumes when it is empty.

Imports: _destroy, _legacy, timers (nextTick).
"""

from __future__ import annotations

from typing import Any

from ..timers import nextTick
from . import _destroy as destroy_impl
from ._legacy import prependListener


def pipe(src: Any, dest: Any, pipe_opts: Any) -> Any:
    from ._rstate import kEndEmitted, kFlowing, kMultiAwaitDrain

    state = src._readableState
    if len(state.pipes) == 1 and not state.bits & kMultiAwaitDrain:
        state.bits |= kMultiAwaitDrain
        state.awaitDrainWriters = _IdSet(
            [state.awaitDrainWriters] if state.awaitDrainWriters is not None else []
        )
    if type(state.pipes) is tuple:
        state.pipes = []
    state.pipes.append(dest)
    do_end = (not pipe_opts or pipe_opts.get("end") is not False) and not getattr(
        dest, "_isStdio", False
    )
    ondrain: Any = None
    cleaned_up = False

    def onunpipe(readable: Any, unpipe_info: Any = None) -> None:
        if readable is src and unpipe_info and unpipe_info.get("hasUnpiped") is False:
            unpipe_info["hasUnpiped"] = True
            cleanup()

    def onend() -> None:
        dest.end()

    def unpipe(*_args: Any) -> None:
        src.unpipe(dest)

    end_fn = onend if do_end else unpipe
    if state.bits & kEndEmitted:
        nextTick(end_fn)
    else:
        src.once("end", end_fn)
    dest.on("unpipe", onunpipe)

    def cleanup() -> None:
        nonlocal cleaned_up
        dest.removeListener("close", onclose)
        dest.removeListener("finish", onfinish)
        if ondrain is not None:
            dest.removeListener("drain", ondrain)
        dest.removeListener("error", onerror)
        dest.removeListener("unpipe", onunpipe)
        src.removeListener("end", onend)
        src.removeListener("end", unpipe)
        src.removeListener("data", ondata)
        cleaned_up = True
        ws = getattr(dest, "_writableState", None)
        if ondrain is not None and state.awaitDrainWriters is not None and (
            ws is None or ws.needDrain
        ):
            ondrain()

    def pause() -> None:
        nonlocal ondrain
        if not cleaned_up:
            if len(state.pipes) == 1 and state.pipes[0] is dest:
                state.awaitDrainWriters = dest
                state.bits &= ~kMultiAwaitDrain
            elif len(state.pipes) > 1 and any(p is dest for p in state.pipes):
                state.awaitDrainWriters.add(dest)
            src.pause()
        if ondrain is None:
            ondrain = _pipe_on_drain(src, dest)
            dest.on("drain", ondrain)

    def ondata(chunk: Any) -> None:
        ret = dest.write(chunk)
        if ret is False:
            pause()

    src.on("data", ondata)

    def onerror(er: Any) -> None:
        unpipe()
        dest.removeListener("error", onerror)
        if dest.listenerCount("error") == 0:
            s = dest._writableState or dest._readableState
            if s is not None and not s.errorEmitted:
                destroy_impl.errorOrDestroy(dest, er)
            else:
                dest.emit("error", er)

    prependListener(dest, "error", onerror)

    def onclose() -> None:
        dest.removeListener("finish", onfinish)
        unpipe()

    dest.once("close", onclose)

    def onfinish() -> None:
        dest.removeListener("close", onclose)
        unpipe()

    dest.once("finish", onfinish)
    dest.emit("pipe", src)
    if getattr(dest, "writableNeedDrain", False) is True:
        pause()
    elif not state.bits & kFlowing:
        src.resume()
    return dest


def _pipe_on_drain(src: Any, dest: Any) -> Any:
    from ._rstate import kDataListening, kMultiAwaitDrain

    def pipe_on_drain() -> None:
        state = src._readableState
        if state.awaitDrainWriters is dest:
            state.awaitDrainWriters = None
        elif state.bits & kMultiAwaitDrain:
            state.awaitDrainWriters.discard(dest)
        if (not state.awaitDrainWriters or len(state.awaitDrainWriters) == 0) and (
            state.bits & kDataListening
        ):
            src.resume()

    return pipe_on_drain


class _IdSet:
    """A set of destinations by identity (streams need not be hashable)."""

    __slots__ = ("_d",)

    def __init__(self, items: list[Any]) -> None:
        self._d = {id(x): x for x in items}

    def add(self, x: Any) -> None:
        self._d[id(x)] = x

    def discard(self, x: Any) -> None:
        self._d.pop(id(x), None)

    def clear(self) -> None:
        self._d.clear()

    def __len__(self) -> int:
        return len(self._d)

    @property
    def size(self) -> int:
        return len(self._d)
