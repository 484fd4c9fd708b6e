"""``jsloop.net.Server``: listening TCP/Unix sockets, accepting into ``Socket``s.

Owns: ``Server`` (listen, accept, close, connection counting) and ``createServer``.

Ordering (checked against node 20)
----------------------------------
* ``Server``: ``'listening'`` via nextTick (one more tick when a host is given:
  Node resolves it first); ``close()``'s callback/``'close'`` via nextTick once
  no connection is left (Node's ``_emitCloseIfDrained``).

Running out of fds at accept (EMFILE/ENFILE/ENOBUFS/ENOMEM): the listening fd
is taken out of the poller and retried 100 ms later (trio's
``_serve_one_listener``; Tornado does the same). The connections wait in the
kernel's backlog instead of being accepted and dropped (libuv's reserve-fd
trick), so nothing spins and nothing is lost once fds free up.

Imports: _runtime, _poller, events, errors, timers, _addr, _common, _socket;
dns lazily (only a listen on a host name needs it).
"""

from __future__ import annotations

import errno as errno_mod
import os
import socket
import stat as stat_mod
from collections.abc import Callable
from typing import Any

from .._compat import call_js
from .._poller import READABLE
from .._req import Req
from .._runtime import get_loop
from ..errors import invalid_arg_type
from ..events import EventEmitter
from ..timers import Timeout, clearTimeout, nextTick, setTimeout
from ._addr import (
    AddressInfo,
    address_info,
    check_host,
    errno_exception,
    family_of,
    from_oserror,
    isIP,
    node_error,
    validate_port,
)
from ._common import (
    ACCEPT_BATCH,
    DEFAULT_BACKLOG,
    EMFILE_RETRY_MS,
    FD_EXHAUSTED,
    WOULD_BLOCK,
    loop_net,
)
from ._connect import no_done
from ._socket import Socket

# -- Server -----------------------------------------------------------------------------


