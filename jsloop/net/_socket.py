"""``jsloop.net.Socket``: Node's ``net.Socket``, a ``stream.Duplex`` over TCP or a Unix socket.

The stream semantics (buffering, flowing/paused modes, ``'readable'``/``read()``,
backpressure and ``'drain'``, cork/uncork, ``end()``/``'finish'``/``'end'``,
allowHalfOpen, autoDestroy, ``destroy(err)`` and its ``'error'``, async
iteration, ``pipe``/``pipeline``/``finished``) are ``jsloop.stream.Duplex``'s,
exactly as Node's lib/net.js builds on its own Duplex. This module supplies
only the socket-specific hooks, as net.js does:

* ``_read(n)``   — start reading the fd (Node's ``tryReadStart``); each readiness
  event does one ``recv_into`` into the per-loop 64 KiB buffer and ``push()``es
  a copy; a ``push`` that returns False stops reading (``readStop``) until the
  stream calls ``_read`` again. EOF is ``push(None)`` then ``read(0)``.
* ``_write``/``_writev`` — ``send`` / ``sendmsg`` (up to 1,024 buffers) at once;
  what the kernel does not take stays as ``memoryview``s of the caller's bytes
  (one write request in flight, as libuv's) and leaves on WRITABLE; its callback
  then runs asynchronously, and the Writable hands the buffered rest to
  ``_writev`` in one batch.
* ``_final``     — ``shutdown(SHUT_WR)`` in the next pending phase (libuv 1.46's
  ``uv_shutdown`` feeds the watcher).
* ``_destroy``   — close the fd; ``'close'`` is emitted in the close phase
  (``emitClose`` is False on the stream, as in Node, and the handle's close
  callback emits it); a write still in flight reports done just before it.

Hot paths: the stream layer's own fast paths (Node's): ``push()`` of bytes on a
flowing socket with an empty buffer emits ``'data'`` directly, and
``write()`` with nothing buffered calls ``_write`` straight away.

Requests and destroy (libuv's ``uv_req_t``: ``jsloop._req.Req``)
----------------------------------------------------------------
Every ``connect()`` call is a ``Req`` from the call until the ``connect(2)`` is
issued; ``destroy()`` completes every outstanding one. A second ``connect()``
while connecting fails with EALREADY; ``connect()`` on a destroyed socket starts
it over (Node's ``_undestroy``). A write or ``_final`` while connecting waits
for ``'connect'`` (Node's ``_writeGeneric``); destroyed before it, the write's
callback gets ERR_SOCKET_CLOSED_BEFORE_CONNECTION.

Writing after the peer's FIN once this side has ended too (no allowHalfOpen)
is Node's ``writeAfterFIN``: False, the callback gets EPIPE via nextTick, and
the socket is destroyed with it.

The connecting half is the mixin ``_connect.SocketConnect``; options, the idle
timeout and addresses are ``_sockinfo.SocketInfo``.

Imports: _runtime, _poller, errors, timers, stream, _addr, _common, _connect,
_sockinfo.
"""

from __future__ import annotations

import errno as errno_mod
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

from .._compat import call_js
from .._poller import READABLE, WRITABLE
from .._runtime import get_loop
from ..stream import _rstate as rs_bits
from ..stream import _wstate as ws_bits
from ..stream._duplex import Duplex
from ..stream._legacy import Stream
from ..stream._utils import kConstructed, kDestroyed, kErrored, kObjectMode
from ..stream._writable import Writable
from ..stream._wstate import WritableState
from ..timers import nextTick
from ._addr import from_oserror, node_error
from ._common import HIGH_WATER_MARK, WOULD_BLOCK, Flag, loop_net
from ._connect import SocketConnect
from ._sockinfo import SocketInfo

if TYPE_CHECKING:
    from ._server import Server

IOV_MAX = 1024  # buffers per sendmsg (Linux's UIO_MAXIOV)

# The stream options of every socket (Node's net.Socket constructor): one shared
# dict per allowHalfOpen value, not one per socket.
# The readable bits that keep a chunk off the direct 'data' path (Node's addChunk
# emits directly only when flowing, with a 'data' listener, outside a sync read).
_R_SLOW = (rs_bits.kFlowing | rs_bits.kSync | rs_bits.kDataListening | kObjectMode
           | rs_bits.kEnded | kDestroyed | kErrored | rs_bits.kDecoder | rs_bits.kMultiAwaitDrain)
