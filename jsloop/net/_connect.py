"""``net.Socket``'s connecting half: ``connect()``, its requests, lookups and completion.

Owns: ``SocketConnect``, a slot-less mixin of ``Socket`` — ``connect()`` in all
its forms, the connect requests (``jsloop._req.Req``, one per call, held in
``_opts["_reqs"]`` with the host lookups), EALREADY/EISCONN for a second
connect, the restart of a destroyed socket (Node's ``_undestroy``) and the
completion that starts reading and flushes what was written meanwhile.

Invariants
----------
* A request completes exactly once: when the ``connect(2)`` is issued, when the
  lookup fails, or when ``destroy()`` cancels it (``_cancel_connects``); a
  lookup or nextTick finding its request inactive does nothing.
* The watcher's callback is ``_on_connect_io`` until the connect completes, then
  ``_on_io`` (the per-event path never tests ``connecting``).
* A connect that completes (or fails) at once is reported in the next pending
  phase, as libuv's ``uv__io_feed``.

Imports: _req, errors, timers, _addr; dns lazily (only a host name needs it).
"""

from __future__ import annotations

import errno as errno_mod
import os
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

from .._req import Req
from ..errors import NodeTypeError
from ..stream._destroy import undestroy
from ..timers import nextTick
from ._addr import (
    AddressInfo,
    errno_exception,
    family_of,
    from_oserror,
    isIP,
    normalize_connect_args,
)

if TYPE_CHECKING:
    from ._server import Server


def no_done(result: Any, error: BaseException | None) -> None:
    """A connect request's completion: the socket acts on its own; the Req is the ref."""