class Server(EventEmitter):
    """Node's ``net.Server``: events 'listening', 'connection', 'close', 'error'."""

    __slots__ = (
        "__dict__",
        "_backoff",
        "_connections",
        "_family",
        "_listen_req",
        "_lookup",
        "_loop",
        "_net",
        "_path",
        "_refed",
        "_sock",
        "_w",
        "allowHalfOpen",
        "keepAlive",
        "maxConnections",
        "noDelay",
        "pauseOnConnect",
    )

    def __init__(self, options: Any = None, connectionListener: Any = None) -> None:
        super().__init__()
        if callable(options) and connectionListener is None:
            options, connectionListener = None, options
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise invalid_arg_type("options", "of type object", options)
        self._loop: Any = get_loop()
        self._net = loop_net(self._loop)
        self._sock: socket.socket | None = None
        self._w: Any = None
        self._family = 0
        self._path: str | None = None
        self._connections = 0
        self._backoff: Timeout | None = None
        self._refed = True
        self._listen_req: Req | None = None  # a listen waiting for its lookup
        self._lookup: Req | None = None  # that lookup
        self.allowHalfOpen = bool(options.get("allowHalfOpen", False))
        self.pauseOnConnect = bool(options.get("pauseOnConnect", False))
        self.noDelay = bool(options.get("noDelay", False))
        self.keepAlive = bool(options.get("keepAlive", False))
        self.maxConnections: int | None = None
        if connectionListener is not None:
            self.on("connection", connectionListener)

    @property
    def listening(self) -> bool:
        return self._sock is not None

    def listen(self, port: Any = None, host: Any = None, backlog: Any = None,
               callback: Callable[..., Any] | None = None, **options: Any) -> Server:
        """``server.listen(port[, host][, backlog][, cb])``, ``(path[, backlog][, cb])``,
        ``(options[, cb])`` or keywords (``port=``, ``host=``, ``path=``, ``backlog=``)."""
        # Node shifts a trailing callback left.
        if callable(port):
            port, callback = None, port
        elif callable(host):
            host, callback = None, host
        elif callable(backlog):
            backlog, callback = None, backlog
        if isinstance(port, dict):
            options = {**port, **options}
            port = None
        if isinstance(port, str) and not port.strip().isdigit() and "path" not in options:
            options["path"], port = port, None  # listen('/tmp/sock'): positional path only
        if isinstance(host, int) and not isinstance(host, bool) and backlog is None:
            host, backlog = None, host  # listen(path, backlog)
        port = options.pop("port", port)
        host = options.pop("host", host)
        backlog = options.pop("backlog", backlog)
        path = options.pop("path", None)
        ipv6_only = bool(options.pop("ipv6Only", False))
        if self._sock is not None:
            raise node_error(RuntimeError, "Listen method has been called more than once "
                              "without closing.", "ERR_SERVER_ALREADY_LISTEN")
        n_backlog = DEFAULT_BACKLOG if backlog is None else int(backlog)
        if callback is not None:
            self.once("listening", callback)
        if path is not None:
            self._listen_unix(os.fsdecode(path), n_backlog)
            return self
        n_port = 0 if port is None else validate_port(port)
        host = check_host(host)
        if host is None:
            self._listen_tcp(None, n_port, n_backlog, ipv6_only)
            return self
        # A request until the lookup is done: close() before then cancels the listen.
        if self._listen_req is not None:
            self._listen_req.complete(None)
        req = self._listen_req = Req(self._loop, no_done, "listen")
        if isIP(host):
            # Node runs dns.lookup even for an IP literal: one tick before binding.
            nextTick(self._listen_looked_up, req, host, n_port, n_backlog, ipv6_only)
        else:
            self._lookup_and_listen(req, host, n_port, n_backlog, ipv6_only)
        return self

    def _lookup_and_listen(self, req: Req, host: str, port: int, backlog: int,
                           ipv6_only: bool) -> None:
        from .. import dns

        def done(result: Any, err: BaseException | None) -> None:
            if err is None:
                self._listen_looked_up(req, result["address"], port, backlog, ipv6_only)
            elif self._take_listen_req(req):
                self.emit("error", err)

        self._lookup = dns.lookup_request(host, done=done)

    def _take_listen_req(self, req: Req) -> bool:
        """Complete the listen's request; False if close() (or a newer listen) cancelled it."""
        if not req.complete(None):
            return False
        if self._listen_req is req:
            self._listen_req = None
        return True

    def _listen_looked_up(self, req: Req, host: str, port: int, backlog: int,
                          ipv6_only: bool) -> None:
        if self._take_listen_req(req):
            self._listen_tcp(host, port, backlog, ipv6_only)

    def _listen_tcp(self, host: str | None, port: int, backlog: int, ipv6_only: bool) -> None:
        if host is None:
            # Node binds '::' (dual stack) when IPv6 works, else '0.0.0.0'.
            candidates = ["::", "0.0.0.0"] if socket.has_ipv6 else ["0.0.0.0"]
        else:
            candidates = [host]
        err: OSError | None = None
        for addr in candidates:
            family = family_of(addr)
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY,
                                    1 if ipv6_only else 0)
                sock.bind((addr, port))
                sock.listen(backlog)
            except OSError as exc:
                sock.close()
                err = from_oserror(exc, "listen", addr, port)
                if exc.errno == errno_mod.EADDRINUSE:
                    err = errno_exception(exc.errno, "listen", addr, port,
                                          ": address already in use")
                continue
            self._start_listening(sock, family, None)
            return
        assert err is not None
        nextTick(self._emit_error, err)

    def _listen_unix(self, path: str, backlog: int) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(path)
            sock.listen(backlog)
        except OSError as exc:
            sock.close()
            extra = ": address already in use" if exc.errno == errno_mod.EADDRINUSE else ""
            nextTick(self._emit_error,
                     errno_exception(exc.errno or errno_mod.EIO, "listen", path, None, extra))
            return
        self._start_listening(sock, socket.AF_UNIX, path)

    def _start_listening(self, sock: socket.socket, family: int, path: str | None) -> None:
        sock.setblocking(False)
        self._sock = sock
        self._family = family
        self._path = path
        self._net.handles.add(self)
        self._w = self._loop.io_watch(sock.fileno(), self._on_accept)
        if not self._refed:
            self._w.unref()
        self._w.start(READABLE)
        nextTick(self._emit_listening)

    def _emit_listening(self) -> None:
        if self._sock is not None:
            self.emit("listening")

    def _emit_error(self, err: BaseException) -> None:
        self.emit("error", err)

    def _on_accept(self, events: int) -> None:
        sock = self._sock
        if sock is None:
            return
        accept = sock._accept  # type: ignore[attr-defined]  # (fd, addr): no socket object yet
        family = self._family
        for _ in range(ACCEPT_BATCH):
            try:
                fd, _addr = accept()
            except WOULD_BLOCK:
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:
                if exc.errno in FD_EXHAUSTED:
                    self._back_off()
                else:
                    self.emit("error", from_oserror(exc, "accept"))
                return
            conn = socket.socket(family, socket.SOCK_STREAM, 0, fd)
            if self.maxConnections is not None and self._connections >= self.maxConnections:
                conn.close()  # Node closes it at once (and emits 'drop' in newer versions)
                self.emit("drop", None)
                continue
            conn.setblocking(False)
            self._on_connection(conn, family)
            if self._sock is None:  # closed by a 'connection' listener
                return

    def _on_connection(self, conn: socket.socket, family: int) -> None:
        s = Socket(allowHalfOpen=self.allowHalfOpen)
        s._attach(conn)
        # Applied now rather than kept in s._opts: an accepted socket never re-attaches.
        if self.noDelay:
            s._apply_option("noDelay", (True, 0))
        if self.keepAlive:
            s._apply_option("keepAlive", (True, 0))
        s._server = self
        self._connections += 1
        if self.pauseOnConnect:
            s.readableFlowing = False  # Node's pauseOnCreate: no read until resume()
        else:
            s.read(0)  # Node's Socket constructor: read(0) on a handle
        self.emit("connection", s)

    def _back_off(self) -> None:
        """Out of fds: stop polling the listener; retry later (connections wait in the backlog)."""
        if self._backoff is not None or self._w is None:
            return
        self._w.close()  # out of the poller entirely (see Socket._update_interest)
        if self._refed:
            self._loop.ref_handle()  # the stopped watcher no longer keeps the loop alive
        timer = setTimeout(self._retry_accept, EMFILE_RETRY_MS)
        timer.unref()
        self._backoff = timer

    def _retry_accept(self) -> None:
        self._end_back_off()
        if self._w is not None:
            self._w.start(READABLE)
            self._on_accept(READABLE)

    def _end_back_off(self) -> None:
        if self._backoff is None:
            return
        clearTimeout(self._backoff)
        self._backoff = None
        if self._refed:
            self._loop.unref_handle()

    def _connection_closed(self) -> None:
        self._connections -= 1
        if self._sock is None:
            self._emit_close_if_drained()

    def address(self) -> AddressInfo | str | None:
        """``server.address()``: AddressInfo (``.port`` / ``['port']``), the path, or None."""
        if self._sock is None:
            return None
        if self._path is not None:
            return self._path
        return address_info(self._sock.getsockname(), self._family)

    def close(self, callback: Callable[..., Any] | None = None) -> Server:
        """``server.close([cb])``: stop accepting; 'close' (and ``cb``) via nextTick once
        every connection has closed. ``cb`` gets ERR_SERVER_NOT_RUNNING if not listening."""
        if callback is not None:
            if self._sock is None:
                def not_running() -> None:
                    call_js(callback, node_error(RuntimeError, "Server is not running.",
                                                  "ERR_SERVER_NOT_RUNNING"))

                self.once("close", not_running)
            else:
                self.once("close", callback)
        if self._listen_req is not None:
            # Node: a close() before the lookup finished means the server never listens.
            self._listen_req.complete(None)
            self._listen_req = None
            if self._lookup is not None:
                self._lookup.cancel()  # withdrawn if still queued
                self._lookup = None
        if self._sock is not None:
            self._end_back_off()
            self._release_fd()
            if self._path is not None:
                # libuv unlinks a Unix listener's path when it closes.
                try:
                    if stat_mod.S_ISSOCK(os.stat(self._path).st_mode):
                        os.unlink(self._path)
                except OSError:
                    pass
        self._emit_close_if_drained()
        return self

    def _release_fd(self) -> None:
        if self._w is not None:
            self._w.close()
            self._w = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._net.handles.discard(self)

    def _emit_close_if_drained(self) -> None:
        if self._sock is not None or self._connections:
            return
        nextTick(self.emit, "close")

    def getConnections(self, callback: Callable[..., Any]) -> Server:
        """``server.getConnections(cb)``: ``cb(None, count)`` via nextTick."""
        nextTick(call_js, callback, None, self._connections)
        return self

    def ref(self) -> Server:
        if not self._refed:
            self._refed = True
            if self._w is not None:
                self._w.ref()
            if self._backoff is not None:
                self._loop.ref_handle()
        return self

    def unref(self) -> Server:
        if self._refed:
            self._refed = False
            if self._w is not None:
                self._w.unref()
            if self._backoff is not None:
                self._loop.unref_handle()
        return self


# -- module functions -------------------------------------------------------------------


def createServer(options: Any = None, connectionListener: Any = None, *,
                 allowHalfOpen: bool | None = None, pauseOnConnect: bool | None = None,
                 noDelay: bool | None = None, keepAlive: bool | None = None) -> Server:
    """``net.createServer([options][, connectionListener])``; options also as keywords."""
    if callable(options) and connectionListener is None:
        options, connectionListener = None, options
    if options is not None and not isinstance(options, dict):
        raise invalid_arg_type("options", "of type object", options)
    if connectionListener is not None and not callable(connectionListener):
        raise invalid_arg_type("connectionListener", "of type function", connectionListener)
    opts = dict(options or {})
    for name, value in (("allowHalfOpen", allowHalfOpen), ("pauseOnConnect", pauseOnConnect),
                        ("noDelay", noDelay), ("keepAlive", keepAlive)):
        if value is not None:
            opts[name] = value
    return Server(opts, connectionListener)

