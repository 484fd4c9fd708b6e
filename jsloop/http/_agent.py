"""Node's ``http.Agent`` (``_http_agent.js``): a pool of client sockets per
``host:port:localAddress:family`` name.

Owns: ``Agent`` (``keepAlive``, ``keepAliveMsecs``, ``maxSockets``,
``maxTotalSockets``, ``maxFreeSockets``, ``timeout``, ``scheduling``
``'lifo'``/``'fifo'``; ``requests``/``sockets``/``freeSockets`` dicts of lists;
``getName``, ``addRequest``, ``createConnection``, ``keepSocketAlive``,
``reuseSocket``, ``destroy``), ``globalAgent`` (Node 20's: keep-alive, LIFO,
5 s timeout).

Protocol with ClientRequest, as in Node: the request calls
``agent.addRequest(req, options)``; the agent answers with
``req.onSocket(socket)`` now (a free or new socket) or later (queued while
``maxSockets`` are busy). When a response ends on a keep-alive connection the
socket emits ``'free'``: the agent hands it to the next queued request or
parks it in ``freeSockets`` (unref'd, so an idle pool never keeps the loop
alive); a parked socket that closes, errors or times out leaves the pool.

Imports: ..net, ..events.
"""

from __future__ import annotations

import math
from typing import Any

from .. import net
from ..errors import NodeRangeError
from ..events import EventEmitter

__all__ = ["Agent", "globalAgent"]


class _FreeListener:
    """The per-socket 'free'/'close'/'timeout' listener (one object, no closures)."""

    __slots__ = ("agent", "name", "socket")

    def __init__(self, agent: Agent, name: str, socket: Any) -> None:
        self.agent = agent
        self.name = name
        self.socket = socket

    def on_free(self, *_args: Any) -> None:
        self.agent._on_free(self.socket, self.name)

    def on_close(self, *_args: Any) -> None:
        self.agent._remove_socket(self.socket, self.name)

    def on_timeout(self) -> None:
        agent = self.agent
        free = agent.freeSockets.get(self.name)
        if free and self.socket in free:
            self.socket.destroy()

    def on_error(self, _err: Any = None) -> None:
        # An idle pooled socket that errors just leaves the pool ('close' follows).
        self.agent._remove_socket(self.socket, self.name)


