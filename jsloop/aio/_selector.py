"""A ``selectors.BaseSelector`` over jsloop's poller, for asyncio's selector loop.

Owns: the fd -> ``SelectorKey`` map asyncio's ``BaseSelectorEventLoop`` keeps
its reader/writer handles in, and one jsloop ``IOWatcher`` per registered fd.

asyncio never calls ``select()`` on it: instead of asyncio's ``_run_once``
polling and queueing the ready handles, each watcher's callback runs the
reader/writer ``Handle`` directly in jsloop's poll phase, with
``make_callback`` semantics (nextTick and microtask queues drained after each
one). That is what uvloop does with libuv's ``uv_poll`` handles.

Invariants: a key's ``data`` is asyncio's ``(reader, writer)`` pair; the
watcher's interest always equals the key's events; asyncio's own self-pipe is
watched unreferenced so it never keeps a ``jsloop.run`` alive.

Imports: jsloop._poller (and stdlib).
"""

from __future__ import annotations

import selectors
from collections.abc import Mapping
from typing import Any

from .._poller import READABLE, WRITABLE

EVENT_READ = selectors.EVENT_READ
EVENT_WRITE = selectors.EVENT_WRITE


def _fd_of(fileobj: Any) -> int:
    if isinstance(fileobj, int):
        fd = fileobj
    else:
        try:
            fd = int(fileobj.fileno())
        except (AttributeError, TypeError, ValueError):
            raise ValueError(f"Invalid file object: {fileobj!r}") from None
    if fd < 0:
        raise ValueError(f"Invalid file descriptor: {fd}")
    return fd


def _lookup(keys: dict[int, selectors.SelectorKey], fileobj: Any) -> int:
    """The fd of ``fileobj``; a closed socket object (fileno -1) is found by identity,
    as ``selectors`` does."""
    try:
        return _fd_of(fileobj)
    except ValueError:
        for key in keys.values():
            if key.fileobj is fileobj:
                return key.fd
        raise


def _mask(events: int) -> int:
    return (READABLE if events & EVENT_READ else 0) | (WRITABLE if events & EVENT_WRITE else 0)


class _Map(Mapping[Any, selectors.SelectorKey]):
    __slots__ = ("_keys",)

    def __init__(self, keys: dict[int, selectors.SelectorKey]) -> None:
        self._keys = keys

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, fileobj: Any) -> selectors.SelectorKey:
        return self._keys[_lookup(self._keys, fileobj)]

    def __iter__(self) -> Any:
        return iter(self._keys)


class JsloopSelector(selectors.BaseSelector):
    """What asyncio's selector loop sees; jsloop's poller underneath."""

    def __init__(self, face: Any, jl: Any) -> None:
        self._face = face
        self._jl = jl
        self._keys: dict[int, selectors.SelectorKey] = {}
        self._watchers: dict[int, Any] = {}
        self._unref_fd = -1

    def unref_fd(self, fd: int) -> None:
        """Watch ``fd`` without keeping the loop alive (asyncio's self-pipe)."""
        self._unref_fd = fd
        w = self._watchers.get(fd)
        if w is not None:
            w.unref()

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        if not events or events & ~(EVENT_READ | EVENT_WRITE):
            raise ValueError(f"Invalid events: {events!r}")
        fd = _fd_of(fileobj)
        if fd in self._keys:
            raise KeyError(f"{fileobj!r} (FD {fd}) is already registered")
        key = selectors.SelectorKey(fileobj, fd, events, data)
        w = self._jl.io_watch(fd, self._dispatcher(fd))
        if fd == self._unref_fd:
            w.unref()
        w.start(_mask(events))
        self._keys[fd] = key
        self._watchers[fd] = w
        return key

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        fd = _lookup(self._keys, fileobj)
        key = self._keys.pop(fd)
        self._watchers.pop(fd).close()
        return key

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        fd = _lookup(self._keys, fileobj)
        old = self._keys.get(fd)
        if old is None:
            raise KeyError(f"{fileobj!r} is not registered")
        if not events or events & ~(EVENT_READ | EVENT_WRITE):
            raise ValueError(f"Invalid events: {events!r}")
        key = selectors.SelectorKey(old.fileobj, fd, events, data)
        if events != old.events:
            self._watchers[fd].start(_mask(events))
        self._keys[fd] = key
        return key

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        raise RuntimeError("the jsloop selector is driven by jsloop's poll phase, not select()")

    def get_key(self, fileobj: Any) -> selectors.SelectorKey:
        return self._keys[_lookup(self._keys, fileobj)]

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return _Map(self._keys)

    def close(self) -> None:
        for w in self._watchers.values():
            w.close()
        self._watchers.clear()
        self._keys.clear()

    def _dispatcher(self, fd: int) -> Any:
        keys = self._keys
        face = self._face
        queues = self._jl.queues
        jl = self._jl

        def on_events(events: int) -> None:
            # Runs in jsloop's poll phase (run_poll drains the queues after it).
            key = keys.get(fd)
            if key is None:
                return
            reader, writer = key.data
            if events & READABLE and key.events & EVENT_READ and reader is not None:
                if reader._cancelled:
                    face._remove_reader(fd)
                else:
                    reader._run()
                    if events & WRITABLE:
                        if queues.ticks or queues.micro:
                            jl.drain_scope()
                        key = keys.get(fd)
                        if key is None:
                            return
                        writer = key.data[1]
            if events & WRITABLE and key.events & EVENT_WRITE and writer is not None:
                if writer._cancelled:
                    face._remove_writer(fd)
                else:
                    writer._run()

        return on_events
