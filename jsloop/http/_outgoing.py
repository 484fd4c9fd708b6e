"""Node's ``OutgoingMessage``: the header store and body writer that
``ServerResponse`` and ``ClientRequest`` share (``_http_outgoing.js``).

Owns: the header map (``setHeader``/``getHeader``/``getHeaders``/
``getHeaderNames``/``hasHeader``/``removeHeader``/``appendHeader``), the
serialisation of the head (``_store_header``, Node's ``_storeHeader``: user
headers in insertion order, then ``Date``, ``Connection``/``Keep-Alive``,
``Content-Length`` or ``Transfer-Encoding: chunked``), chunked framing,
trailers, and the Writable surface (``write`` returning False past the
high-water mark then ``'drain'``, ``end``, ``'finish'``, ``writableEnded``,
``writableFinished``, ``destroy``). Like Node's, it is an EventEmitter with a
Writable's methods (Node's OutgoingMessage derives from the legacy ``Stream``,
not from ``stream.Writable``), so ``pipe``/``pipeline`` treat it as a sink.

Invariants
----------
* The head goes out with the first body bytes in a single ``socket.write``;
  ``end(data)`` with nothing written before sends head + body in one write and
  a ``Content-Length`` instead of chunking (as Node).
* Writes made in one tick are coalesced into one socket write (Node corks the
  socket and uncorks on the next tick); ``end`` flushes at once.
* Only the message that owns the socket (``socket._httpMessage`` in Node: the
  head of the pipeline) writes to it; the others buffer in ``_pending`` and
  flush when ``_assign_socket`` hands them the socket.
* ``'finish'`` fires when the socket has accepted the last byte (the write
  callback), never earlier.

Imports: ..events, ..timers, ..errors, ._common.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._compat import call_js
from ..errors import NodeTypeError, invalid_arg_type
from ..events import EventEmitter
from ..timers import nextTick
from ._common import (
    HTTPError,
    check_invalid_header_char,
    utc_date,
    validateHeaderName,
    validateHeaderValue,
)

__all__ = ["OutgoingMessage"]

HIGH_WATER_MARK = 16384
_SPECIAL = frozenset(("connection", "content-length", "transfer-encoding", "date", "trailer",
                      "keep-alive"))
_CRLF = b"\r\n"
_GOOD_NAMES: set[str] = set()  # header names already validated (bounded)
_GOOD_VALUES: set[str] = set()  # short str values already validated (bounded)
_LAST_CHUNK = b"0\r\n\r\n"


def headers_sent_error(action: str) -> HTTPError:
    return HTTPError(f"Cannot {action} headers after they are sent to the client",
                     "ERR_HTTP_HEADERS_SENT")


def _to_bytes(chunk: Any, encoding: Any) -> bytes:
    if type(chunk) is bytes:
        return chunk
    if isinstance(chunk, str):
        if encoding is None or encoding in ("utf8", "utf-8"):
            return chunk.encode()
        if encoding in ("latin1", "binary"):
            return chunk.encode("latin-1", "replace")
        if encoding == "hex":
            return bytes.fromhex(chunk)
        if encoding == "base64":
            import base64
            return base64.b64decode(chunk)
        return chunk.encode(encoding)
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    if chunk is None:
        raise NodeTypeError("May not write null values to stream", "ERR_STREAM_NULL_VALUES")
    raise invalid_arg_type("chunk", "of type string or an instance of Buffer or Uint8Array",
                           chunk)


_ka_lines: dict[int, str] = {}


def _keep_alive_line(timeout_ms: int) -> str:
    line = _ka_lines.get(timeout_ms)
    if line is None:
        line = f"Keep-Alive: timeout={timeout_ms // 1000}\r\n"
        if len(_ka_lines) < 64:
            _ka_lines[timeout_ms] = line
    return line


def _header_str(value: Any) -> str:
    return value if type(value) is str else str(value)


class _CallAll:
    """Several write callbacks folded into one (coalesced writes)."""

    __slots__ = ("cbs",)

    def __init__(self, cbs: list[Callable[..., Any]]) -> None:
        self.cbs = cbs

    def __call__(self, err: Any = None) -> None:
        for cb in self.cbs:
            call_js(cb, err)


class OutgoingMessage(EventEmitter):
    """Node's ``http.OutgoingMessage``."""

    # Written for every response: slots. Everything else is a class default that
    # an instance only shadows (in its __dict__) when it changes — most responses
    # never touch trailers, removed headers, corking or buffering.
    __slots__ = (
        "__dict__",
        "_content_length",
        "_header",
        "_header_sent",
        "_keep_alive_timeout",
        "_last",
        "_out",
        "destroyed",
        "finished",
        "shouldKeepAlive",
        "socket",
        "writableFinished",
    )

    _has_body = True
    _trailer = b""
    _removed_connection = False
    _removed_cont_len = False
    _removed_te = False
    _default_keep_alive = True
    _max_requests = 0
    _pending: list[bytes] | None = None
    _pending_cbs: list[Callable[..., Any]] | None = None
    _pending_len = 0
    _corked = False
    _need_drain = False
    chunkedEncoding = False
    useChunkedEncodingByDefault = True
    maxRequestsOnConnectionReached = False
    sendDate = False
    strictContentLength = False

    def __init__(self) -> None:
        super().__init__()
        self._out: dict[str, list[Any]] | None = None  # lower name -> [name, value]
        self._header: bytes | None = None
        self._header_sent = False
        self._content_length: int | None = None
        self._last = False
        self._keep_alive_timeout = 0
        self.shouldKeepAlive = True
        self.finished = False
        self.writableFinished = False
        self.destroyed = False
        self.socket: Any = None

    # -- headers ----------------------------------------------------------------------

    def setHeader(self, name: Any, value: Any) -> OutgoingMessage:
        """``outgoingMessage.setHeader(name, value)``."""
        if self._header is not None:
            raise headers_sent_error("set")
        if name not in _GOOD_NAMES:
            validateHeaderName(name)
            if len(_GOOD_NAMES) < 512:
                _GOOD_NAMES.add(name)
        if type(value) is not str or value not in _GOOD_VALUES:
            validateHeaderValue(name, value)
            if type(value) is str and len(value) < 64 and len(_GOOD_VALUES) < 1024:
                _GOOD_VALUES.add(value)
        out = self._out
        if out is None:
            out = self._out = {}
        out[name.lower()] = [name, value]
        return self

    def appendHeader(self, name: Any, value: Any) -> OutgoingMessage:
        """``outgoingMessage.appendHeader(name, value)``: keeps earlier values."""
        if self._header is not None:
            raise headers_sent_error("append")
        validateHeaderName(name)
        validateHeaderValue(name, value)
        out = self._out
        if out is None:
            out = self._out = {}
        key = name.lower()
        entry = out.get(key)
        if entry is None:
            out[key] = [name, value]
        else:
            old = entry[1] if isinstance(entry[1], list) else [entry[1]]
            entry[1] = old + (list(value) if isinstance(value, (list, tuple)) else [value])
        return self

    def getHeader(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise invalid_arg_type("name", "of type string", name)
        entry = self._out.get(name.lower()) if self._out else None
        return None if entry is None else entry[1]

    def getHeaders(self) -> dict[str, Any]:
        return {k: v[1] for k, v in self._out.items()} if self._out else {}

    def getHeaderNames(self) -> list[str]:
        return list(self._out) if self._out else []

    def getRawHeaderNames(self) -> list[str]:
        return [v[0] for v in self._out.values()] if self._out else []

    def hasHeader(self, name: Any) -> bool:
        if not isinstance(name, str):
            raise invalid_arg_type("name", "of type string", name)
        return bool(self._out) and name.lower() in self._out  # type: ignore[operator]

    def removeHeader(self, name: Any) -> None:
        if not isinstance(name, str):
            raise invalid_arg_type("name", "of type string", name)
        if self._header is not None:
            raise headers_sent_error("remove")
        key = name.lower()
        if key == "connection":
            self._removed_connection = True
        elif key == "content-length":
            self._removed_cont_len = True
        elif key == "transfer-encoding":
            self._removed_te = True
        elif key == "date":
            self.sendDate = False
        if self._out:
            self._out.pop(key, None)

    @property
    def headersSent(self) -> bool:
        return self._header is not None

    @property
    def connection(self) -> Any:
        return self.socket

    # -- the head ---------------------------------------------------------------------

    def _store_header(self, first_line: str, headers: Any) -> None:
        """Node's ``_storeHeader``: serialise the head into ``self._header``."""
        out = self._out
        if headers is None or (headers is out and out is not None):
            # Fast path (setHeader/end, the common case): values setHeader already
            # validated, none of them a framing header; string concatenation beats
            # a list join for a handful of short lines.
            head = first_line
            if out:
                for lower, entry in out.items():
                    value = entry[1]
                    if type(value) is not str or lower in _SPECIAL:
                        break
                    head += entry[0] + ": " + value + "\r\n"
                else:
                    self._finish_head(head, False, False, False, False, False)
                    return
            else:
                self._finish_head(head, False, False, False, False, False)
                return
        parts = [first_line]
        flags = [False, False, False, False]  # connection, content-length, te, trailer
        date = False
        if headers:
            if headers is out:
                for lower, entry in out.items():
                    value = entry[1]
                    if type(value) is str:
                        parts.append(f"{entry[0]}: {value}\r\n")
                        if lower in _SPECIAL and self._match_header(flags, lower, value):
                            date = True
                    elif self._process_header(parts, flags, entry[0], value, False):
                        date = True
            else:
                items = headers.items() if isinstance(headers, dict) else _pairs(headers)
                for key, value in items:
                    if self._process_header(parts, flags, key, value, True):
                        date = True
        self._finish_head("".join(parts), flags[0], flags[1], flags[2], flags[3], date)

    def _finish_head(self, head: str, conn: bool, cont_len: bool, te: bool, trailer: bool,
                     date: bool) -> None:
        """The rest of ``_storeHeader``: Date, Connection/Keep-Alive, framing."""
        if self.sendDate and not date:
            head += utc_date()
        if self.chunkedEncoding and self._no_body_status():
            self.chunkedEncoding = False
            self.shouldKeepAlive = False
        if self._removed_connection:
            self._last = not self.shouldKeepAlive
        elif not conn:
            keep = self.shouldKeepAlive and (
                cont_len or self.useChunkedEncodingByDefault or self._has_agent())
            if keep and self.maxRequestsOnConnectionReached:
                head += "Connection: close\r\n"
            elif keep:
                head += "Connection: keep-alive\r\n"
                if self._keep_alive_timeout and self._default_keep_alive:
                    if self._max_requests > 0:
                        head += (f"Keep-Alive: timeout={self._keep_alive_timeout // 1000}, "
                                 f"max={self._max_requests}\r\n")
                    else:
                        head += _keep_alive_line(self._keep_alive_timeout)
            else:
                self._last = True
                head += "Connection: close\r\n"
        if not cont_len and not te:
            if not self._has_body:
                self.chunkedEncoding = False
            elif not self.useChunkedEncodingByDefault:
                self._last = True
            elif not trailer and not self._removed_cont_len and \
                    self._content_length is not None:
                head += "Content-Length: " + str(self._content_length) + "\r\n"
            elif not self._removed_te:
                head += "Transfer-Encoding: chunked\r\n"
                self.chunkedEncoding = True
            else:
                self._last = True
        if not self.chunkedEncoding and trailer:
            raise HTTPError("Trailers are invalid with this transfer encoding",
                            "ERR_HTTP_TRAILER_INVALID")
        head += "\r\n"
        try:
            self._header = head.encode("latin-1")
        except UnicodeEncodeError:
            self._header = head.encode("utf-8")
        self._header_sent = False

    def _no_body_status(self) -> bool:  # overridden by ServerResponse (204, 304)
        return False

    def _has_agent(self) -> bool:
        return False

    def _process_header(self, parts: list[str], flags: list[bool], key: Any, value: Any,
                        validate: bool) -> bool:
        """Node's ``processHeader`` + ``matchHeader``; True for a ``Date`` header."""
        if validate:
            validateHeaderName(key)
        if isinstance(value, (list, tuple)):
            if len(value) < 2 or key.lower() != "cookie":
                date = False
                for v in value:
                    date = self._store_one(parts, flags, key, v, validate) or date
                return date
            value = "; ".join(_header_str(v) for v in value)
        return self._store_one(parts, flags, key, value, validate)

    def _store_one(self, parts: list[str], flags: list[bool], key: str, value: Any,
                   validate: bool) -> bool:
        if validate:
            validateHeaderValue(key, value)
        value = _header_str(value)
        parts.append(f"{key}: {value}\r\n")
        lower = key.lower()
        return lower in _SPECIAL and self._match_header(flags, lower, value)

    def _match_header(self, flags: list[bool], lower: str, value: str) -> bool:
        """Node's ``matchHeader``: the headers that steer framing; True for ``Date``."""
        if lower == "connection":
            flags[0] = True
            self._removed_connection = False
            if "close" in value.lower():
                self._last = True
            else:
                self.shouldKeepAlive = True
        elif lower == "content-length":
            flags[1] = True
            try:
                self._content_length = int(value)
            except ValueError:
                self._content_length = None
            self._removed_cont_len = False
        elif lower == "transfer-encoding":
            flags[2] = True
            self._removed_te = False
            if value.lower().rstrip().endswith("chunked"):
                self.chunkedEncoding = True
        elif lower == "date":
            return True
        elif lower == "trailer":
            flags[3] = True
        elif lower == "keep-alive":
            self._default_keep_alive = False
        return False

    def _implicit_header(self) -> None:
        raise NotImplementedError("_implicitHeader")

    # -- writing ----------------------------------------------------------------------

    def write(self, chunk: Any, encoding: Any = None,
              callback: Callable[..., Any] | None = None) -> bool:
        """``outgoingMessage.write(chunk[, encoding][, cb])``: False past the
        high-water mark; ``'drain'`` follows."""
        if callable(encoding):
            callback, encoding = encoding, None
        return self._write(chunk, encoding, callback, False)

    def _write(self, chunk: Any, encoding: Any, callback: Callable[..., Any] | None,
               from_end: bool) -> bool:
        if self.finished or self.destroyed:
            if self.finished:
                err = HTTPError("write after end", "ERR_STREAM_WRITE_AFTER_END")
            else:
                err = HTTPError("Cannot call write after a stream was destroyed",
                                "ERR_STREAM_DESTROYED")
            if not self.destroyed:
                nextTick(self._emit_write_error, err, callback)
            elif callback is not None:
                nextTick(call_js, callback, err)
            return False
        data = _to_bytes(chunk, encoding)
        if self._header is None:
            if from_end:
                self._content_length = len(data)
            self._implicit_header()
        if not self._has_body:
            if callback is not None:
                nextTick(call_js, callback)
            return True
        if self.chunkedEncoding and data:
            data = b"%x\r\n%b\r\n" % (len(data), data)
        if not from_end and not self._corked and self.socket is not None:
            self._corked = True
            nextTick(self._uncork)
        return self._send(data, callback)

    def _emit_write_error(self, err: BaseException, callback: Callable[..., Any] | None) -> None:
        if callback is not None:
            call_js(callback, err)
        if not self.destroyed:
            self.emit("error", err)

    def _send(self, data: bytes, callback: Callable[..., Any] | None) -> bool:
        """Node's ``_send``/``_writeRaw``: the head rides along with the first bytes."""
        if not self._header_sent and self._header is not None:
            data = self._header + data
            self._header_sent = True
        sock = self.socket
        if sock is not None and not self._corked and not self._pending:
            if sock.destroyed:
                return False
            return sock.write(data, callback) if callback is not None else sock.write(data)  # type: ignore[no-any-return]
        pending = self._pending
        if pending is None:
            pending = self._pending = []
        pending.append(data)
        self._pending_len += len(data)
        if callback is not None:
            cbs = self._pending_cbs
            if cbs is None:
                self._pending_cbs = [callback]
            else:
                cbs.append(callback)
        queued = self._pending_len + (sock.writableLength if sock is not None else 0)
        if queued < HIGH_WATER_MARK:
            return True
        self._need_drain = True
        return False

    def _uncork(self) -> None:
        self._corked = False
        self._flush_pending()

    def _flush_pending(self) -> None:
        """Hand what was buffered to the socket in one write (the owner only)."""
        pending = self._pending
        sock = self.socket
        if not pending or sock is None or self._corked:
            return
        data = pending[0] if len(pending) == 1 else b"".join(pending)
        cbs = self._pending_cbs
        self._pending = self._pending_cbs = None
        self._pending_len = 0
        if sock.destroyed:
            return
        if cbs is None:
            ok = sock.write(data)
        else:
            ok = sock.write(data, cbs[0] if len(cbs) == 1 else _CallAll(cbs))
        if ok and self._need_drain:
            self._need_drain = False
            nextTick(self._emit_drain)

    def _emit_drain(self) -> None:
        if not self.finished and not self.destroyed:
            self.emit("drain")

    def _on_socket_drain(self) -> None:
        if self._need_drain and not self.finished:
            self._need_drain = False
            self.emit("drain")

    def end(self, chunk: Any = None, encoding: Any = None,
            callback: Callable[..., Any] | None = None) -> OutgoingMessage:
        """``outgoingMessage.end([data][, encoding][, cb])``."""
        if callable(chunk):
            callback, chunk = chunk, None
        elif callable(encoding):
            callback, encoding = encoding, None
        if self.finished:
            if callback is not None:
                if self.writableFinished:
                    nextTick(call_js, callback, HTTPError(
                        "Cannot call end after a stream was finished",
                        "ERR_STREAM_ALREADY_FINISHED"))
                else:
                    self.once("finish", callback)
            return self
        if chunk is not None:
            data = _to_bytes(chunk, encoding)
            if self._header is None:
                self._content_length = len(data)
                self._implicit_header()
            if self._has_body and self.chunkedEncoding and data:
                data = b"%x\r\n%b\r\n" % (len(data), data)
        else:
            data = b""
            if self._header is None:
                self._content_length = 0
                self._implicit_header()
        if callback is not None:
            self.once("finish", callback)
        if not self._has_body:
            data = b""
        if self._has_body and self.chunkedEncoding:
            data += b"0\r\n" + self._trailer + _CRLF
        self._corked = False  # end() uncorks: everything goes out now
        self.finished = True
        sock = self.socket
        if sock is not None and not self._pending:
            self._send(data, None)
            # 'finish' once the socket has taken the last byte: at once (next tick,
            # as Node's afterWrite) when nothing is queued, else after the queue.
            if sock.writableLength:
                sock.write(b"", self._on_finish_written)
            elif not sock.destroyed:
                nextTick(self._on_finish_written)
        else:
            self._send(data, self._on_finish_written)
            self._flush_pending()
        return self

    def _on_finish_written(self, err: Any = None) -> None:
        sock = self.socket
        if sock is not None and getattr(sock, "_had_error", False):
            return
        self.writableFinished = True
        self._finished_hook()
        if self._events:
            self.emit("finish")
        self._after_finish()

    def _after_finish(self) -> None:
        """Runs after the 'finish' listeners (the server's 'close' scheduling)."""

    def _finished_hook(self) -> None:
        """Runs before the 'finish' listeners (the server's resOnFinish)."""

    def flushHeaders(self) -> None:
        """``outgoingMessage.flushHeaders()``: send the head now."""
        if self._header is None:
            self._implicit_header()
        self._send(b"", None)

    def addTrailers(self, headers: Any) -> None:
        """``outgoingMessage.addTrailers(headers)`` (sent after the last chunk)."""
        parts = []
        for field, value in (headers.items() if isinstance(headers, dict) else _pairs(headers)):
            if not isinstance(field, str) or not field:
                raise NodeTypeError(f'Trailer name must be a valid HTTP token ["{field}"]',
                                    "ERR_INVALID_HTTP_TOKEN")
            validateHeaderName(field, "Trailer name")
            text = _header_str(value)
            if check_invalid_header_char(text):
                raise NodeTypeError(f'Invalid character in trailer content ["{field}"]',
                                    "ERR_INVALID_CHAR")
            parts.append(f"{field}: {text}\r\n")
        self._trailer = "".join(parts).encode("latin-1")

    def cork(self) -> None:
        if self.socket is not None and hasattr(self.socket, "cork"):
            self.socket.cork()

    def uncork(self) -> None:
        if self.socket is not None and hasattr(self.socket, "uncork"):
            self.socket.uncork()

    def setTimeout(self, msecs: float, callback: Callable[..., Any] | None = None
                   ) -> OutgoingMessage:
        if callback is not None:
            self.on("timeout", callback)
        if self.socket is not None:
            self.socket.setTimeout(msecs)
        else:
            self.once("socket", lambda s: s.setTimeout(msecs))
        return self

    def destroy(self, error: BaseException | None = None) -> OutgoingMessage:
        """``outgoingMessage.destroy([err])``: destroys the socket (now or once assigned)."""
        if self.destroyed:
            return self
        self.destroyed = True
        if self.socket is not None:
            self.socket.destroy(error)
        else:
            self.once("socket", lambda s: s.destroy(error))
        return self

    # -- Writable surface -------------------------------------------------------------

    @property
    def writable(self) -> bool:
        return not self.finished and not self.destroyed

    @property
    def writableEnded(self) -> bool:
        return self.finished

    @property
    def writableLength(self) -> int:
        sock_len = self.socket.writableLength if self.socket is not None else 0
        return self._pending_len + sock_len

    @property
    def writableHighWaterMark(self) -> int:
        return HIGH_WATER_MARK

    @property
    def writableNeedDrain(self) -> bool:
        return self._need_drain

    @property
    def writableCorked(self) -> int:
        return 1 if self._corked else 0

    @property
    def writableObjectMode(self) -> bool:
        return False


def _pairs(headers: Any) -> list[tuple[Any, Any]]:
    """writeHead's array forms: ``[[k, v], ...]`` or flat ``[k, v, k, v]``."""
    seq = list(headers)
    if seq and isinstance(seq[0], (list, tuple)):
        return [(e[0], e[1]) for e in seq]
    if len(seq) % 2:
        raise NodeTypeError(f"The argument 'headers' is invalid. Received {seq!r}",
                            "ERR_INVALID_ARG_VALUE")
    return [(seq[i], seq[i + 1]) for i in range(0, len(seq), 2)]