_R_DIRECT = rs_bits.kFlowing | rs_bits.kDataListening
# What Node's maybeReadMore -> read(0) -> _read leaves after a chunk went out directly.
_R_AFTER = rs_bits.kDataEmitted | rs_bits.kReading | rs_bits.kNeedReadable
# The writable bits that keep a write off the direct send path (Node's writeOrBuffer
# calls _write at once only when nothing is being written, corked or buffered).
_W_SLOW = (kObjectMode | ws_bits.kEnding | kDestroyed | kErrored | ws_bits.kWriting
           | ws_bits.kCorked | ws_bits.kNeedDrain | kConstructed)
_W_INFLIGHT = ws_bits.kWriting | ws_bits.kExpectWriteCb

_OPTS = {
    False: {"allowHalfOpen": False, "emitClose": False},
    True: {"allowHalfOpen": True, "emitClose": False},
}


# The Stream slot that holds the WritableState (the Socket's property wraps it).
_ws_get = Stream.__dict__["_writableState"].__get__
_ws_set = Stream.__dict__["_writableState"].__set__


def _writable_state(self: Socket) -> Any:
    """``socket._writableState``, created on first use: a socket whose writes all
    left at once (``write``'s direct path) does without its 144 B + flag int. A new
    WritableState is exactly what the constructor would have made: nothing
    touches it before its first use."""
    ws = _ws_get(self)
    if ws is None:
        ws = WritableState(_OPTS[False], self, True)
        _ws_set(self, ws)
    return ws


def _closed_before_connection() -> Exception:
    return node_error(Exception, "Socket closed before the connection was established",
                      "ERR_SOCKET_CLOSED_BEFORE_CONNECTION")


