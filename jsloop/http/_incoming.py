"""Node's ``IncomingMessage``: the request a server receives (and the response a
client receives), its headers, and its body as a readable stream.

Owns: ``IncomingMessage`` — ``method``, ``url``, ``httpVersion``, ``headers``
(built lazily from ``rawHeaders`` on first access, duplicates combined exactly as
``_http_incoming.js`` does: ``set-cookie`` a list, ``cookie`` joined with
``'; '``, a fixed set of list-valued fields joined with ``', '``, every other
duplicate dropped), ``rawHeaders``, ``trailers``/``rawTrailers``, ``complete``,
``aborted``; events ``'data'``, ``'end'``, ``'aborted'``, ``'error'``
(ECONNRESET, only with a listener, as Node keeps it), ``'close'``.

The body side is a Readable with Node's flowing/paused modes, ``read()``,
``pause``/``resume``/``isPaused``, ``setEncoding``, ``pipe``, ``async for`` and
a 16 KiB ``readableHighWaterMark``. Backpressure: the parser glue pushes
chunks with ``_push`` and, when it returns False (buffer at the high-water
mark), pauses the socket; ``_on_pull`` (set by the connection) resumes it once
the consumer drains the buffer — so a slow reader never has more than the
high-water mark plus one socket read buffered.

Imports: ..events, ..timers, ..promise, ._common.
"""

from __future__ import annotations

import codecs
import collections
from collections.abc import Callable
from typing import Any

from ..events import EventEmitter
from ..promise import Promise
from ..timers import nextTick

__all__ = ["IncomingMessage"]

HIGH_WATER_MARK = 16384

# matchKnownFields in _http_incoming.js: 0 = join with ', ', 2 = join with '; ',
# 1 = array (set-cookie); absent = keep the first, drop later duplicates.
_JOIN = 0
_ARRAY = 1
_COOKIE = 2
_KNOWN: dict[str, int] = {
    name: _JOIN for name in (
        "date", "vary", "origin", "expect", "accept", "upgrade", "if-match", "connection",
        "cache-control", "if-none-match", "accept-encoding", "accept-language",
        "x-forwarded-for", "content-encoding", "x-forwarded-host", "transfer-encoding",
        "x-forwarded-proto",
    )
}
_KNOWN["set-cookie"] = _ARRAY
_KNOWN["cookie"] = _COOKIE
_DROP_DUPLICATES = frozenset((
    "age", "host", "from", "etag", "server", "referer", "expires", "location", "user-agent",
    "retry-after", "content-type", "max-forwards", "authorization", "last-modified",
    "content-length", "if-modified-since", "proxy-authorization", "if-unmodified-since",
))


def headers_from_raw(raw: list[str], join_duplicates: bool = False) -> dict[str, Any]:
    """Node's ``_addHeaderLines`` over a flat ``[name, value, ...]`` list."""
    dest: dict[str, Any] = {}
    for i in range(0, len(raw) - 1, 2):
        field = raw[i].lower()
        value = raw[i + 1]
        kind = _KNOWN.get(field)
        if kind is None and field not in _DROP_DUPLICATES:
            kind = _JOIN  # unknown fields are joined ('\u0000' + field in Node)
        if kind == _ARRAY:
            dest.setdefault(field, []).append(value)
        elif kind is not None:
            old = dest.get(field)
            dest[field] = value if old is None else old + (", " if kind == _JOIN else "; ") + value
        elif join_duplicates and field in dest:
            dest[field] += ", " + value
        elif field not in dest:
            dest[field] = value
    return dest


