"""The poller: fds in, ready ``(fd, events)`` pairs out. No callbacks here.

Owns: the backend interface (Redis's ``aeApi*`` set, trio's IO manager) and
its two implementations: epoll on Linux, ``selectors`` elsewhere. Chosen by
``make_poller()``; ``JSLOOP_POLLER=epoll|select`` forces one.

Rules kept: timeouts are whole milliseconds rounded *up* (a wait that returns
early makes the loop spin; Redis #8764, python/asyncio#106); errors and
hang-ups are reported as both READABLE and WRITABLE (ae_epoll.c), so whoever
waits on either hears about them; callers unregister before closing an fd.

Imports: stdlib only.
"""

from __future__ import annotations

import os
import select
import selectors
import sys
from typing import Any, Protocol

READABLE = 1  # == EPOLLIN
WRITABLE = 4  # == EPOLLOUT


class Poller(Protocol):
    name: str

    def register(self, fd: int, events: int) -> None: ...
    def modify(self, fd: int, events: int) -> None: ...
    def unregister(self, fd: int) -> None: ...
    def poll(self, timeout_ms: int) -> list[tuple[int, int]]: ...
    def close(self) -> None: ...


class EpollPoller:
    """Level-triggered epoll. ``poll(-1)`` waits forever, ``poll(0)`` does not wait."""

    name = "epoll"
    __slots__ = ("_ep", "_poll")

    _ERR = select.EPOLLERR | select.EPOLLHUP if sys.platform.startswith("linux") else 0

    def __init__(self) -> None:
        self._ep = select.epoll()
        self._poll = self._ep.poll

    def register(self, fd: int, events: int) -> None:
        self._ep.register(fd, events)

    def modify(self, fd: int, events: int) -> None:
        self._ep.modify(fd, events)

    def unregister(self, fd: int) -> None:
        try:
            self._ep.unregister(fd)
        except (OSError, ValueError):
            pass

    def poll(self, timeout_ms: int) -> list[tuple[int, int]]:
        ready = self._poll(timeout_ms / 1000.0 if timeout_ms >= 0 else -1)
        err = self._ERR
        # Rebuild the list only when an error/hang-up is in it (rare).
        for _fd, ev in ready:
            if ev & err:
                both = READABLE | WRITABLE
                return [(fd, e | both) if e & err else (fd, e) for fd, e in ready]
        return ready

    def close(self) -> None:
        self._ep.close()


class SelectorsPoller:
    """Portable fallback on the best ``selectors`` backend the platform has."""

    name = "select"
    __slots__ = ("_sel",)

    def __init__(self) -> None:
        self._sel = selectors.DefaultSelector()

    @staticmethod
    def _mask(events: int) -> int:
        mask = 0
        if events & READABLE:
            mask |= selectors.EVENT_READ
        if events & WRITABLE:
            mask |= selectors.EVENT_WRITE
        return mask

    def register(self, fd: int, events: int) -> None:
        mask = self._mask(events)
        if mask:
            self._sel.register(fd, mask)

    def modify(self, fd: int, events: int) -> None:
        mask = self._mask(events)
        try:
            self._sel.get_key(fd)
        except KeyError:
            if mask:
                self._sel.register(fd, mask)
            return
        if mask:
            self._sel.modify(fd, mask)
        else:
            self._sel.unregister(fd)

    def unregister(self, fd: int) -> None:
        try:
            self._sel.unregister(fd)
        except (KeyError, ValueError, OSError):
            pass

    def poll(self, timeout_ms: int) -> list[tuple[int, int]]:
        timeout = None if timeout_ms < 0 else timeout_ms / 1000.0
        out = []
        for key, mask in self._sel.select(timeout):
            ev = 0
            if mask & selectors.EVENT_READ:
                ev |= READABLE
            if mask & selectors.EVENT_WRITE:
                ev |= WRITABLE
            out.append((key.fd, ev))
        return out

    def close(self) -> None:
        self._sel.close()


class PollerProxy:
    """Base of pollers that wrap another (diagnostics' idle timer, testing's stepper):
    everything but ``poll`` goes straight through."""

    __slots__ = ("inner", "loop", "name")

    def __init__(self, loop: object, inner: Poller) -> None:
        self.loop: Any = loop
        self.inner = inner
        self.name = inner.name

    def register(self, fd: int, events: int) -> None:
        self.inner.register(fd, events)

    def modify(self, fd: int, events: int) -> None:
        self.inner.modify(fd, events)

    def unregister(self, fd: int) -> None:
        self.inner.unregister(fd)

    def close(self) -> None:
        self.inner.close()

    def poll(self, timeout_ms: int) -> list[tuple[int, int]]:
        return self.inner.poll(timeout_ms)


def make_poller() -> Poller:
    """epoll where the platform has it, else selectors; ``JSLOOP_POLLER`` forces one."""
    forced = os.environ.get("JSLOOP_POLLER", "").strip().lower()
    if forced in ("select", "selectors"):
        return SelectorsPoller()
    if forced == "epoll" or (not forced and hasattr(select, "epoll")):
        return EpollPoller()
    if forced and forced != "epoll":
        raise ValueError(f"JSLOOP_POLLER={forced!r}: expected 'epoll' or 'select'")
    return SelectorsPoller()
