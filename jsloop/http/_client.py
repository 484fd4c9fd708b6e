"""Node's HTTP client (``_http_client.js``): ``ClientRequest``, ``request``, ``get``.

A ``ClientRequest`` is an ``OutgoingMessage`` (head: ``METHOD path
HTTP/1.1``, ``Host``, ``Connection: keep-alive`` with a pooling agent, chunked
bodies for methods that usually carry one). It asks its ``Agent`` for a socket
(``agent=False``: a fresh ``net.connect`` and ``Connection: close``); once it
has one, ``_ClientConn`` parses the response with
``httptools.HttpResponseParser`` and emits ``'response'`` with an
``IncomingMessage`` (``statusCode``, ``statusMessage``, ``headers``, body
Readable). 1xx responses become ``'continue'``/``'information'``.

Socket reuse follows Node: when the response has ended *and* the request has
finished, the socket's listeners are removed and, a tick later, the request
emits ``'close'`` and the socket ``'free'`` — the agent's cue to reuse or park it.
Errors: a socket error before the response → request ``'error'``; the socket
closing before a response → ``'error'`` ``ECONNRESET`` "socket hang up";
closing mid-body → the response is ``'aborted'`` and destroyed.

Known deviation: for ``HEAD`` the parser cannot be told to skip a body (httptools
has no such switch), so the response ends at its head and the parser is
replaced; bytes after a HEAD response in the same read are dropped (the client
never pipelines, so none are expected).

Imports: httptools, urllib.parse, ..net, ..timers, ._agent, ._incoming, ._outgoing.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import httptools

from .. import net
from ..errors import NodeTypeError, invalid_arg_type
from ..timers import nextTick
from ._agent import Agent, globalAgent
from ._common import HTTPError, check_is_http_token, parse_error
from ._incoming import IncomingMessage
from ._outgoing import OutgoingMessage

__all__ = ["ClientRequest", "get", "request"]

_INVALID_PATH = re.compile(r"[\u0000-\u0020]")
_NO_BODY_METHODS = frozenset(("GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"))


class _HeadDone(Exception):
    """Raised from on_headers_complete to stop the parser after a HEAD response."""


def _hang_up() -> OSError:
    err = ConnectionResetError("socket hang up")
    err.code = "ECONNRESET"  # type: ignore[attr-defined]
    return err


def _parse_url(url: str) -> dict[str, Any]:
    import urllib.parse  # only for string URLs (and it costs ~3 ms to import)

    parts = urllib.parse.urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise NodeTypeError("Invalid URL", "ERR_INVALID_URL")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    opts: dict[str, Any] = {"protocol": parts.scheme + ":", "hostname": parts.hostname,
                            "path": path}
    if parts.port is not None:
        opts["port"] = parts.port
    if parts.username is not None:
        opts["auth"] = urllib.parse.unquote(parts.username) + (
            ":" + urllib.parse.unquote(parts.password) if parts.password is not None else "")
    return opts


class ClientRequest(OutgoingMessage):
    """Node's ``http.ClientRequest``. Events: ``'socket'``, ``'response'``,
    ``'continue'``, ``'information'``, ``'timeout'``, ``'error'``, ``'finish'``,
    ``'close'``."""

    def __init__(self, input: Any = None, options: Any = None,
                 cb: Callable[..., Any] | None = None) -> None:
        super().__init__()
        if callable(options) and cb is None:
            options, cb = None, options
        if callable(input) and cb is None:
            input, cb = None, input
        opts: dict[str, Any] = {}
        if isinstance(input, str):
            opts.update(_parse_url(input))
        elif isinstance(input, dict):
            opts.update(input)
        elif input is not None:
            raise invalid_arg_type("url", "of type string or an instance of URL", input)
        if isinstance(options, dict):
            opts.update(options)
        agent = opts.get("agent")
        if agent is None:
            agent = globalAgent
        elif agent is False:
            agent = None
        elif not isinstance(agent, Agent):
            raise invalid_arg_type("options.agent", "of type Agent-like Object, undefined, "
                                   "or false", agent)
        self.agent: Agent | None = agent
        protocol = opts.get("protocol") or "http:"
        if protocol != "http:":
            raise NodeTypeError(f'Protocol "{protocol}" not supported. Expected "http:"',
                                "ERR_INVALID_PROTOCOL")
        default_port = opts.get("defaultPort") or (agent.defaultPort if agent else 80)
        port = int(opts.get("port") or default_port)
        host = opts.get("hostname") or opts.get("host") or "localhost"
        self.host = host
        self.protocol = protocol
        path = opts.get("path") or "/"
        if _INVALID_PATH.search(path):
            raise NodeTypeError("Request path contains unescaped characters",
                                "ERR_UNESCAPED_CHARACTERS")
        self.path = path
        method = opts.get("method") or "GET"
        if not isinstance(method, str) or not check_is_http_token(method):
            raise NodeTypeError(f'Method must be a valid HTTP token ["{method}"]',
                                "ERR_INVALID_HTTP_TOKEN")
        method = method.upper()
        self.method = method
        self.useChunkedEncodingByDefault = method not in _NO_BODY_METHODS
        self.res: IncomingMessage | None = None
        self.aborted = False
        self.reusedSocket = False
        self.maxHeadersCount: int | None = None
        self._ended = False
        self._closed = False
        self._timeout_cb: Callable[..., Any] | None = None
        self._conn: _ClientConn | None = None
        if cb is not None:
            self.once("response", cb)
        if agent is not None:
            if not agent.keepAlive and agent.maxSockets == float("inf"):
                self._last = True
                self.shouldKeepAlive = False
            else:
                self._last = False
                self.shouldKeepAlive = True
        headers = opts.get("headers")
        if isinstance(headers, (list, tuple)):
            self._first_line = f"{method} {path} HTTP/1.1\r\n"
            self._store_header(self._first_line, headers)
        else:
            if headers:
                for k, v in headers.items():
                    self.setHeader(k, v)
            if host and not self.getHeader("host") and opts.get("setHost", True):
                host_header = f"[{host}]" if host.count(":") > 1 and host[0] != "[" else host
                if port != default_port:
                    host_header += f":{port}"
                self.setHeader("Host", host_header)
            if opts.get("auth") and not self.getHeader("Authorization"):
                token = base64.b64encode(str(opts["auth"]).encode()).decode()
                self.setHeader("Authorization", "Basic " + token)
            self._first_line = f"{method} {path} HTTP/1.1\r\n"
        if opts.get("timeout"):
            self.setTimeout(opts["timeout"])
        conn_opts = {"host": host, "port": port}
        for key in ("localAddress", "family", "path_unix"):
            if opts.get(key):
                conn_opts[key] = opts[key]
        if opts.get("socketPath"):
            conn_opts = {"path": opts["socketPath"]}
        if agent is not None:
            agent.addRequest(self, conn_opts)
        else:
            self._last = True
            self.shouldKeepAlive = False
            self.onSocket(net.connect(conn_opts))

    def _has_agent(self) -> bool:
        return self.agent is not None

    def _implicit_header(self) -> None:
        if self._header is not None:
            raise HTTPError("Cannot render headers after they are sent to the client",
                            "ERR_HTTP_HEADERS_SENT")
        self._store_header(self._first_line, self._out)

    # -- the socket ---------------------------------------------------------------------

    def onSocket(self, socket: Any, err: BaseException | None = None) -> None:
        """Called by the agent (or directly) with this request's socket."""
        nextTick(self._on_socket_nt, socket, err)

    def _on_socket_nt(self, socket: Any, err: BaseException | None) -> None:
        if self.destroyed or err is not None:
            if err is not None:
                self.emit("error", err)
            socket.destroy()
            self._emit_close()
            return
        self._conn = _ClientConn(self, socket)
        self.socket = socket
        self.emit("socket", socket)
        if self._timeout_ms:
            socket.setTimeout(self._timeout_ms)
        self._flush_pending()

    def setTimeout(self, msecs: float, callback: Callable[..., Any] | None = None
                   ) -> ClientRequest:
        """``request.setTimeout(ms[, cb])``: ``'timeout'`` after ``ms`` idle on the socket."""
        if callback is not None:
            self.once("timeout", callback)
        self._timeout_ms = int(msecs)
        if self.socket is not None:
            self.socket.setTimeout(self._timeout_ms)
        return self

    _timeout_ms = 0

    def abort(self) -> None:
        """``request.abort()`` (deprecated in Node; ``destroy()`` is preferred)."""
        if self.aborted:
            return
        self.aborted = True
        nextTick(self.emit, "abort")
        self.destroy()

    def destroy(self, error: BaseException | None = None) -> ClientRequest:
        """``request.destroy([err])``: 'error' (err or ECONNRESET if no response yet), 'close'."""
        if self.destroyed:
            return self
        self.destroyed = True
        if self.res is not None:
            self.res._dump()
        if self.socket is not None:
            conn = self._conn
            if conn is not None:
                conn.error = error if error is not None else (
                    None if self.res is not None or self.aborted else _hang_up())
            self.socket.destroy(error)
        else:
            nextTick(self._destroy_no_socket, error)
        return self

    def _destroy_no_socket(self, error: BaseException | None) -> None:
        err = error if error is not None else _hang_up()
        if not self.aborted or error is not None:
            self.emit("error", err)
        self._emit_close()

    def _emit_close(self) -> None:
        if not self._closed:
            self._closed = True
            self.emit("close")

    @property
    def reused(self) -> bool:
        return self.reusedSocket