class IncomingMessage(EventEmitter):
    """Node's ``http.IncomingMessage``."""

    __slots__ = (
        "__dict__",  # users attach fields to requests (req.body = ..., as in Express)
        "_buf",
        "_buf_len",
        "_consuming",
        "_decoder",
        "_dumped",
        "_end_emitted",
        "_ended",
        "_flowing",
        "_headers",
        "_on_pull",
        "_trailers",
        "aborted",
        "complete",
        "destroyed",
        "httpVersion",
        "httpVersionMajor",
        "httpVersionMinor",
        "joinDuplicateHeaders",
        "method",
        "rawHeaders",
        "rawTrailers",
        "socket",
        "statusCode",
        "statusMessage",
        "upgrade",
        "url",
    )

    def __init__(self, socket: Any) -> None:
        super().__init__()
        self.socket = socket
        self.method: str | None = None
        self.url = ""
        self.httpVersion = "1.1"
        self.httpVersionMajor = 1
        self.httpVersionMinor = 1
        self.rawHeaders: list[str] = []
        self.rawTrailers: list[str] = []
        self._headers: dict[str, Any] | None = None
        self._trailers: dict[str, Any] | None = None
        self.joinDuplicateHeaders = False
        self.statusCode: int | None = None
        self.statusMessage: str | None = None
        self.complete = False
        self.aborted = False
        self.upgrade = False
        self.destroyed = False
        # readable side
        self._buf: collections.deque[Any] | None = None
        self._buf_len = 0
        self._flowing: bool | None = None
        self._ended = False
        self._end_emitted = False
        self._consuming = False
        self._dumped = False
        self._decoder: Any = None
        self._on_pull: Callable[[], Any] | None = None

    def __repr__(self) -> str:
        return f"<IncomingMessage {self.method} {self.url}>"

    # -- headers ----------------------------------------------------------------------

    @property
    def headers(self) -> dict[str, Any]:
        h = self._headers
        if h is None:
            h = self._headers = headers_from_raw(self.rawHeaders, self.joinDuplicateHeaders)
        return h

    @headers.setter
    def headers(self, value: dict[str, Any]) -> None:
        self._headers = value

    @property
    def headersDistinct(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        raw = self.rawHeaders
        for i in range(0, len(raw) - 1, 2):
            out.setdefault(raw[i].lower(), []).append(raw[i + 1])
        return out

    @property
    def trailers(self) -> dict[str, Any]:
        t = self._trailers
        if t is None:
            t = self._trailers = headers_from_raw(self.rawTrailers)
        return t

    @property
    def connection(self) -> Any:
        return self.socket

    def setTimeout(self, msecs: float, callback: Callable[..., Any] | None = None
                   ) -> IncomingMessage:
        """``message.setTimeout``: the socket's timeout."""
        if callback is not None:
            self.on("timeout", callback)
        if self.socket is not None:
            self.socket.setTimeout(msecs)
        return self

    # -- the body: producer side (the parser glue) --------------------------------------

    def _push(self, chunk: bytes) -> bool:
        """A body chunk from the parser; False when the buffer is full (pause the socket)."""
        if self._dumped or self.destroyed:
            return True
        if self._decoder is not None:
            data: Any = self._decoder.decode(chunk)
            if not data:
                return True
        else:
            data = chunk
        if self._flowing and not self._buf:
            self.emit("data", data)
            return True
        buf = self._buf
        if buf is None:
            buf = self._buf = collections.deque()
        if not buf and self._flowing is False and self._events.get("readable") is not None:
            nextTick(self._emit_readable)
        buf.append(data)
        self._buf_len += len(chunk)
        return self._buf_len < HIGH_WATER_MARK

    def _push_end(self) -> None:
        """The message is complete: 'end' once the buffer is consumed."""
        self.complete = True
        self._ended = True
        if self._decoder is not None:
            tail = self._decoder.decode(b"", final=True)
            if tail:
                self._push_tail(tail)
        if self._flowing or self._dumped:
            nextTick(self._flow)
        elif self._events.get("readable") is not None:
            nextTick(self._emit_readable)

    def _push_tail(self, data: Any) -> None:
        if self._buf is None:
            self._buf = collections.deque()
        self._buf.append(data)
        self._buf_len += len(data)

    # -- the body: consumer side ---------------------------------------------------------

    @property
    def readableHighWaterMark(self) -> int:
        return HIGH_WATER_MARK

    @property
    def readableLength(self) -> int:
        return self._buf_len

    @property
    def readableEnded(self) -> bool:
        return self._end_emitted

    @property
    def readableFlowing(self) -> bool | None:
        return self._flowing

    @property
    def readable(self) -> bool:
        return not (self._end_emitted or self.destroyed)

    def _add(self, event: Any, listener: Callable[..., Any], prepend: bool) -> Any:
        result = super()._add(event, listener, prepend)
        if event == "data":
            self._consuming = True
            if self._flowing is None:
                self.resume()
        elif event == "readable":
            self._consuming = True
            self._flowing = False
            if self._buf or self._ended:
                nextTick(self._emit_readable)
        return result

    def _emit_readable(self) -> None:
        if not self.destroyed and not self._end_emitted:
            self.emit("readable")
            if self._ended and not self._buf:
                self._maybe_end()

    def resume(self) -> IncomingMessage:
        """``readable.resume()``: flowing mode; buffered chunks go out on the next tick."""
        self._consuming = True
        if not self._flowing:
            self._flowing = True
            nextTick(self._flow)
        return self

    def pause(self) -> IncomingMessage:
        self._flowing = False
        return self

    def isPaused(self) -> bool:
        return self._flowing is False

    def _flow(self) -> None:
        buf = self._buf
        while buf and (self._flowing or self._dumped) and not self.destroyed:
            data = buf.popleft()
            self._buf_len -= len(data)
            if not self._dumped:
                self.emit("data", data)
        if not buf:
            self._buf_len = 0
            self._pull()
            if self._ended:
                self._maybe_end()

    def _pull(self) -> None:
        pull = self._on_pull
        if pull is not None and self._buf_len < HIGH_WATER_MARK and not self._ended:
            pull()

    def _maybe_end(self) -> None:
        if self._end_emitted or self._buf or self.destroyed:
            return
        self._end_emitted = True
        self.emit("end")

    def read(self, size: int | None = None) -> Any:
        """``readable.read([size])``: buffered data joined (None when empty)."""
        self._consuming = True
        buf = self._buf
        if not buf:
            if self._ended:
                nextTick(self._maybe_end)
            return None
        if size is None or size >= self._buf_len:
            first = buf[0]
            data = first[:0].join(buf)
            buf.clear()
            self._buf_len = 0
        else:
            joined = buf[0][:0].join(buf)
            data, rest = joined[:size], joined[size:]
            buf.clear()
            buf.append(rest)
            self._buf_len = len(rest)
        self._pull()
        if self._ended and not buf:
            nextTick(self._maybe_end)
        return data

    def setEncoding(self, encoding: str = "utf8") -> IncomingMessage:
        name = "utf-8" if encoding.lower() in ("utf8", "utf-8") else encoding
        self._decoder = codecs.getincrementaldecoder(name)("replace")
        return self

    def pipe(self, dest: Any, options: dict[str, Any] | None = None) -> Any:
        """``readable.pipe(dest[, {end}])`` with backpressure via ``'drain'``."""
        end = True if options is None else bool(options.get("end", True))

        def ondata(chunk: Any) -> None:
            if dest.write(chunk) is False:
                self.pause()

        def ondrain() -> None:
            self.resume()

        self.on("data", ondata)
        dest.on("drain", ondrain)
        if end:
            self.once("end", dest.end)
        dest.emit("pipe", self)
        return dest

    def _dump(self) -> None:
        """Discard the unread body so the connection can carry the next request."""
        if self._dumped:
            return
        self._dumped = True
        self._consuming = True
        self._buf = None
        self._buf_len = 0
        self._pull()
        if self._ended:
            nextTick(self._flow)

    def destroy(self, error: BaseException | None = None) -> IncomingMessage:
        """``message.destroy([err])``: 'aborted' if incomplete, 'error' only with a
        listener (Node keeps that for compatibility), then 'close'."""
        if self.destroyed:
            return self
        self.destroyed = True
        if not self._end_emitted or not self.complete:
            self.aborted = True
            self.emit("aborted")
        sock = self.socket
        if sock is not None and not sock.destroyed and self.aborted:
            sock.destroy(error)
        if error is not None and self.listenerCount("error"):
            nextTick(self._emit_error_close, error)
        else:
            nextTick(self._emit_close)
        return self

    def _emit_error_close(self, error: BaseException) -> None:
        self.emit("error", error)
        self.emit("close")

    def _emit_close(self) -> None:
        self.emit("close")

    def __aiter__(self) -> _BodyIterator:
        return _BodyIterator(self)


class _BodyIterator:
    """``async for chunk in req``: one pending read at a time."""

    __slots__ = ("done", "error", "msg", "waiter")

    def __init__(self, msg: IncomingMessage) -> None:
        self.msg = msg
        self.done = False
        self.error: BaseException | None = None
        self.waiter: Any = None
        msg.on("readable", self._wake)
        msg.on("end", self._on_end)
        msg.on("error", self._on_error)
        msg.on("close", self._on_end)

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and (self.msg._buf or self.msg._ended):
            self.waiter = None
            self._settle(waiter)

    def _on_end(self) -> None:
        self.done = True
        waiter, self.waiter = self.waiter, None
        if waiter is not None:
            self._settle(waiter)

    def _on_error(self, err: BaseException) -> None:
        self.error = err
        self._on_end()

    def _settle(self, waiter: Any) -> None:
        data = self.msg.read()
        if data is not None:
            waiter.resolve(data)
        elif self.error is not None:
            waiter.reject(self.error)
        elif self.done or self.msg._end_emitted or self.msg.destroyed:
            waiter.reject(StopAsyncIteration())
        else:
            self.waiter = waiter

    def __anext__(self) -> Promise[Any]:
        w = Promise.withResolvers()
        self._settle(w)
        return w.promise
