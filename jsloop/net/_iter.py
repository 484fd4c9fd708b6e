"""``async for chunk in socket``: pull-based reading of a ``net.Socket``.

Owns: ``SocketIterator`` — Node's ``for await (const chunk of socket)``. It
buffers at most about one high-water mark (16 KiB) before pausing the socket,
and resumes it when the consumer catches up. 'end'/'close' end the iteration
(``StopAsyncIteration``); 'error' rejects the pending ``__anext__``.

Imports: promise, _common.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any

from ..promise import Promise
from ._common import HIGH_WATER_MARK

if TYPE_CHECKING:
    from ._socket import Socket


class SocketIterator:
    """Pull-based reading: buffers at most ~16 KiB before pausing the socket."""

    __slots__ = ("chunks", "done", "error", "size", "socket", "waiter")

    def __init__(self, sock: Socket) -> None:
        self.socket = sock
        self.chunks: collections.deque[Any] = collections.deque()
        self.size = 0
        self.done = False
        self.error: BaseException | None = None
        self.waiter: Any = None
        sock.on("data", self._on_data)
        sock.on("end", self._on_end)
        sock.on("close", self._on_end)
        sock.on("error", self._on_error)

    def __aiter__(self) -> SocketIterator:
        return self

    def _on_data(self, chunk: Any) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            waiter.resolve(chunk)
            return
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size >= HIGH_WATER_MARK:
            self.socket.pause()

    def _on_end(self, *_args: Any) -> None:
        self.done = True
        self._settle_waiter()

    def _on_error(self, err: BaseException) -> None:
        self.error = err
        self.done = True
        self._settle_waiter()

    def _settle_waiter(self) -> None:
        waiter = self.waiter
        if waiter is None:
            return
        self.waiter = None
        if self.error is not None:
            waiter.reject(self.error)
        else:
            waiter.reject(StopAsyncIteration())

    def __anext__(self) -> Promise[Any]:
        if self.chunks:
            chunk = self.chunks.popleft()
            self.size -= len(chunk)
            if self.size < HIGH_WATER_MARK and self.socket.isPaused():
                self.socket.resume()
            return Promise.resolve(chunk)
        if self.error is not None:
            err, self.error = self.error, None
            return Promise.reject(err)
        if self.done:
            return Promise.reject(StopAsyncIteration())
        self.waiter = Promise.withResolvers()
        if self.socket.isPaused():
            self.socket.resume()
        return self.waiter.promise  # type: ignore[no-any-return]