class Socket(SocketConnect, SocketInfo, Duplex):
    """Node's ``net.Socket``: a ``stream.Duplex`` over TCP or a Unix socket.

    Events: ``'connect'``, ``'ready'``, ``'lookup'``, ``'data'``, ``'readable'``,
    ``'end'``, ``'finish'``, ``'drain'``, ``'timeout'``, ``'error'``, ``'close'``
    (hadError). Chunks are ``bytes`` (``str`` after ``setEncoding``).
    """

    __slots__ = (
        "__weakref__",  # sockets are weak-referenceable (a stream.Stream is not)
        "_bits",
        "_bytes_sent",
        "_net",
        "_opts",
        "_server",
        "_sock",
        "_timeout_ms",
        "_w",
        "_wpend",
        "bytesRead",
    )

    # Cold booleans, one bit each of ``_bits`` (see Flag).
    _reading = Flag(16)  # Node's handle.reading: the fd is being read
    _refed = Flag(32)
    _eof = Flag(64)  # the peer's FIN was read
    connecting = Flag(128)  # Node's socket.connecting (a bit: one slot less per socket)

    def __init__(self, options: dict[str, Any] | None = None, *,
                 allowHalfOpen: bool | None = None) -> None:
        if allowHalfOpen is None:
            allowHalfOpen = bool(options.get("allowHalfOpen", False)) if options else False
        Duplex.__init__(self, _OPTS[bool(allowHalfOpen)])
        _ws_set(self, None)  # made again on first use (see _writable_state)
        self._bits = 32  # _refed
        self._net = loop_net(get_loop())
        self._sock: socket.socket | None = None
        self._w: Any = None
        self._server: Server | None = None
        # Cold state in one dict created on first use (every slot costs each idle
        # connection 8 bytes): socket options to apply once the fd exists, the
        # requests in flight ("_reqs"), the peer address ("peer"), the connect
        # address ("addr"), the idle timer ("timer", "last") and ``timeout``.
        self._opts: dict[str, Any] | None = None
        # The write request in flight: [buffers, callback] (libuv's uv_write_t).
        self._wpend: list[Any] | None = None
        self.bytesRead = 0
        self._bytes_sent = 0
        self._timeout_ms = 0
        self.connecting = False

    _writableState = property(_writable_state, _ws_set)

    @property
    def destroyed(self) -> bool:
        """Both sides are destroyed together (``destroy``/``_undestroy`` set both):
        the readable side's bit answers without creating the writable state."""
        return bool(self._readableState.bits & kDestroyed)

    @destroyed.setter
    def destroyed(self, value: bool) -> None:
        Duplex.destroyed.fset(self, value)  # type: ignore[attr-defined]

    def _reset_state(self) -> None:
        """The per-life socket state, for ``connect()`` after ``destroy()``."""
        self.connecting = False
        self._reading = False
        self._eof = False
        self._wpend = None

    def __repr__(self) -> str:
        state = "destroyed" if self.destroyed else "connecting" if self.connecting else "open"
        fd = self._sock.fileno() if self._sock is not None and not self.destroyed else -1
        return f"<net.Socket {state} fd={fd}>"

    # -- attaching an fd ------------------------------------------------------------

    def _attach(self, sock: socket.socket, callback: Callable[[int], Any] | None = None) -> None:
        self._sock = sock
        self._w = self._net.loop.io_watch(sock.fileno(), callback or self._on_io)
        self._net.handles.add(self)
        if not self._refed:
            self._w.unref()
        if self._opts:
            for name, value in self._opts.items():
                self._apply_option(name, value)

    def _set_opt(self, name: str, value: Any) -> None:
        if self._opts is None:
            self._opts = {}
        self._opts[name] = value

    def _cold_list(self, name: str) -> list[Any]:
        opts = self._opts
        if opts is None:
            opts = self._opts = {}
        lst: list[Any] | None = opts.get(name)
        if lst is None:
            lst = opts[name] = []
        return lst

    def _update_interest(self) -> None:
        w = self._w
        if w is None or self.destroyed:
            return
        if self.connecting:
            w.start(WRITABLE)
            return
        mask = WRITABLE if self._wpend is not None else 0
        if self._bits & 16 and not self._bits & 64:  # _reading and not _eof
            mask |= READABLE
        if mask:
            w.start(mask)
        else:
            # Out of the poller (an epoll entry with no interest still reports
            # EPOLLHUP, and a reset peer would make the poll spin); the watcher
            # keeps its claim on the fd. libuv's uv__io_stop deletes the entry too.
            w.stop()

    def _on_connect_io(self, events: int) -> None:
        """The watcher's callback while a connect is in flight; ``_after_connect``
        swaps in ``_on_io``, so the per-event path never tests ``connecting``."""
        if self.connecting:
            self._after_connect(self._sock.getsockopt(  # type: ignore[union-attr]
                socket.SOL_SOCKET, socket.SO_ERROR))
        else:
            self._on_io(events)

    def _on_io(self, events: int) -> None:
        # Re-check our own interest: an earlier callback of the same poll batch
        # may have paused this socket.
        if events & READABLE and self._w.events & READABLE:
            self._read_once()
        if events & WRITABLE and self._wpend is not None and self._w is not None:
            self._flush()

    def _on_connected(self) -> None:
        """Node's afterConnect, after 'connect'/'ready' were emitted: start the first
        read unless paused (``read(0)``), as net.js does."""
        if not self.destroyed and not self.isPaused():
            self.read(0)

    # -- reading (the Readable's source) --------------------------------------------

    def _read(self, n: int) -> None:
        """Node's ``Socket._read``: start reading the fd (once connected)."""
        if self.connecting or self._sock is None:
            if not self.destroyed:
                self.once("connect", self._read_after_connect)
            return
        if not self._bits & 16:
            self._reading = True
            self._update_interest()

    def _read_after_connect(self, *_args: Any) -> None:
        self._read(0)

    def _read_once(self) -> None:
        net = self._net
        try:
            n = self._sock.recv_into(net.buf)  # type: ignore[union-attr]
        except WOULD_BLOCK:
            return
        except OSError as exc:
            self.destroy(from_oserror(exc, "read"))
            return
        if n == 0:
            # libuv stops reading at EOF; the stream ends once its buffer drains.
            self._eof = True
            self._reading = False
            self._update_interest()
            self.push(None)
            self.read(0)
            return
        self.bytesRead += n
        if self._timeout_ms:
            self._touch()
        chunk = net.view[:n].tobytes()
        state = self._readableState
        bits = state.bits
        if bits & _R_SLOW == _R_DIRECT and not state.length:
            # push() -> addChunk's direct 'data' (Node's own fast path), and what the
            # maybeReadMore tick it schedules would do (read(0) while the fd is being
            # read only sets reading/needReadable), without the call chain or the tick.
            if state.awaitDrainWriters is not None:
                state.awaitDrainWriters = None
            state.bits = bits | rs_bits.kDataEmitted
            self.emit("data", chunk)
            if not state.bits & (rs_bits.kEnded | kDestroyed | kErrored):
                state.bits |= _R_AFTER
            return
        if not self.push(chunk) and self._bits & 16:
            # Buffer full (paused, or nobody reading): readStop until _read.
            self._reading = False
            self._update_interest()

    def _write_after_fin(self, cb: Callable[..., Any] | None) -> bool:
        # Node's writeAfterFIN: the peer ended and so did we.
        err: Exception = node_error(BrokenPipeError,
                                    "This socket has been ended by the other party", "EPIPE")
        err.errno = errno_mod.EPIPE  # type: ignore[attr-defined]
        if cb is not None:
            nextTick(call_js, cb, err)
        self.destroy(err)
        return False

    def write(self, chunk: Any, encoding: Any = None, cb: Any = None) -> bool:
        """``socket.write(data[, encoding][, cb])``: False once 16 KiB are queued, then 'drain'."""
        if (type(chunk) is bytes and cb is None and encoding is None
                and (sock := self._sock) is not None and not self._bits & 128):
            # Writable.write -> writeOrBuffer -> _write for a small bytes chunk with
            # no callback and nothing buffered, inlined. A send that completes at
            # once leaves the Writable's state as it was (Node's onwrite with a nop
            # callback takes no tick). With no WritableState yet, it would be a fresh
            # one (nothing buffered, not ending, not corked) and stays so: it is only
            # made if the send falls short.
            n = len(chunk)
            state = _ws_get(self)
            if (n < HIGH_WATER_MARK if state is None
                    else state.bits & _W_SLOW == kConstructed and not state.length
                    and n < state.highWaterMark):
                try:
                    sent = sock.send(chunk)
                except WOULD_BLOCK:
                    sent = 0
                except OSError:
                    return Writable.write(self, chunk)  # the generic path reports it
                self._bytes_sent += n
                if self._timeout_ms:
                    self._touch()
                if sent != n:
                    self._write_rest(state, chunk, sent, n)
                return True
        if self._bits & 64 and not self.allowHalfOpen and self.writableEnded:
            return self._write_after_fin(encoding if callable(encoding) else cb)
        return Writable.write(self, chunk, encoding, cb)

    def _write_rest(self, state: Any, chunk: bytes, sent: int, n: int) -> None:
        """The direct send fell short: the unsent rest becomes the write in flight,
        as ``_write`` would have made it (``state`` is its onwrite callback)."""
        if state is None:
            state = self._writableState
        state.length += n
        state.writelen = n
        state.pendingcb += 1
        state.bits |= _W_INFLIGHT
        self._wpend = [[memoryview(chunk)[sent:]], state]
        self._update_interest()

    # -- writing (the Writable's sink) ----------------------------------------------

    def _write(self, chunk: Any, encoding: str, cb: Any) -> None:
        self._write_generic(chunk, cb)

    def _writev(self, chunks: list[Any], cb: Any) -> None:
        self._write_generic([req.chunk for req in chunks], cb)

    def _write_generic(self, data: Any, cb: Any) -> None:
        """Node's ``_writeGeneric``: one write request (``data`` is bytes or a list)."""
        if type(data) is list:
            n = 0
            for b in data:
                n += len(b)
        else:
            n = len(data)
        self._bytes_sent += n  # Node's bytesWritten counts a dispatched write at once
        if self.connecting:
            self._cold_list("pending_writes").append([data, cb])
            return
        self._send(data, n, cb)

    def _send(self, data: Any, n: int, cb: Any) -> None:
        sock = self._sock
        if sock is None:
            cb(node_error(Exception, "Socket is closed", "ERR_SOCKET_CLOSED"))
            return
        if self._timeout_ms:
            self._touch()
        try:
            if type(data) is list:
                bufs = data
                sent = sock.sendmsg(bufs[:IOV_MAX])
            else:
                sent = sock.send(data)
                if sent == n:
                    cb()  # done at once: the Writable reports it via nextTick
                    return
                bufs = [data]
        except WOULD_BLOCK:
            sent = 0
            bufs = data if type(data) is list else [data]
        except OSError as exc:
            cb(from_oserror(exc, "write"))
            return
        rest = _consume(bufs, sent)
        if not rest:
            cb()
            return
        self._wpend = [rest, cb]
        self._update_interest()

    def _run_pending(self) -> None:
        """After 'connect': the writes and the ``_final`` that waited for it."""
        opts = self._opts
        if not opts:
            return
        pending = opts.pop("pending_writes", None)
        if pending:
            for data, cb in pending:
                if self.destroyed:
                    break
                self._send(data, len(data) if type(data) is not list
                           else sum(len(b) for b in data), cb)
        final = opts.pop("pending_final", None)
        if final is not None and not self.destroyed:
            self._final(final)

    def _flush(self) -> None:
        """WRITABLE with a write in flight: send the rest (several buffers per
        ``sendmsg``); once all of it left, its callback (asynchronously)."""
        pend = self._wpend
        sock = self._sock
        assert pend is not None and sock is not None
        bufs = pend[0]
        while bufs:
            try:
                sent = sock.send(bufs[0]) if len(bufs) == 1 else sock.sendmsg(bufs[:IOV_MAX])
            except WOULD_BLOCK:
                return
            except OSError as exc:
                self._wpend = None
                self._update_interest()
                pend[1](from_oserror(exc, "write"))
                return
            bufs = pend[0] = _consume(bufs, sent)
            if bufs:
                return  # the kernel took less than we gave: it is full
        self._wpend = None
        self._update_interest()
        if self._timeout_ms:
            self._touch()
        pend[1]()

    def _final(self, cb: Callable[..., Any]) -> None:
        """Node's ``Socket._final``: ``shutdown(SHUT_WR)`` once connected, in the
        next pending phase (libuv's uv_shutdown with an empty write queue)."""
        if self.connecting or (self._sock is None and not self.destroyed
                               and self._opts is not None and "_reqs" in self._opts):
            self._set_opt("pending_final", cb)
            return
        if self._sock is None:
            cb()
            return
        self._net.loop.defer_pending(self._shutdown, cb)

    def _shutdown(self, cb: Callable[..., Any]) -> None:
        if self.destroyed or self._sock is None:
            return
        try:
            self._sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            if exc.errno != errno_mod.ENOTCONN:
                cb(from_oserror(exc, "shutdown"))
                return
        cb()

    @property
    def bufferSize(self) -> int | None:
        """Node's (deprecated) ``socket.bufferSize``: ``writableLength`` once there is an fd."""
        if self.destroyed or (self._sock is None and not self.connecting):
            return None
        return self.writableLength

    @property
    def bytesWritten(self) -> int:
        """Bytes handed to the kernel's write requests plus bytes still buffered."""
        ws = self._writableState
        n: int = self._bytes_sent + ws.length - ws.writelen
        return n

    @property
    def pending(self) -> bool:
        return self._sock is None or self.connecting

    @property
    def server(self) -> Server | None:
        """The ``Server`` that accepted this socket (None for a client socket)."""
        return self._server

    @property
    def readyState(self) -> str:
        if self.connecting:
            return "opening"
        readable, writable = self.readable, self.writable
        if readable and writable:
            return "open"
        if readable:
            return "readOnly"
        if writable:
            return "writeOnly"
        return "closed"

    # -- destroying -----------------------------------------------------------------

    def _destroy(self, err: BaseException | None, cb: Callable[..., Any]) -> None:
        """Node's ``Socket._destroy``: close the fd; 'close' follows in the close phase."""
        self.connecting = False
        self._cancel_connects()
        self._clear_timer()
        pend, self._wpend = self._wpend, None
        settle: list[tuple[Any, Any]] = []
        if pend is not None:
            settle.append((pend[1], None))  # libuv cancels it; Node reports it done
        opts = self._opts
        if opts:
            waiting = opts.pop("pending_writes", None)
            if waiting:
                early = _closed_before_connection()
                settle += [(w[1], early) for w in waiting]
            opts.pop("pending_final", None)
        self._release_fd()
        cb(err)
        if self._server is not None:
            self._server._connection_closed()
        self._net.loop.defer_close(self._emit_close, settle, err is not None)

    def _release_fd(self) -> None:
        if self._w is not None:
            self._w.close()  # unregister before closing the fd
            # Break the socket -> watcher -> bound _on_io -> socket cycle, so a
            # closed socket nobody holds is freed at once, not by the cyclic GC.
            self._w = None
        if self._sock is not None:
            self._sock.close()
        self._net.handles.discard(self)

    def destroySoon(self) -> None:
        if self.writable:
            self.end()
        if self.writableFinished:
            self.destroy()
        else:
            self.once("finish", self.destroy)

    def resetAndDestroy(self) -> Self:
        """``socket.resetAndDestroy()``: close with RST (SO_LINGER 0); while connecting,
        once connected. Without an fd: destroy with ERR_SOCKET_CLOSED, as Node."""
        if self.destroyed or (self._sock is None and not self.connecting):
            self.destroy(node_error(Exception, "Socket is closed", "ERR_SOCKET_CLOSED"))
            return self
        if self.connecting:
            self.once("connect", self._reset)
        else:
            self._reset()
        return self

    def _reset(self) -> None:
        if self._sock is not None and not self.destroyed:
            try:
                self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
        self.destroy()

    def _emit_close(self, settle: list[tuple[Any, Any]], had_error: bool) -> None:
        for cb, err in settle:
            cb(err)
        self.emit("close", had_error)


def _consume(bufs: list[Any], sent: int) -> list[Any]:
    """The buffers not (fully) sent, the first one as a view past what was."""
    for i, b in enumerate(bufs):
        n = len(b)
        if sent < n:
            if sent:
                rest = bufs[i + 1:]
                rest.insert(0, memoryview(b)[sent:])
                return rest
            return bufs[i:] if i else bufs
        sent -= n
    return []
