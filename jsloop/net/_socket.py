"""``jsloop.net.Socket``: Node's duplex byte stream over TCP or a Unix socket.

How a socket runs
-----------------
One ``IOWatcher`` per fd. Its interest is recomputed by ``_update_interest``:
READABLE once reading has started (Node's ``handle.reading``: at accept, unless
``pauseOnConnect``; at connect, unless paused; at ``resume()``) while the socket
wants data (flowing, or paused with less than the high-water mark buffered —
Node's Readable keeps reading until its buffer is full); WRITABLE while the
write queue is non-empty or a connect is in flight. A socket with neither
interest leaves the poller and no longer keeps the loop alive (libuv's
``uv_read_stop`` stops an idle handle). Each readiness event does at most one
``recv_into`` into a per-loop 64 KiB ``bytearray`` and one copy of the bytes
received; the per-event path is kept short on purpose (this server must beat
node's ``net`` on CPU per request).

Writes try ``send`` at once when nothing is queued; the remainder waits for
WRITABLE as a ``memoryview`` into the caller's ``bytes`` (never a copy of the
unsent part; a mutable ``bytearray``/``memoryview`` is copied once, as the
caller may reuse it). Queued writes leave in one ``sendmsg`` (writev) of up to
1,024 buffers per event. ``write`` returns ``writableLength < 16 KiB``
measured *after* that attempt, as node 20 does.

Requests and destroy (libuv's ``uv_req_t``: ``jsloop._req.Req``)
----------------------------------------------------------------
Every ``connect()`` call is a ``Req`` from the call until the ``connect(2)`` is
issued; the lookup and the nextTick before it check ``req.active``, and
``destroy()`` completes every outstanding one, so a socket destroyed during its
lookup neither connects nor holds the loop (the lookup's own pool job still
finishes, as Node's ``GetAddrInfoReqWrap`` does). A second ``connect()`` while
connecting fails with EALREADY, as libuv's ``uv_tcp_connect``; ``connect()`` on
a destroyed socket starts it over (Node's ``_undestroy``).

``destroy()`` settles every queued write and ``end()`` callback exactly once,
as Node 20 does: while connecting all get ERR_SOCKET_CLOSED_BEFORE_CONNECTION;
with a write in flight its callback gets ``None`` (libuv cancels it, Node's
``onWriteComplete`` reports a destroyed stream's write as done), the rest and
the ``end`` callbacks ERR_STREAM_DESTROYED — all in the close phase just before
``'close'``; otherwise the ``end`` callbacks get ERR_STREAM_DESTROYED via nextTick.

Ordering (checked against node 20, see tests/test_io_ordering.py and
tests/test_net_hardening.py)
-----------------------------------------------------------------
* ``'data'``, ``'connect'``, async write completions, ``'drain'`` after an
  async flush: synchronously in the poll-phase callback.
* A write that completes at once reports its callback (and ``'drain'``) via
  ``process.nextTick`` (Node's ``afterWriteTick``).
* ``end()`` with nothing queued shuts down in the next pending phase (libuv
  1.46's ``uv_shutdown`` feeds the watcher), so ``'finish'`` comes before other
  sockets' poll events; ``'finish'`` (after the ``end`` callbacks) and ``'end'``
  via nextTick; a socket destroys itself once both happened (Node's
  autoDestroy), whichever came first: finish, end, close.
* ``'error'`` from ``destroy(err)``: via nextTick; the socket ``'close'``: in the
  close phase (``loop.defer_close``, libuv's ``uv_close`` callback).
* A connect that succeeds or fails at once (Unix sockets, a refused local
  connect) is reported in the pending phase (libuv's ``uv__io_feed``).
* Writing after the peer's FIN once this side has ended too (no allowHalfOpen)
  is Node's ``writeAfterFIN``: False, the callback gets EPIPE ("This socket has
  been ended by the other party") via nextTick, and the socket is destroyed with
  it — an 'error' only if it was still open.

The connecting half (``connect()``, its requests and lookups) is the mixin
``_connect.SocketConnect``; options, the idle timeout and addresses are
``_sockinfo.SocketInfo``.

Imports: _runtime, _poller, events, errors, timers, _addr, _common, _connect,
_sockinfo, _iter.
"""