class _ClientConn:
    """One request's use of a socket: the response parser and socket listeners."""

    __slots__ = ("error", "headers_done", "listeners", "parser", "raw", "req", "res", "socket",
                 "status")

    def __init__(self, req: ClientRequest, socket: Any) -> None:
        self.req = req
        self.socket = socket
        self.parser = httptools.HttpResponseParser(self)
        self.res: IncomingMessage | None = None
        self.raw: list[str] = []
        self.status = b""
        self.headers_done = False
        self.error: BaseException | None = None
        # Kept: removeListener matches by identity (a fresh bound method would not).
        self.listeners = (("data", self.on_data), ("end", self.on_end),
                          ("error", self.on_error), ("close", self.on_close),
                          ("drain", self.on_drain), ("timeout", self.on_timeout))
        for event, fn in self.listeners:
            socket.on(event, fn)
        req.on("finish", self.on_req_finish)

    def detach(self) -> None:
        sock = self.socket
        for event, fn in self.listeners:
            sock.removeListener(event, fn)

    # -- parsing ---------------------------------------------------------------------

    def on_data(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            ctx = exc.__context__
            if isinstance(ctx, _HeadDone):
                self.parser = httptools.HttpResponseParser(self)
                self.on_message_complete()
                return
            raise (ctx or exc) from None
        except httptools.HttpParserUpgrade:
            return
        except httptools.HttpParserError as exc:
            err = parse_error(str(exc), raw=data)
            self.error = err
            self.socket.destroy()

    def on_message_begin(self) -> None:
        self.raw = []
        self.status = b""
        self.headers_done = False

    def on_status(self, status: bytes) -> None:
        self.status += status

    def on_header(self, name: bytes, value: bytes) -> None:
        res = self.res
        if self.headers_done and res is not None:
            res.rawTrailers.append(name.decode("latin-1"))
            res.rawTrailers.append(value.decode("latin-1"))
            return
        self.raw.append(name.decode("latin-1"))
        self.raw.append(value.decode("latin-1"))

    def on_headers_complete(self) -> None:
        req = self.req
        parser = self.parser
        res = IncomingMessage(self.socket)
        res.statusCode = code = parser.get_status_code()
        res.statusMessage = self.status.decode("latin-1")
        version = parser.get_http_version()
        res.httpVersion = version
        res.httpVersionMajor, res.httpVersionMinor = int(version[0]), int(version[-1])
        res.rawHeaders = self.raw
        self.headers_done = True
        if 100 <= code < 200 and code != 101:
            if code == 100:
                req.emit("continue")
            req.emit("information", {
                "statusCode": code, "statusMessage": res.statusMessage,
                "httpVersion": version, "headers": res.headers, "rawHeaders": res.rawHeaders,
            })
            return
        if req.res is not None:
            self.socket.destroy()  # a second response: the server is confused
            return
        self.res = res
        req.res = res
        res.req = req  # type: ignore[attr-defined]
        res._on_pull = self.resume_socket
        if req.shouldKeepAlive and not parser.should_keep_alive():
            req.shouldKeepAlive = False
        res.on("end", self.on_res_end)
        if req.aborted or not req.emit("response", res):
            res._dump()
        if req.method == "HEAD":
            raise _HeadDone()

    def on_body(self, body: bytes) -> None:
        res = self.res
        if res is not None and not res.push(body):
            self.socket.pause()

    def resume_socket(self) -> None:
        if not self.socket.destroyed:
            self.socket.resume()

    def on_message_complete(self) -> None:
        res = self.res
        if res is not None and not res.complete:
            res._push_end()
        if not self.socket.destroyed and self.socket.isPaused():
            self.socket.resume()  # a body that paused the socket is complete (as Node)

    # -- lifecycle ---------------------------------------------------------------------

    def on_res_end(self) -> None:
        req = self.req
        req._ended = True
        if not req.shouldKeepAlive:
            sock = self.socket
            if sock.writable:
                sock.destroySoon() if hasattr(sock, "destroySoon") else sock.end()
        elif req.writableFinished and not req.aborted:
            self.keep_alive()

    def on_req_finish(self) -> None:
        if self.req.shouldKeepAlive and self.req._ended:
            self.keep_alive()

    def keep_alive(self) -> None:
        """Node's responseKeepAlive: detach, then (a tick later) 'close' and 'free'."""
        self.detach()
        req = self.req
        if req._timeout_ms:
            self.socket.setTimeout(0)
        req.destroyed = True
        if req.res is not None:
            req.res.socket = None
        nextTick(self.emit_free)

    def emit_free(self) -> None:
        req = self.req
        req._emit_close()
        self.socket.emit("free")

    def on_drain(self) -> None:
        self.req._on_socket_drain()

    def on_timeout(self) -> None:
        req = self.req
        if req.res is not None:
            req.res.emit("timeout")
        req.emit("timeout")

    def on_end(self) -> None:
        req = self.req
        if req.res is None and not req.destroyed:
            self.error = self.error or _hang_up()
        sock = self.socket
        if self.res is not None and not self.res.complete:
            # A body without a length ends at EOF (llhttp's finish()).
            self.res._push_end()
        if sock.writable:
            sock.end()

    def on_error(self, err: BaseException) -> None:
        self.error = err

    def on_close(self, *_args: Any) -> None:
        req = self.req
        res = req.res
        if res is not None:
            if not res.complete:
                res.destroy(_conn_reset_aborted())
            req._emit_close()
            return
        if not req.destroyed or self.error is not None or not req._closed:
            err = self.error or _hang_up()
            if not (req.aborted and self.error is None):
                req.emit("error", err)
        req.destroyed = True
        req._emit_close()


def _conn_reset_aborted() -> OSError:
    err = ConnectionResetError("aborted")
    err.code = "ECONNRESET"  # type: ignore[attr-defined]
    return err


def request(url: Any = None, options: Any = None, cb: Callable[..., Any] | None = None
            ) -> ClientRequest:
    """``http.request(url[, options][, cb])`` / ``http.request(options[, cb])``."""
    return ClientRequest(url, options, cb)


def get(url: Any = None, options: Any = None, cb: Callable[..., Any] | None = None
        ) -> ClientRequest:
    """``http.get(...)``: ``request`` with method GET, ended at once."""
    req = ClientRequest(url, options, cb)
    req.end()
    return req
