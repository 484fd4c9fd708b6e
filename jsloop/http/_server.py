"""Node's HTTP server (``_http_server.js``): ``Server``, ``createServer``,
``ServerResponse`` and the per-connection glue between a ``net.Socket`` and
llhttp (through ``httptools``).

How a connection runs
---------------------
``_Conn`` owns one ``httptools.HttpRequestParser`` and is its callback object
(no closure per request). Socket ``'data'`` goes straight to ``feed_data``;
llhttp calls ``on_url``/``on_header``/``on_headers_complete``/``on_body``/
``on_message_complete`` synchronously, and ``on_headers_complete`` builds the
``IncomingMessage`` and the ``ServerResponse`` and emits ``'request'`` — inside
the parse, as Node does, so pipelined requests of one read are all emitted in
that read.

Pipelining: ``incoming`` holds requests whose responses have not finished;
only the response at the head owns the socket (``current``); later ones buffer
their bytes and take the socket in order when the one before finishes
(Node's ``state.outgoing`` and ``assignSocket``).

Backpressure: a request body chunk that fills the ``IncomingMessage`` buffer
pauses the socket; the body's reader resumes it once it drains the buffer.

Errors never leave the loop: llhttp errors, header overflow (counted as Node's
binding counts: URL + names + values against ``maxHeaderSize``; raw head bytes
are bounded too, since httptools buffers an unfinished header line),
``headersTimeout``/``requestTimeout`` (one unref'd interval per server, like
Node's ``connectionsCheckingInterval``) and socket errors go to
``'clientError'``; without a listener the client gets Node's canned
``400``/``408``/``431`` reply and the socket is destroyed. An exception raised
by a ``'request'`` listener is the application's: it propagates (uncaught, as
in Node).

Keep-alive: an idle connection is closed ``keepAliveTimeout + 1 s`` after its
last activity (Node's buffer against client races). The socket's idle timer is
set once per connection and only acted on when the connection is idle, which
spares a timer re-arm per request.

Imports: httptools, ..net, ..timers, ._common, ._incoming, ._outgoing.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable
from typing import Any

import httptools

from .. import net
from ..errors import invalid_arg_type
from ..stream._readable import kResumeScheduled
from ..timers import Timeout, clearInterval, nextTick, setInterval
from ._common import (
    STATUS_CODES,
    HTTPError,
    check_invalid_header_char,
    invalid_status_code,
    parse_error,
)
from ._incoming import IncomingMessage
from ._outgoing import OutgoingMessage, _pairs, headers_sent_error

__all__ = ["Server", "ServerResponse", "createServer"]

KEEP_ALIVE_BUFFER_MS = 1000
DEFAULT_MAX_HEADER_SIZE = 16384

_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
_HEADERS_TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"
_CHUNK_EXT_TOO_LARGE = b"HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n"
_CANNED = {
    "HPE_HEADER_OVERFLOW": _HEADERS_TOO_LARGE,
    "HPE_CHUNK_EXTENSIONS_OVERFLOW": _CHUNK_EXT_TOO_LARGE,
    "ERR_HTTP_REQUEST_TIMEOUT": _TIMEOUT,
}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_CONTINUE_RE = re.compile(r"(?:^|\W)100-continue(?:$|\W)", re.I)
_CHUNK_TE_RE = re.compile(r"(?:^|\W)chunked(?:$|\W)", re.I)

_METHOD_NAMES: dict[bytes, str] = {}
_VERSIONS = {"1.1": (1, 1), "1.0": (1, 0), "0.9": (0, 9)}
_status_lines: dict[tuple[int, str], str] = {}
_DEFAULT_LINES = {code: f"HTTP/1.1 {code} {msg}\r\n" for code, msg in STATUS_CODES.items()}


# -- ServerResponse ----------------------------------------------------------------------


class ServerResponse(OutgoingMessage):
    """Node's ``http.ServerResponse``: chunked by default, ``Content-Length`` when
    ``end(data)`` is the only write, ``Date`` and ``Connection`` as Node sends them."""

    __slots__ = ("_closed", "_conn", "req", "statusCode", "statusMessage")

    sendDate = True
    _expect_continue = False
    _sent100 = False
    _close_scheduled = False

    def __init__(self, req: IncomingMessage, conn: Any = None) -> None:
        super().__init__()
        self.req = req
        self._conn: _Conn | None = conn
        self.statusCode = 200
        self.statusMessage: str | None = None
        self._closed = False
        if req.method == "HEAD":
            self._has_body = False
        if req.httpVersionMajor < 1 or req.httpVersionMinor < 1:
            te = req.headers.get("te")
            self.useChunkedEncodingByDefault = bool(te and _CHUNK_TE_RE.search(te))
            self.shouldKeepAlive = False

    def _no_body_status(self) -> bool:
        return self.statusCode in (204, 304)

    def _implicit_header(self) -> None:
        """``writeHead(this.statusCode)`` as ``end()``/``write()`` call it, minus the
        argument juggling (this runs once per response)."""
        code = self.statusCode
        if type(code) is not int or not 100 <= code <= 999 or self._header is not None \
                or self.statusMessage is not None:
            self.writeHead(code)
            return
        line = _DEFAULT_LINES.get(code)
        if line is None:
            self.writeHead(code)
            return
        self.statusMessage = STATUS_CODES[code]
        if code in (204, 304) or code < 200:
            self._has_body = False
        if self._expect_continue and not self._sent100:
            self.shouldKeepAlive = False
        self._store_header(line, self._out)

    def writeHead(self, statusCode: Any, reason: Any = None, headers: Any = None
                  ) -> ServerResponse:
        """``response.writeHead(statusCode[, statusMessage][, headers])``; headers a
        dict, ``[[k, v], ...]`` or a flat ``[k, v, ...]``."""
        if self._header is not None:
            raise headers_sent_error("write")
        try:
            code = int(statusCode)
        except (TypeError, ValueError):
            raise invalid_status_code(statusCode) from None
        if code < 100 or code > 999:
            raise invalid_status_code(statusCode)
        if isinstance(reason, str):
            self.statusMessage = reason
        else:
            if not self.statusMessage:
                self.statusMessage = STATUS_CODES.get(code, "unknown")
            if headers is None:
                headers = reason
        self.statusCode = code
        out = self._out
        if out is not None:
            if isinstance(headers, dict):
                for k, v in headers.items():
                    if k:
                        self.setHeader(k, v)
            elif headers:
                pairs = _pairs(headers)
                for k, _v in pairs:
                    self.removeHeader(k)
                for k, v in pairs:
                    if k:
                        self.appendHeader(k, v)
            headers = self._out
        message = str(self.statusMessage)
        if check_invalid_header_char(message):
            raise HTTPError("Invalid character in statusMessage", "ERR_INVALID_CHAR")
        key = (code, message)
        line = _status_lines.get(key)
        if line is None:
            line = f"HTTP/1.1 {code} {message}\r\n"
            if len(_status_lines) < 1024:
                _status_lines[key] = line
        if code in (204, 304) or 100 <= code <= 199:
            self._has_body = False
        if self._expect_continue and not self._sent100:
            self.shouldKeepAlive = False
        self._store_header(line, headers)
        return self

    writeHeader = writeHead

    def writeContinue(self, callback: Callable[..., Any] | None = None) -> None:
        """``response.writeContinue()``: send ``100 Continue`` now."""
        self._raw_write(_CONTINUE, callback)
        self._sent100 = True

    def writeProcessing(self, callback: Callable[..., Any] | None = None) -> None:
        self._raw_write(b"HTTP/1.1 102 Processing\r\n\r\n", callback)

    def writeEarlyHints(self, hints: dict[str, Any],
                        callback: Callable[..., Any] | None = None) -> None:
        lines = "".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}\r\n"
                        for k, v in hints.items())
        self._raw_write(f"HTTP/1.1 103 Early Hints\r\n{lines}\r\n".encode("latin-1"), callback)

    def _raw_write(self, data: bytes, callback: Callable[..., Any] | None) -> None:
        sock = self.socket
        if sock is not None and not self._pending and not self._corked:
            if callback is None:
                sock.write(data)
            else:
                sock.write(data, callback)
            return
        if self._pending is None:
            self._pending = []
        self._pending.append(data)
        self._pending_len += len(data)

    def _finished_hook(self) -> None:
        conn = self._conn
        if conn is not None:
            conn.res_finished(self)

    def _after_finish(self) -> None:
        if self._closed or self._close_scheduled:
            return
        if self._events.get("close") is not None:  # added by a 'finish' listener
            self._close_scheduled = True
            nextTick(self._emit_close)
        else:
            # Nobody can hear this 'close' any more: in Node it is emitted from the
            # nextTick queue being drained now, before any promise job could attach
            # a listener. Skip the tick; keep the state it would leave.
            self._closed = True
            self.destroyed = True

    def _emit_close(self) -> None:
        if not self._closed:
            self._closed = True
            self.destroyed = True
            self.emit("close")

    def _assign_socket(self, sock: Any) -> None:
        self.socket = sock
        if self._events.get("socket") is not None:
            self.emit("socket", sock)
        self._flush_pending()

    def detachSocket(self, sock: Any) -> None:
        self.socket = None

    def assignSocket(self, sock: Any) -> None:
        self._assign_socket(sock)


# -- one connection ----------------------------------------------------------------------


class _Conn:
    """Parser callbacks and pipeline state for one server socket."""

    __slots__ = (
        "current",
        "expect",
        "fresh",
        "has_host",
        "head_bytes",
        "head_raw",
        "headers_done",
        "in_message",
        "incoming",
        "ka_timer_set",
        "limit",
        "listeners",
        "max_raw",
        "outgoing",
        "parser",
        "paused",
        "raw",
        "req",
        "requests",
        "resume_cb",
        "server",
        "socket",
        "started",
        "upgrading",
        "url",
    )

    def __init__(self, server: Server, socket: Any) -> None:
        self.server = server
        self.socket = socket
        self.parser = httptools.HttpRequestParser(self)
        self.req: IncomingMessage | None = None
        self.upgrading: IncomingMessage | None = None
        self.raw: list[str] = []
        self.url = b""
        self.head_bytes = 0
        self.head_raw = 0
        self.headers_done = False
        self.in_message = False
        self.has_host = False
        self.expect: str | None = None
        # headersTimeout runs from the connection's start until its first request
        # begins (node 20: a silent new connection gets 408 too).
        self.fresh = True
        self.started = server._loop.now
        self.incoming: collections.deque[IncomingMessage] = collections.deque()
        self.outgoing: collections.deque[ServerResponse] | None = None
        self.current: ServerResponse | None = None
        self.paused = False
        self.requests = 0
        self.ka_timer_set = False
        self.resume_cb = self.resume_socket
        # Read once per connection, as Node's parser.initialize does.
        self.limit = server._max_header_size
        count = server.maxHeadersCount
        self.max_raw = 4000 if count is None else int(count) * 2
        # The bound methods are kept: removeListener matches by identity, and each
        # attribute access makes a new bound-method object.
        self.listeners = (("data", self.on_data), ("end", self.on_end),
                          ("error", self.on_socket_error), ("close", self.on_close),
                          ("drain", self.on_drain), ("timeout", self.on_timeout))
        for event, fn in self.listeners:
            socket.on(event, fn)

    # -- feeding the parser -------------------------------------------------------------

    def on_data(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            ctx = exc.__context__
            if isinstance(ctx, HTTPError) and ctx.code == "HPE_HEADER_OVERFLOW":
                self.client_error(ctx)
                return
            raise (ctx or exc) from None  # the application's exception: uncaught, as in Node
        except httptools.HttpParserUpgrade as exc:
            self.upgrade(data, int(exc.args[0]) if exc.args else len(data))
            return
        except httptools.HttpParserError as exc:
            self.client_error(parse_error(str(exc), raw=data))
            return
        if self.in_message and not self.headers_done:
            self.head_raw += len(data)
            if self.head_raw > self.limit * 4 + 65536:
                self.client_error(parse_error("Header overflow", "HPE_HEADER_OVERFLOW", data))

    # llhttp callbacks (names fixed by httptools)

    def on_message_begin(self) -> None:
        self.in_message = True
        self.fresh = False
        self.headers_done = False
        self.head_bytes = 0
        self.head_raw = 0
        self.raw = []
        self.url = b""
        self.has_host = False
        self.expect = None
        self.started = self.server._loop.now

    def on_url(self, url: bytes) -> None:
        self.url += url  # almost always one piece: b"" + url
        self.head_bytes += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        n = self.head_bytes + len(name) + len(value)
        self.head_bytes = n
        if n > self.limit:
            raise parse_error("Header overflow", "HPE_HEADER_OVERFLOW")
        if self.headers_done:
            req = self.req
            if req is not None:
                req.rawTrailers.append(name.decode("latin-1"))
                req.rawTrailers.append(value.decode("latin-1"))
            return
        raw = self.raw
        if len(raw) < self.max_raw:
            raw.append(name.decode("latin-1"))
            raw.append(value.decode("latin-1"))
        n = len(name)
        if n == 4:
            if name.lower() == b"host":
                self.has_host = True
        elif n == 6 and name.lower() == b"expect":
            exp = value.decode("latin-1")
            self.expect = exp if self.expect is None else self.expect + ", " + exp

    def on_headers_complete(self) -> None:
        self.headers_done = True
        parser = self.parser
        server = self.server
        sock = self.socket
        req = IncomingMessage(sock)
        req._on_pull = self.resume_cb
        self.req = req
        mb = parser.get_method()
        method = _METHOD_NAMES.get(mb)
        if method is None:
            method = _METHOD_NAMES[mb] = mb.decode("latin-1")
        req.method = method
        req.url = self.url.decode("latin-1")
        version = parser.get_http_version()
        if version != "1.1":
            req.httpVersion = version
            req.httpVersionMajor, req.httpVersionMinor = _VERSIONS.get(version) or (
                int(version[0]), int(version[-1]))
        req.rawHeaders = self.raw
        if server.joinDuplicateHeaders:
            req.joinDuplicateHeaders = True
        if parser.should_upgrade():
            req.upgrade = method == "CONNECT" or bool(server.listenerCount("upgrade"))
            if req.upgrade:
                self.upgrading = req  # llhttp raises HttpParserUpgrade after the head
                return
        if sock.destroyed:
            return
        self.incoming.append(req)
        res = ServerResponse(req, self)
        res._keep_alive_timeout = server.keepAliveTimeout
        res.shouldKeepAlive = parser.should_keep_alive()
        if self.current is None:
            self.current = res
            res.socket = sock
        else:
            q = self.outgoing
            if q is None:
                q = self.outgoing = collections.deque()
            q.append(res)
        if req.httpVersionMinor == 1 and req.httpVersionMajor == 1:
            if not self.has_host and server.requireHostHeader:
                res.writeHead(400, ["Connection", "close"])
                res.end()
                return
            max_requests = server.maxRequestsPerSocket
            if max_requests:
                self.requests += 1
                res._max_requests = max_requests
                res.maxRequestsOnConnectionReached = max_requests <= self.requests
                if max_requests < self.requests:
                    server.emit("dropRequest", req, sock)
                    res.writeHead(503)
                    res.end()
                    return
            expect = self.expect
            if expect is not None:
                if _CONTINUE_RE.search(expect):
                    res._expect_continue = True
                    if server.listenerCount("checkContinue"):
                        server.emit("checkContinue", req, res)
                    else:
                        res.writeContinue()
                        server.emit("request", req, res)
                elif server.listenerCount("checkExpectation"):
                    server.emit("checkExpectation", req, res)
                else:
                    res.writeHead(417)
                    res.end()
                return
        server.emit("request", req, res)

    def on_body(self, body: bytes) -> None:
        req = self.req
        if req is not None and not req.push(body) and not self.paused:
            self.paused = True
            self.socket.pause()

    def on_message_complete(self) -> None:
        self.in_message = False
        req = self.req
        if req is not None:
            self.req = None
            req._push_end()
        if self.paused:
            # Node's parserOnMessageComplete: "force to read the next incoming
            # message" — the body that paused the socket is complete.
            self.resume_socket()

    def resume_socket(self) -> None:
        if self.paused:
            self.paused = False
            if not self.socket.destroyed:
                self.socket.resume()

    # -- upgrade --------------------------------------------------------------------------

    def upgrade(self, data: bytes, offset: int) -> None:
        req = self.upgrading
        self.upgrading = None
        self.req = None
        self.in_message = False
        if req is None or not req.upgrade:
            # No 'upgrade' listener: the request was answered as a plain one. Node's
            # binding resumes llhttp after the upgrade but drops the rest of this
            # chunk (checked against node 20); later chunks parse normally.
            self.parser = httptools.HttpRequestParser(self)
            return
        sock = self.socket
        for event, fn in self.listeners:
            sock.removeListener(event, fn)
        self.server._conns.discard(self)
        req.complete = True
        name = "connect" if req.method == "CONNECT" else "upgrade"
        if name == "upgrade" or self.server.listenerCount(name):
            self.server.emit(name, req, sock, data[offset:])
        else:
            sock.destroy()

    # -- responses ------------------------------------------------------------------------

    def res_finished(self, res: ServerResponse) -> None:
        """Node's ``resOnFinish``: next response takes the socket, or keep-alive/close."""
        incoming = self.incoming
        if incoming and incoming[0] is res.req:
            incoming.popleft()
        req = res.req
        if not req._consuming and not req._readableState.bits & kResumeScheduled:
            req._dump()
        if self.current is res:
            self.current = None
        res.socket = None
        if res._events.get("close") is not None:
            # Node's emitCloseNT, scheduled before the user's 'finish' listeners run.
            res._close_scheduled = True
            nextTick(res._emit_close)
        sock = self.socket
        if res._last:
            sock.destroySoon() if hasattr(sock, "destroySoon") else sock.end()
            return
        q = self.outgoing
        if q:
            nxt = q.popleft()
            self.current = nxt
            nxt._assign_socket(sock)
            return
        ka = self.server.keepAliveTimeout
        if ka and not self.ka_timer_set and not sock.destroyed:
            self.ka_timer_set = True
            if sock.timeout != ka + KEEP_ALIVE_BUFFER_MS:
                sock.setTimeout(ka + KEEP_ALIVE_BUFFER_MS)

    def is_idle(self) -> bool:
        return not self.in_message and self.current is None and not self.incoming

    def on_drain(self) -> None:
        res = self.current
        if res is not None:
            res._on_socket_drain()

    def on_timeout(self) -> None:
        server = self.server
        if self.ka_timer_set and self.is_idle():
            self.socket.destroy()
            return
        if not server.timeout:
            return  # the keep-alive timer fired mid-request: re-armed by the next write
        req = self.req
        handled = req is not None and not req.complete and req.emit("timeout", self.socket)
        res = self.current
        handled = (res is not None and res.emit("timeout", self.socket)) or handled
        handled = server.emit("timeout", self.socket) or handled
        if not handled:
            self.socket.destroy()

    def on_end(self) -> None:
        if self.in_message:
            self.client_error(parse_error("Invalid EOF state", "HPE_INVALID_EOF_STATE"))
            return
        sock = self.socket
        if not sock.destroyed and sock.writable:
            sock.end()

    def on_socket_error(self, err: BaseException) -> None:
        self.client_error(err)

    def client_error(self, err: BaseException) -> None:
        """Node's ``socketOnError``: 'clientError' or the canned reply, then destroy."""
        self.fresh = False
        sock = self.socket
        sock.removeListener("error", self.listeners[2][1])
        sock.on("error", _noop)
        self.in_message = False
        if self.server.emit("clientError", err, sock):
            return
        res = self.current
        if sock.writable and (res is None or not res._header_sent):
            sock.write(_CANNED.get(getattr(err, "code", ""), _BAD_REQUEST))
        sock.destroy(err)

    def on_close(self, *_args: Any) -> None:
        self.server._conns.discard(self)
        self.in_message = False
        # Node's order: abortIncoming (socket 'close' listener added first), then the
        # response's onServerResponseClose.
        incoming = self.incoming
        while incoming:
            req = incoming.popleft()
            req.destroy(_conn_reset("aborted"))
        if self.req is not None:
            req, self.req = self.req, None
            req.destroy(_conn_reset("aborted"))
        res = self.current
        if res is not None:
            self.current = None
            res._emit_close()
        q = self.outgoing
        while q:
            q.popleft()._emit_close()


