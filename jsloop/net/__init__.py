"""Node's ``net`` in Python form: TCP (IPv4/IPv6) and Unix stream servers and sockets.

Owns the public surface of ``jsloop.net``: ``Server``, ``Socket``,
``createServer``, ``connect``/``createConnection``, ``isIP``/``isIPv4``/``isIPv6``,
``AddressInfo``. Non-blocking sockets driven by ``loop.io_watch`` readiness.

The package is split along the design:

* ``_addr``   — IP literals, ``AddressInfo``, Node-shaped errors, argument checks (pure);
* ``_common`` — constants and per-loop state (the shared receive buffer, open handles);
* ``_socket`` — ``Socket``: a ``stream.Duplex``; its _read/_write/_writev/_final/_destroy;
* ``_connect`` — ``Socket.connect``: requests, lookups, completion (a mixin);
* ``_sockinfo`` — options, the idle timeout, refs, addresses (a mixin);
* ``_server`` — ``Server``: listen, accept, close.

Each module's docstring gives its invariants and the Node 20 ordering it keeps.

Imports: the submodules above.
"""

from __future__ import annotations

from typing import Any

from ._addr import AddressInfo, errno_exception, isIP, isIPv4, isIPv6, normalize_connect_args
from ._common import HIGH_WATER_MARK
from ._server import Server, createServer
from ._socket import Socket

__all__ = [
    "HIGH_WATER_MARK", "AddressInfo", "Server", "Socket", "connect", "createConnection",
    "createServer", "errno_exception", "isIP", "isIPv4", "isIPv6",
]


def connect(*args: Any, **kwargs: Any) -> Socket:
    """``net.connect(port[, host][, cb])`` / ``(path[, cb])`` / ``(options[, cb])``.

    Returns the Socket at once; 'connect' follows, or 'error' (ECONNREFUSED,
    ENOTFOUND...) and 'close'. Bad ports raise ``ERR_SOCKET_BAD_PORT`` (a
    ValueError), missing arguments ``ERR_MISSING_ARGS`` (a TypeError).
    """
    opts, cb = normalize_connect_args(args, kwargs)
    sock = Socket(allowHalfOpen=bool(opts.get("allowHalfOpen", False)))
    if opts.get("timeout"):
        sock.setTimeout(opts["timeout"])
    if opts.get("noDelay"):
        sock.setNoDelay(True)
    if opts.get("keepAlive"):
        sock.setKeepAlive(True, int(opts.get("keepAliveInitialDelay") or 0))
    return sock.connect(opts, cb) if cb is not None else sock.connect(opts)


createConnection = connect