class Agent(EventEmitter):
    """Node's ``http.Agent``."""

    defaultPort = 80
    protocol = "http:"

    def __init__(self, options: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__()
        opts = dict(options or {})
        opts.update(kwargs)
        self.options = opts
        self.keepAlive = bool(opts.get("keepAlive", False))
        self.keepAliveMsecs = int(opts.get("keepAliveMsecs", 1000))
        self.maxSockets: float = opts.get("maxSockets") or math.inf
        self.maxTotalSockets: float = opts.get("maxTotalSockets") or math.inf
        self.maxFreeSockets = int(opts.get("maxFreeSockets", 256))
        self.timeout: int | None = opts.get("timeout")
        self.scheduling = opts.get("scheduling", "lifo")
        if self.scheduling not in ("lifo", "fifo"):
            raise NodeRangeError(
                f"The argument 'scheduling' must be one of: 'fifo', 'lifo'. "
                f"Received {self.scheduling!r}", "ERR_INVALID_ARG_VALUE")
        self.requests: dict[str, list[Any]] = {}
        self.sockets: dict[str, list[Any]] = {}
        self.freeSockets: dict[str, list[Any]] = {}
        self.totalSocketCount = 0
        self._listeners: dict[int, _FreeListener] = {}

    def getName(self, options: dict[str, Any] | None = None) -> str:
        """``agent.getName(options)``: ``host:port:localAddress[:family]``."""
        o = options or {}
        name = f"{o.get('host') or 'localhost'}:"
        if o.get("port"):
            name += str(o["port"])
        name += ":"
        if o.get("localAddress"):
            name += str(o["localAddress"])
        if o.get("family") in (4, 6):
            name += f":{o['family']}"
        return name

    def addRequest(self, req: Any, options: dict[str, Any]) -> None:
        """Give ``req`` a socket now (free or new) or queue it."""
        name = self.getName(options)
        free = self.freeSockets.get(name)
        while free:
            sock = free.pop() if self.scheduling == "lifo" else free.pop(0)
            if not free:
                del self.freeSockets[name]
            if sock.destroyed:
                continue
            self.reuseSocket(sock, req)
            self.sockets.setdefault(name, []).append(sock)
            req.reusedSocket = True
            req.onSocket(sock)
            return
        busy = len(self.sockets.get(name, ()))
        if busy < self.maxSockets and self.totalSocketCount < self.maxTotalSockets:
            req.onSocket(self._create_socket(name, options))
            return
        self.requests.setdefault(name, []).append((req, options))

    def createConnection(self, options: dict[str, Any], *_args: Any) -> Any:
        """``agent.createConnection``: ``net.createConnection(options)``."""
        opts = {k: v for k, v in options.items()
                if k in ("host", "port", "localAddress", "family", "path", "noDelay",
                         "keepAlive", "keepAliveInitialDelay", "timeout")}
        return net.connect(opts)

    def _create_socket(self, name: str, options: dict[str, Any]) -> Any:
        opts = dict(options)
        opts.setdefault("host", "localhost")
        opts.setdefault("port", self.defaultPort)
        if self.keepAlive:
            opts["keepAlive"] = True
            opts["keepAliveInitialDelay"] = self.keepAliveMsecs
        sock = self.createConnection(opts)
        self.sockets.setdefault(name, []).append(sock)
        self.totalSocketCount += 1
        lst = _FreeListener(self, name, sock)
        self._listeners[id(sock)] = lst
        sock.on("free", lst.on_free)
        sock.on("close", lst.on_close)
        sock.on("timeout", lst.on_timeout)
        return sock

    def _on_free(self, sock: Any, name: str) -> None:
        if sock.destroyed:
            return
        queued = self.requests.get(name)
        if queued:
            req, _opts = queued.pop(0)
            if not queued:
                del self.requests[name]
            self.reuseSocket(sock, req)
            req.reusedSocket = True
            req.onSocket(sock)
            return
        busy = self.sockets.get(name)
        if busy and sock in busy:
            busy.remove(sock)
            if not busy:
                del self.sockets[name]
        free = self.freeSockets.get(name, [])
        if (self.keepAlive and len(free) < self.maxFreeSockets
                and self.keepSocketAlive(sock)):
            self.freeSockets.setdefault(name, []).append(sock)
            lst = self._listeners.get(id(sock))
            if lst is not None:
                sock.on("error", lst.on_error)
        else:
            sock.destroy()

    def keepSocketAlive(self, socket: Any) -> bool:
        """``agent.keepSocketAlive(socket)``: park it (TCP keep-alive on, unref'd)."""
        socket.setKeepAlive(True, self.keepAliveMsecs)
        socket.unref()
        timeout = self.timeout
        if timeout:
            socket.setTimeout(timeout)
        return True

    def reuseSocket(self, socket: Any, req: Any) -> None:
        """``agent.reuseSocket(socket, req)``: ref it again for the new request."""
        lst = self._listeners.get(id(socket))
        if lst is not None:
            socket.removeListener("error", lst.on_error)
        socket.ref()

    def _remove_socket(self, sock: Any, name: str) -> None:
        for pool in (self.sockets, self.freeSockets):
            lst = pool.get(name)
            if lst and sock in lst:
                lst.remove(sock)
                if not lst:
                    del pool[name]
        if self._listeners.pop(id(sock), None) is not None:
            self.totalSocketCount -= 1
        queued = self.requests.get(name)
        if queued and len(self.sockets.get(name, ())) < self.maxSockets:
            req, opts = queued.pop(0)
            if not queued:
                del self.requests[name]
            req.onSocket(self._create_socket(name, opts))

    def destroy(self) -> None:
        """``agent.destroy()``: close every socket, busy or free."""
        for pool in (self.freeSockets, self.sockets):
            for socks in list(pool.values()):
                for sock in list(socks):
                    sock.destroy()


globalAgent = Agent(keepAlive=True, scheduling="lifo", timeout=5000)