from __future__ import annotations

import codecs
import collections
import errno as errno_mod
import itertools
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

from .._compat import call_js
from .._poller import READABLE, WRITABLE
from .._runtime import get_loop
from ..errors import NodeTypeError, invalid_arg_type
from ..events import EventEmitter
from ..timers import nextTick
from ._addr import (
    from_oserror,
    node_error,
)
from ._common import HIGH_WATER_MARK, WOULD_BLOCK, Flag, loop_net
from ._connect import SocketConnect
from ._iter import SocketIterator
from ._sockinfo import SocketInfo

if TYPE_CHECKING:
    from ._server import Server

IOV_MAX = 1024  # buffers per sendmsg (Linux's UIO_MAXIOV)
_NEED_DRAIN = 4  # the Flag bit of Socket._need_drain


def _closed_before_connection() -> Exception:
    return node_error(Exception, "Socket closed before the connection was established",
                      "ERR_SOCKET_CLOSED_BEFORE_CONNECTION")


def _destroyed_error(method: str) -> Exception:
    return node_error(Exception, f"Cannot call {method} after a stream was destroyed",
                      "ERR_STREAM_DESTROYED")


class Socket(SocketConnect, SocketInfo, EventEmitter):
    """Node's ``net.Socket``: a duplex byte stream over TCP or a Unix socket.

    Events: ``'connect'``, ``'ready'``, ``'lookup'``, ``'data'``, ``'end'``,
    ``'finish'``, ``'drain'``, ``'timeout'``, ``'error'``, ``'close'`` (hadError).
    Chunks are ``bytes`` (``str`` after ``setEncoding``).
    """

    __slots__ = (
        # No "__dict__": in CPython 3.11 it costs ~136 B per instance even unused
        # (the values array is allocated eagerly). Subclasses get one back for free.
        "__weakref__",  # for WeakKeyDictionary / WeakSet bookkeeping by users
        "_bits",
        "_bytes_sent",
        "_corked",
        "_decoder",
        "_flowing",
        "_net",
        "_opts",
        "_rbuf",
        "_rbuf_len",
        "_server",
        "_sock",
        "_timeout_ms",
        "_w",
        "_wq",
        "_wq_bytes",
        "_write_ended",
        "bytesRead",
        "connecting",
        "destroyed",
    )

    # Cold booleans, one bit each of ``_bits`` (see Flag).
    _end_emitted = Flag(1)
    _finished = Flag(2)
    _need_drain = Flag(_NEED_DRAIN)
    _read_ended = Flag(8)
    _reading = Flag(16)  # Node's handle.reading: a read was started
    _refed = Flag(32)
    _shut = Flag(64)
    allowHalfOpen = Flag(128)

    def __init__(self, options: dict[str, Any] | None = None, *,
                 allowHalfOpen: bool | None = None) -> None:
        super().__init__()
        if allowHalfOpen is None:
            allowHalfOpen = bool(options.get("allowHalfOpen", False)) if options else False
        self._bits = 0
        self._net = loop_net(get_loop())
        self._sock: socket.socket | None = None
        self._w: Any = None
        self._server: Server | None = None
        # Cold state in one dict created on first use (every slot costs each idle
        # connection 8 bytes): socket options to apply once the fd exists, the
        # requests in flight ("_reqs"), the peer address ("peer"), the connect
        # address ("addr"), end() callbacks ("end_cbs"), the idle timer ("timer",
        # "last") and the ``timeout`` property.
        self._opts: dict[str, Any] | None = None
        self.allowHalfOpen = bool(allowHalfOpen)
        self._refed = True
        self.bytesRead = 0
        self._bytes_sent = 0
        self._timeout_ms = 0
        self._reset_state()

    def _reset_state(self) -> None:
        """The per-life state: a new socket, or ``connect()`` after ``destroy()``."""
        self.connecting = False
        self.destroyed = False
        # readable side
        self._flowing: bool | None = None
        self._reading = False
        # Both queues are created on first use: an empty deque costs 760 B (a 64-slot
        # block), twice the rest of an idle socket. ``not self._rbuf`` holds for None.
        self._rbuf: collections.deque[Any] | None = None
        self._rbuf_len = 0
        self._read_ended = False
        self._end_emitted = False
        self._decoder: Any = None
        # writable side
        self._wq: collections.deque[list[Any]] | None = None
        self._wq_bytes = 0
        self._corked = 0
        self._need_drain = False
        self._write_ended = False
        self._shut = False
        self._finished = False

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
        mask = WRITABLE if self._wq and not self._corked else 0
        if self._reading and not self._read_ended and (
            self._flowing or self._rbuf_len < HIGH_WATER_MARK
        ):
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
        if events & WRITABLE and self._wq and not self.destroyed:
            self._flush()

    # -- reading --------------------------------------------------------------------

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
            self._on_eof()
            return
        self.bytesRead += n
        if self._timeout_ms:
            self._touch()
        chunk: Any = net.view[:n].tobytes()
        if self._decoder is not None:
            chunk = self._decoder.decode(chunk)
            if not chunk:
                return
        rbuf = self._rbuf
        if not rbuf:
            if self._flowing:
                self.emit("data", chunk)
                return
            if rbuf is None:
                rbuf = self._rbuf = collections.deque()
        rbuf.append(chunk)
        self._rbuf_len += n
        if self._rbuf_len >= HIGH_WATER_MARK:
            self._update_interest()

    def _on_eof(self) -> None:
        self._read_ended = True
        self._update_interest()
        if self._decoder is not None:
            tail = self._decoder.decode(b"", final=True)
            if tail:
                if self._rbuf is None:
                    self._rbuf = collections.deque()
                self._rbuf.append(tail)
        if not self._rbuf:
            nextTick(self._emit_end)
        elif self._flowing:
            nextTick(self._flow)

    def _emit_end(self) -> None:
        if self._end_emitted or self.destroyed or self._rbuf:
            return
        self._end_emitted = True
        self.emit("end")
        if not self.allowHalfOpen and not self._write_ended:
            # Duplex's onend: a socket that does not allow half-open ends its side too.
            nextTick(self._end_after_peer)
        elif self._finished:
            self.destroy()

    def _end_after_peer(self) -> None:
        if not self.destroyed:
            self.end()

    def _flow(self) -> None:
        """Emit buffered chunks while flowing (Node's ``flow``); then 'end' if due."""
        rbuf = self._rbuf
        while rbuf and self._flowing and not self.destroyed:
            chunk = rbuf.popleft()
            self._rbuf_len -= len(chunk)
            self.emit("data", chunk)
        if self._rbuf_len < 0 or not rbuf:
            self._rbuf_len = 0
            self._rbuf = None  # give the deque back: most sockets never buffer again
        if not rbuf and self._read_ended:
            self._emit_end()
        else:
            self._update_interest()

    def _add(self, event: Any, listener: Callable[..., Any], prepend: bool) -> Self:
        result = super()._add(event, listener, prepend)
        # Node: attaching a 'data' listener switches the stream to flowing unless
        # it was explicitly paused.
        if event == "data" and self._flowing is None:
            self.resume()
        return result

    def pause(self) -> Self:
        """``socket.pause()``: stop emitting 'data' (reading stops once 16 KiB are
        buffered; a socket paused before its first read does not start reading)."""
        self._flowing = False
        self._update_interest()
        return self

    def resume(self) -> Self:
        """``socket.resume()``: emit 'data' again, buffered chunks first (via nextTick)."""
        if self._flowing:
            return self
        self._flowing = True
        if self._sock is not None and not self.connecting:
            self._reading = True
        if self._rbuf or self._read_ended:
            nextTick(self._flow)
        self._update_interest()
        return self

    def isPaused(self) -> bool:
        return self._flowing is False

    def setEncoding(self, encoding: str = "utf8") -> Self:
        """``socket.setEncoding``: 'data' chunks become str (utf8 split safely across reads)."""
        name = "utf-8" if encoding.lower() in ("utf8", "utf-8") else encoding
        self._decoder = codecs.getincrementaldecoder(name)("replace")
        return self

    # -- writing --------------------------------------------------------------------

    def write(self, data: Any, encoding: Any = None, cb: Callable[..., Any] | None = None
              ) -> bool:
        """``socket.write(data[, encoding][, cb])``: False once 16 KiB are queued, then 'drain'."""
        if encoding is not None and callable(encoding):
            cb, encoding = encoding, None
        if type(data) is not bytes:  # the common case skips both isinstance tests
            if isinstance(data, str):
                data = data.encode("utf-8" if encoding in (None, "utf8", "utf-8") else encoding)
            elif not isinstance(data, (bytes, bytearray, memoryview)):
                if data is None:
                    raise NodeTypeError("May not write null values to stream",
                                        "ERR_STREAM_NULL_VALUES")
                raise invalid_arg_type(
                    "chunk", "of type string or an instance of Buffer or Uint8Array", data)
        if self._write_ended or self.destroyed:
            self._write_after_end(cb)
            return False
        n = len(data)
        if self._timeout_ms:
            self._touch()
        wq = self._wq
        if not wq and not self.connecting and self._sock is not None and not self._corked:
            try:
                sent = self._sock.send(data)
            except WOULD_BLOCK:
                sent = 0
            except OSError as exc:
                err = from_oserror(exc, "write")
                if cb is not None:
                    nextTick(call_js, cb, err)
                self.destroy(err)
                return False
            self._bytes_sent += sent
            if sent == n:
                # Completed at once: Node reports it via nextTick (afterWriteTick),
                # and nothing is buffered, so write() returns True whatever the size.
                if cb is not None:
                    nextTick(self._after_sync_write, cb)
                return True
            # The unsent rest: a view into immutable bytes, never a copy of it.
            view = memoryview(data)[sent:]
            data = view if type(data) is bytes else view.tobytes()
            n -= sent
        elif type(data) is not bytes:
            data = bytes(data)  # the caller may reuse its buffer before we send it
        if wq is None:
            wq = self._wq = collections.deque()
        wq.append([data, cb])
        self._wq_bytes += n
        if len(wq) == 1 and not self._corked:
            self._update_interest()  # later writes find WRITABLE asked for already
        if self._wq_bytes < HIGH_WATER_MARK:
            return True
        self._bits |= _NEED_DRAIN  # self._need_drain = True, without the descriptor call
        return False

    def _write_after_end(self, cb: Callable[..., Any] | None) -> None:
        if self._end_emitted and not self.allowHalfOpen and self._write_ended:
            # Node's writeAfterFIN: the peer ended and so did we.
            err: Exception = node_error(BrokenPipeError,
                                        "This socket has been ended by the other party", "EPIPE")
            err.errno = errno_mod.EPIPE  # type: ignore[attr-defined]
            if cb is not None:
                nextTick(call_js, cb, err)
            self.destroy(err)
            return
        if self.destroyed:
            err = _destroyed_error("write")
        else:
            err = node_error(Exception, "write after end", "ERR_STREAM_WRITE_AFTER_END")
            nextTick(self._emit_error_if_open, err)
        if cb is not None:
            nextTick(call_js, cb, err)

    def _emit_error_if_open(self, err: BaseException) -> None:
        if not self.destroyed:
            self.destroy(err)

    def _after_sync_write(self, cb: Callable[..., Any] | None) -> None:
        if cb is not None:
            call_js(cb, None)
        if self._need_drain and not self._wq and not self.destroyed:
            self._need_drain = False
            self.emit("drain")

    def _flush(self, sync: bool = False) -> None:
        """WRITABLE with writes queued: send them (several per ``sendmsg``), then
        their callbacks; 'drain' and a pending shutdown once the queue is empty.

        ``sync``: called from user code (``uncork``), not from the poll: what is
        sent at once reports its callbacks and 'drain' via nextTick, as a write
        that completes at once does (Node's afterWriteTick)."""
        wq = self._wq
        sock = self._sock
        assert wq is not None and sock is not None
        done: list[Any] = []
        while wq:
            batch = len(wq) if len(wq) < IOV_MAX else IOV_MAX
            try:
                if batch == 1:
                    sent = sock.send(wq[0][0])
                else:
                    sent = sock.sendmsg([e[0] for e in itertools.islice(wq, batch)])
            except WOULD_BLOCK:
                break
            except OSError as exc:
                self.destroy(from_oserror(exc, "write"))
                return
            self._bytes_sent += sent
            self._wq_bytes -= sent
            full = False
            for _ in range(batch):
                entry = wq[0]
                data = entry[0]
                if sent < len(data):  # (an empty write is never "partly" sent)
                    if sent:
                        entry[0] = memoryview(data)[sent:]
                    full = True  # the kernel took less than we gave: it is full
                    break
                sent -= len(data)
                wq.popleft()
                if entry[1] is not None:
                    done.append(entry[1])
            if full:
                break
        if sync:
            if self._timeout_ms:
                self._touch()
            if not wq:
                self._wq_bytes = 0
                self._wq = None
                if self._write_ended:
                    self._net.loop.defer_pending(self._shutdown)
            self._update_interest()
            if done or not wq:
                nextTick(self._after_sync_flush, done)
            return
        for cb in done:
            call_js(cb, None)  # written: reported even if a callback destroyed us
        if self._timeout_ms:
            self._touch()
        if wq or self.destroyed:
            return
        self._wq_bytes = 0
        self._wq = None  # give the deque back (see _reset_state)
        self._update_interest()
        if self._need_drain:
            self._need_drain = False
            self.emit("drain")
        if self._write_ended and not self._wq and not self.destroyed:
            self._shutdown()

    def cork(self) -> None:
        """``socket.cork()``: hold writes in the queue until as many ``uncork()`` calls;
        they then leave together in one writev (``sendmsg``)."""
        self._corked += 1

    def uncork(self) -> None:
        """``socket.uncork()``: after the last one, queued writes go out at once, in
        one writev, as far as the kernel takes them; the rest waits for WRITABLE."""
        if self._corked:
            self._corked -= 1
            if not self._corked and self._wq:
                if self.connecting or self._sock is None or self.destroyed:
                    self._update_interest()
                else:
                    self._flush(sync=True)

    def _after_sync_flush(self, done: list[Any]) -> None:
        for cb in done:
            call_js(cb, None)
        if self._need_drain and not self._wq and not self.destroyed:
            self._need_drain = False
            self.emit("drain")

    @property
    def writableCorked(self) -> int:
        return self._corked

    def end(self, data: Any = None, encoding: Any = None,
            cb: Callable[..., Any] | None = None) -> Self:
        """``socket.end([data][, encoding][, cb])``: half-close after queued writes flush.

        ``cb(err)`` runs once: before 'finish' (``None``), or with the error that
        stopped it (ERR_STREAM_DESTROYED, ERR_STREAM_ALREADY_FINISHED...).
        """
        if callable(data):
            cb, data = data, None
        elif callable(encoding):
            cb, encoding = encoding, None
        if data is not None and not self._write_ended and not self.destroyed:
            self.write(data, encoding)
        if cb is not None:
            if self._finished:
                nextTick(call_js, cb, node_error(
                    Exception, "Cannot call end after a stream was finished",
                    "ERR_STREAM_ALREADY_FINISHED"))
            elif self.destroyed:
                nextTick(call_js, cb, _destroyed_error("end"))
            else:
                self._cold_list("end_cbs").append(cb)
        if self._write_ended or self.destroyed:
            return self
        self._write_ended = True
        self._corked = 0  # Node's end() uncorks
        if self._wq:
            self._update_interest()
        elif not self.connecting and self._sock is not None:
            # libuv 1.46's uv_shutdown with nothing queued feeds the watcher:
            # the shutdown runs in the next pending phase.
            self._net.loop.defer_pending(self._shutdown)
        return self

    def _shutdown(self) -> None:
        if self._shut or self.destroyed or self._sock is None:
            return
        self._shut = True
        try:
            self._sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            if exc.errno != errno_mod.ENOTCONN:
                self.destroy(from_oserror(exc, "shutdown"))
                return
        nextTick(self._emit_finish)  # Writable's callFinal: finish on the next tick

    def _emit_finish(self) -> None:
        if self.destroyed or self._finished:
            return
        self._finished = True
        cbs = self._opts.pop("end_cbs", None) if self._opts else None
        if cbs is not None:
            for cb in cbs:
                call_js(cb, None)
        self.emit("finish")
        if self._end_emitted and not self.destroyed:
            self.destroy()  # autoDestroy: both sides done ('end' came first)

    @property
    def writableLength(self) -> int:
        return self._wq_bytes

    @property
    def bufferSize(self) -> int | None:
        """Node's (deprecated) ``socket.bufferSize``: ``writableLength`` once there is an fd."""
        # Node creates the handle in connect(): bufferSize exists from then until destroy.
        if self.destroyed or (self._sock is None and not self.connecting):
            return None
        return self._wq_bytes

    @property
    def writableNeedDrain(self) -> bool:
        return self._need_drain

    @property
    def bytesWritten(self) -> int:
        """Bytes handed to the kernel plus bytes still queued (as Node counts them)."""
        return self._bytes_sent + self._wq_bytes

    @property
    def writable(self) -> bool:
        return not (self._write_ended or self.destroyed)

    @property
    def writableEnded(self) -> bool:
        return self._write_ended

    @property
    def writableFinished(self) -> bool:
        return self._finished

    @property
    def readable(self) -> bool:
        return not (self._end_emitted or self.destroyed)

    @property
    def readableEnded(self) -> bool:
        return self._end_emitted

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
        if self.destroyed or self._sock is None:
            return "closed"
        if self._write_ended:
            return "readOnly"
        if self._read_ended:
            return "writeOnly"
        return "open"

    # -- destroying -----------------------------------------------------------------

    def destroy(self, error: BaseException | None = None) -> Self:
        """``socket.destroy([error])``: close now.

        'error' follows via nextTick, 'close' in the close phase (as in Node);
        queued write and ``end`` callbacks are settled (see the module docstring).
        """
        if self.destroyed:
            return self
        was_connecting = self.connecting
        self.destroyed = True
        self.connecting = False
        self._cancel_connects()
        self._clear_timer()
        self._release_fd()
        if self._server is not None:
            self._server._connection_closed()
        if error is not None:
            nextTick(self._emit_error, error)
        settle = self._unsettled(was_connecting)
        self._net.loop.defer_close(self._emit_close, settle, error is not None)
        return self

    def _unsettled(self, was_connecting: bool) -> list[tuple[Any, BaseException | None]] | None:
        """The queued write/end callbacks with what each must get, or None."""
        wq, self._wq = self._wq, None
        end_cbs = self._opts.pop("end_cbs", None) if self._opts else None
        writes = [e[1] for e in wq] if wq else []
        if not writes:
            if end_cbs:
                err = _destroyed_error("end")
                for cb in end_cbs:
                    nextTick(call_js, cb, err)
            return None
        if was_connecting:
            early = _closed_before_connection()
            return [(cb, early) for cb in writes + (end_cbs or []) if cb is not None]
        # The head write is in flight (libuv's req): it reports done; the rest never ran.
        out: list[tuple[Any, BaseException | None]] = [(writes[0], None)]
        rest = _destroyed_error("write")
        out += [(cb, rest) for cb in writes[1:]]
        if end_cbs:
            ended = _destroyed_error("end")
            out += [(cb, ended) for cb in end_cbs]
        return [(cb, err) for cb, err in out if cb is not None]

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
        if not self._wq:
            self.destroy()
        else:
            self.once("finish", self.destroy)

    def resetAndDestroy(self) -> Self:
        """``socket.resetAndDestroy()``: close with RST (SO_LINGER 0); while connecting,
        once connected. Without an fd: destroy with ERR_SOCKET_CLOSED, as Node."""
        if self.destroyed or (self._sock is None and not self.connecting):
            return self.destroy(node_error(Exception, "Socket is closed", "ERR_SOCKET_CLOSED"))
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

    def _emit_error(self, error: BaseException) -> None:
        self.emit("error", error)

    def _emit_close(self, settle: list[tuple[Any, BaseException | None]] | None,
                    had_error: bool) -> None:
        if settle:
            for cb, err in settle:
                call_js(cb, err)
        self.emit("close", had_error)

    # -- async iteration ------------------------------------------------------------

    def __aiter__(self) -> SocketIterator:
        """``for await (const chunk of socket)``: ``async for chunk in socket``."""
        return SocketIterator(self)
