"""``Stream``: the base of every stream class (Node's lib/internal/streams/legacy.js).

Owns: the ``Stream`` class (an EventEmitter with Node's old-style ``pipe``),
the slots every stream carries (``_readableState``, ``_writableState``, and a
lazily created ``__dict__`` for per-instance overrides such as a ``read=``
option), ``prependListener`` and the options-merging helper.

Invariant: ``_readableState`` / ``_writableState`` are always set (None when a
side does not exist), so hot paths test them without ``getattr``.

Imports: events.
"""

from __future__ import annotations

from typing import Any

from ..events import EventEmitter


def merge_options(options: Any, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """Node takes one options object; Python callers may also pass keywords."""
    if options is None:
        return kwargs or None
    if not isinstance(options, dict):
        from ._utils import ERR_INVALID_ARG_TYPE

        raise ERR_INVALID_ARG_TYPE("options", "of type object", options)
    if kwargs:
        return {**options, **kwargs}
    return options


class Stream(EventEmitter):
    """Node's legacy ``Stream``: an EventEmitter with a simple ``pipe``."""

    __slots__ = ("__dict__", "_readableState", "_writableState")

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        EventEmitter.__init__(self)
        self._readableState: Any = None
        self._writableState: Any = None

    def pipe(self, dest: Any, options: dict[str, Any] | None = None) -> Any:
        """Old-style pipe: pause on a false write, resume on 'drain', end on 'end'."""
        source = self

        def ondata(chunk: Any) -> None:
            if dest.writable and dest.write(chunk) is False and hasattr(source, "pause"):
                source.pause()

        source.on("data", ondata)

        def ondrain() -> None:
            if getattr(source, "readable", False) and hasattr(source, "resume"):
                source.resume()

        dest.on("drain", ondrain)
        did_on_end = [False]

        def onend() -> None:
            if did_on_end[0]:
                return
            did_on_end[0] = True
            dest.end()

        def onclose() -> None:
            if did_on_end[0]:
                return
            did_on_end[0] = True
            if callable(getattr(dest, "destroy", None)):
                dest.destroy()

        do_end = not options or options.get("end") is not False
        if not getattr(dest, "_isStdio", False) and do_end:
            source.on("end", onend)
            source.on("close", onclose)

        def make_onerror(emitter: Any) -> Any:
            def onerror(er: Any) -> None:
                cleanup()
                if emitter.listenerCount("error") == 0:
                    emitter.emit("error", er)

            return onerror

        src_err = make_onerror(source)
        dst_err = make_onerror(dest)
        prependListener(source, "error", src_err)
        prependListener(dest, "error", dst_err)

        def cleanup() -> None:
            source.removeListener("data", ondata)
            dest.removeListener("drain", ondrain)
            source.removeListener("end", onend)
            source.removeListener("close", onclose)
            source.removeListener("error", src_err)
            dest.removeListener("error", dst_err)
            source.removeListener("end", cleanup)
            source.removeListener("close", cleanup)
            dest.removeListener("close", cleanup)

        source.on("end", cleanup)
        source.on("close", cleanup)
        dest.on("close", cleanup)
        dest.emit("pipe", source)
        return dest


def prependListener(emitter: Any, event: Any, fn: Any) -> None:
    """Node's streams-internal ``prependListener`` (works on any emitter)."""
    if callable(getattr(emitter, "prependListener", None)):
        emitter.prependListener(event, fn)
    else:
        emitter.on(event, fn)