class SocketConnect:
    """Mixin for ``Socket``: the state it touches lives in ``Socket``'s slots."""

    if not TYPE_CHECKING:  # (mypy: a slot-less mixin may still assign Socket's slots)
        __slots__ = ()
    else:
        _sock: socket.socket | None
        _w: Any
        _net: Any
        _opts: dict[str, Any] | None
        _server: Server | None
        _timeout_ms: int
        connecting: bool
        destroyed: bool
        allowHalfOpen: bool
        once: Callable[[Any, Callable[..., Any]], Any]
        emit: Callable[..., bool]
        destroy: Callable[..., Any]
        address: Callable[[], Any]
        _set_opt: Callable[[str, Any], None]
        _cold_list: Callable[[str], list[Any]]
        _reset_state: Callable[[], None]
        _attach: Callable[..., None]
        _update_interest: Callable[[], None]
        _touch: Callable[[], None]
        _run_pending: Callable[[], None]
        _on_connected: Callable[[], None]
        _on_io: Callable[[int], None]
        _on_connect_io: Callable[[int], None]

    def connect(self, *args: Any, **kwargs: Any) -> Self:
        """``socket.connect(port[, host][, cb])`` / ``(path[, cb])`` / ``(options[, cb])``.

        On a destroyed socket it starts over (Node's ``_undestroy``); while a
        connect is in flight the second one fails with EALREADY ('error').
        """
        opts, cb = normalize_connect_args(args, kwargs)
        if self.destroyed:
            self._undestroy()
        if cb is not None:
            self.once("connect", cb)
        if "allowHalfOpen" in opts:
            self.allowHalfOpen = bool(opts["allowHalfOpen"])
        for name in ("noDelay", "keepAlive"):
            if opts.get(name):
                self._set_opt(name, (True, opts.get("keepAliveInitialDelay", 0)))
        if opts.get("localAddress") is not None:
            self._set_opt("localAddress", opts["localAddress"])
        self.connecting = True
        req = Req(self._net.loop, no_done, "connect")
        self._cold_list("_reqs").append(req)
        path = opts.get("path")
        if path is not None:
            self._connect_unix(req, os.fsdecode(path))
            return self
        host = opts.get("host") or "localhost"
        port = opts["port"]
        if isIP(host):
            nextTick(self._start_connect, req, host, port)
        else:
            # Node's socketToDnsFamily: what address() reports works as a family too.
            family: Any = opts.get("family") or 0
            if family in ("IPv4", "IPv6"):
                family = 4 if family == "IPv4" else 6
            self._lookup_and_connect(req, host, port, family)
        return self

    def _undestroy(self) -> None:
        if self._sock is not None:
            self._sock = None
        if self._opts:
            for key in ("peer", "addr", "end_cbs"):
                self._opts.pop(key, None)
        self._server = None
        # Node's undestroy resets the stream's ended/destroyed state, not the
        # flowing mode or the encoding: a socket with a 'data' listener keeps flowing.
        self._reset_state()
        undestroy(self)

    def _finish_req(self, req: Req) -> bool:
        """Complete a connect request; False if it was already (destroy cancelled it)."""
        if not req.complete(None):
            return False
        reqs = self._opts.get("_reqs") if self._opts else None
        if reqs is not None and req in reqs:
            reqs.remove(req)
        return True

    def _cancel_connects(self) -> None:
        reqs = self._opts.pop("_reqs", None) if self._opts else None
        for req in reqs or ():
            if req.syscall == "getaddrinfo":
                req.cancel()  # withdrawn if still queued; a running one is ignored
            else:
                req.complete(None)

    def _lookup_and_connect(self, req: Req, host: str, port: int, family: Any) -> None:
        from .. import dns

        if isinstance(family, bool) or family not in (0, 4, 6):
            raise NodeTypeError(
                f"The argument 'family' must be one of: 0, 4, 6. Received {family!r}",
                "ERR_INVALID_ARG_VALUE")

        def done(result: Any, err: BaseException | None) -> None:
            reqs = self._opts.get("_reqs") if self._opts else None
            if reqs is not None and lookup in reqs:
                reqs.remove(lookup)
            if not req.active:
                return  # destroyed meanwhile (or ECANCELED)
            if err is not None:
                self._finish_req(req)
                self.emit("lookup", err, None, None, host)
                self.destroy(err)
                return
            self.emit("lookup", None, result["address"], result["family"], host)
            self._start_connect(req, result["address"], port)

        lookup = dns.lookup_request(host, family, done=done)
        self._opts["_reqs"].append(lookup)  # type: ignore[index]

    def _start_connect(self, req: Req, host: str, port: int) -> None:
        if not self._finish_req(req):
            return  # destroyed meanwhile
        if self._sock is not None:
            # A second connect() on this handle: libuv refuses it (EALREADY while
            # connecting, EISCONN once connected).
            in_flight = self._w is not None and self._w.callback == self._on_connect_io
            code = errno_mod.EALREADY if in_flight else errno_mod.EISCONN
            info = self.address()
            where = f"{info.address}:{info.port}" if isinstance(info, AddressInfo) else ""
            self.destroy(errno_exception(code, "connect", host, port, local=where))
            return
        family = family_of(host)
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            self.destroy(from_oserror(exc, "socket"))
            return
        sock.setblocking(False)
        self._attach(sock, self._on_connect_io)
        self._set_opt("addr", (host, port))
        local = self._opts.get("localAddress") if self._opts else None
        if local:
            try:
                sock.bind((local[0], local[1]))
            except OSError as exc:
                self.destroy(from_oserror(exc, "bind", local[0], local[1]))
                return
        err = sock.connect_ex((host, port))
        self._connect_started(err)

    def _connect_unix(self, req: Req, path: str) -> None:
        if self._sock is not None:
            nextTick(self._start_connect, req, path, None)  # reports EALREADY/EISCONN
            return
        self._finish_req(req)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        self._attach(sock, self._on_connect_io)
        self._set_opt("addr", (path, None))
        try:
            err = sock.connect_ex(path)
        except OSError as exc:  # e.g. a path too long for sun_path
            err = exc.errno or errno_mod.EINVAL
        self._connect_started(err)

    def _connect_started(self, err: int) -> None:
        if err in (errno_mod.EINPROGRESS, errno_mod.EAGAIN):
            self._update_interest()  # WRITABLE: the kernel tells us when it is done
        else:
            # Done (or refused) at once: libuv reports it in the next pending phase.
            self._net.loop.defer_pending(self._after_connect, err)

    def _after_connect(self, err: int) -> None:
        if self.destroyed or not self.connecting:
            return
        self.connecting = False
        if self._w is not None:
            self._w.callback = self._on_io
        if err:
            host, port = self._opts["addr"]  # type: ignore[index]
            self.destroy(errno_exception(err, "connect", host, port))
            return
        if self._timeout_ms:
            self._touch()
        self._update_interest()
        # Node's afterConnect: 'connect' (writes and a _final that waited for it
        # run then, as their once('connect') listeners), 'ready', then the first
        # read unless the user paused the socket.
        self._run_pending()
        self.emit("connect")
        self.emit("ready")
        self._on_connected()
