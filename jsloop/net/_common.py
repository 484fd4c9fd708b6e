"""Per-loop state and constants shared by ``jsloop.net``'s sockets and servers.

Owns: the per-loop receive buffer (one 64 KiB ``bytearray`` reused by every read)
and the set of open net handles, closed when the loop finishes (an uncaught
exception ends the run; the fds must not outlive it, as a Node process's exit
closes them).

Imports: stdlib only (the loop is passed in).
"""

from __future__ import annotations

import errno as errno_mod
from typing import Any, overload

HIGH_WATER_MARK = 16384  # Node's default writable/readable highWaterMark for sockets
RECV_SIZE = 65536
ACCEPT_BATCH = 64  # accepts per readiness event; the rest wait for the next poll
EMFILE_RETRY_MS = 100
DEFAULT_BACKLOG = 511

FD_EXHAUSTED = {errno_mod.EMFILE, errno_mod.ENFILE, errno_mod.ENOBUFS, errno_mod.ENOMEM}
WOULD_BLOCK = (BlockingIOError, InterruptedError)

class LoopNet:
    """Per-loop state: the loop, the shared receive buffer and the open fds to close
    with the loop (sockets reach their loop through it: one slot fewer per socket)."""

    __slots__ = ("buf", "handles", "loop", "view")

    def __init__(self, loop: Any) -> None:
        self.loop = loop
        self.buf = bytearray(RECV_SIZE)
        self.view = memoryview(self.buf)
        self.handles: set[Any] = set()


_per_loop: dict[int, LoopNet] = {}


def loop_net(loop: Any) -> LoopNet:
    state = _per_loop.get(id(loop))
    if state is None:
        state = _per_loop[id(loop)] = LoopNet(loop)
        loop.on_close(lambda: _close_loop_handles(loop))
    return state


def _close_loop_handles(loop: Any) -> None:
    """The run ended (perhaps by an uncaught exception): release every fd still open,
    as the exit of a Node process would."""
    state = _per_loop.pop(id(loop), None)
    if state is None:
        return
    for handle in list(state.handles):
        handle._release_fd()
    state.handles.clear()


class Flag:
    """A boolean stored as one bit of the owner's ``_bits`` int.

    Cold per-socket booleans share one slot this way: each slot costs every idle
    connection 8 bytes (issue 9's budget is 1 KiB per idle connection). Reading
    one is a descriptor call, so the per-event path does not use them.
    """

    __slots__ = ("mask",)

    def __init__(self, mask: int) -> None:
        self.mask = mask

    @overload
    def __get__(self, obj: None, owner: type) -> Flag: ...
    @overload
    def __get__(self, obj: object, owner: type) -> bool: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        return bool(obj._bits & self.mask)

    def __set__(self, obj: Any, value: bool) -> None:
        if value:
            obj._bits |= self.mask
        else:
            obj._bits &= ~self.mask