def _noop(*_args: Any) -> None:
    pass


def _conn_reset(message: str) -> OSError:
    err = ConnectionResetError(message)
    err.code = "ECONNRESET"  # type: ignore[attr-defined]
    return err


# -- Server ------------------------------------------------------------------------------


class Server(net.Server):
    """Node's ``http.Server``: a ``net.Server`` whose connections speak HTTP/1.1.

    Events: ``'request'`` (req, res), ``'connection'``, ``'clientError'`` (err,
    socket), ``'checkContinue'``, ``'checkExpectation'``, ``'upgrade'`` (req,
    socket, head), ``'connect'``, ``'close'``, ``'listening'``, ``'error'``.
    """

    def __init__(self, options: Any = None, requestListener: Any = None) -> None:
        if callable(options) and requestListener is None:
            options, requestListener = None, options
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise invalid_arg_type("options", "of type object", options)
        super().__init__({"allowHalfOpen": True, "noDelay": options.get("noDelay", True),
                          "keepAlive": options.get("keepAlive", False)})
        self.timeout = 0
        self.keepAliveTimeout = 5000
        self.maxHeadersCount: int | None = None
        self.maxRequestsPerSocket = 0  # a property to set, as in Node (not an option)
        self.headersTimeout = int(options.get("headersTimeout", 60_000))
        self.requestTimeout = int(options.get("requestTimeout", 300_000))
        self.connectionsCheckingInterval = int(options.get("connectionsCheckingInterval",
                                                           30_000))
        self.requireHostHeader = bool(options.get("requireHostHeader", True))
        self.joinDuplicateHeaders = bool(options.get("joinDuplicateHeaders", False))
        self.maxHeaderSize = options.get("maxHeaderSize")
        self.httpAllowHalfOpen = False
        self._conns: set[_Conn] = set()
        self._check_timer: Timeout | None = None
        if "keepAliveTimeout" in options:
            self.keepAliveTimeout = int(options["keepAliveTimeout"])
        if requestListener is not None:
            self.on("request", requestListener)
        self.on("connection", self._on_http_connection)
        self.on("listening", self._setup_tracking)

    @property
    def _max_header_size(self) -> int:
        size = self.maxHeaderSize
        return DEFAULT_MAX_HEADER_SIZE if not size else int(size)

    def _on_http_connection(self, socket: Any) -> None:
        if self.timeout:
            socket.setTimeout(self.timeout)
        self._conns.add(_Conn(self, socket))

    def _setup_tracking(self) -> None:
        if self._check_timer is None and (self.headersTimeout or self.requestTimeout):
            timer = setInterval(self._check_connections, self.connectionsCheckingInterval)
            timer.unref()
            self._check_timer = timer

    def _check_connections(self) -> None:
        """Node's ``checkConnections``: 408 to requests slower than the limits."""
        now = self._loop.now
        headers_to = self.headersTimeout
        request_to = self.requestTimeout
        for conn in list(self._conns):
            if not conn.in_message and not conn.fresh:
                continue
            age = now - conn.started
            if (headers_to and not conn.headers_done and age > headers_to) or (
                    request_to and age > request_to):
                conn.client_error(HTTPError("Request timeout", "ERR_HTTP_REQUEST_TIMEOUT"))

    def setTimeout(self, msecs: float = 0, callback: Callable[..., Any] | None = None
                   ) -> Server:
        """``server.setTimeout([msecs][, cb])``: socket idle timeout for new connections."""
        self.timeout = int(msecs)
        if callback is not None:
            self.on("timeout", callback)
        return self

    def closeAllConnections(self) -> None:
        """``server.closeAllConnections()``: destroy every HTTP connection."""
        for conn in list(self._conns):
            conn.socket.destroy()

    def closeIdleConnections(self) -> None:
        """``server.closeIdleConnections()``: destroy connections with no request in flight."""
        for conn in list(self._conns):
            if conn.is_idle():
                conn.socket.destroy()

    def close(self, callback: Callable[..., Any] | None = None) -> Server:
        """``server.close([cb])``: stop accepting, close idle keep-alive connections;
        'close' once the in-flight ones are done."""
        self.closeIdleConnections()
        if self._check_timer is not None:
            clearInterval(self._check_timer)
            self._check_timer = None
        super().close(callback)
        return self


def createServer(options: Any = None, requestListener: Any = None) -> Server:
    """``http.createServer([options][, requestListener])``."""
    if callable(options) and requestListener is None:
        options, requestListener = None, options
    if requestListener is not None and not callable(requestListener):
        raise invalid_arg_type("requestListener", "of type function", requestListener)
    return Server(options, requestListener)
