"""The cold half of ``net.Socket``: options, the idle timeout, refs and addresses.

Owns: ``SocketInfo``, a slot-less mixin of ``Socket`` with ``setNoDelay``,
``setKeepAlive``, ``setTimeout``/``timeout``, ``ref``/``unref``, ``address()``
and the ``remote*``/``local*`` properties. Nothing here is on the per-event path
except ``_touch`` (a read or write on a socket with an idle timeout).

Invariants
----------
* Options set before the fd exists wait in ``_opts`` and are applied by
  ``Socket._attach``; an accepted socket applies its server's options at once.
* The idle timer is one unref'd ``Timeout`` (``_opts["timer"]``). Activity only
  records the time (``_opts["last"]``); when the timer fires early it re-arms for the remainder,
  and when it has fired (``'timeout'`` emitted) the next read or write arms a new
  one — Node's ``_unrefTimer`` refreshes on every read and write.

Imports: errors, timers, _addr.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

from ..errors import NodeRangeError, invalid_arg_type
from ..timers import clearTimeout, setTimeout
from ._addr import AddressInfo, address_info


def _js_number(value: float) -> str:
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if math.isnan(value):
        return "NaN"
    return str(int(value)) if float(value).is_integer() else str(value)


_SOCKOPTS = frozenset({"noDelay", "keepAlive"})


def validate_msecs(msecs: Any) -> float:
    """Node's ``getTimerDuration(msecs, 'msecs')``: a finite number >= 0."""
    if isinstance(msecs, bool) or not isinstance(msecs, (int, float)):
        raise invalid_arg_type("msecs", "of type number", msecs)
    if not (msecs >= 0 and math.isfinite(msecs)):
        raise NodeRangeError(
            'The value of "msecs" is out of range. It must be a non-negative finite number. '
            f"Received {_js_number(msecs)}",
            "ERR_OUT_OF_RANGE",
        )
    return msecs


class SocketInfo:
    """Mixin for ``Socket``: the state it touches lives in ``Socket``'s slots."""

    if not TYPE_CHECKING:  # (mypy: a slot-less mixin may still assign Socket's slots)
        __slots__ = ()
    else:
        _sock: socket.socket | None
        _opts: dict[str, Any] | None
        _timeout_ms: int
        _net: Any
        _refed: bool
        _w: Any
        destroyed: bool

        _set_opt: Callable[[str, Any], None]
        once: Callable[[Any, Callable[..., Any]], Any]
        removeListener: Callable[[Any, Callable[..., Any]], Any]
        emit: Callable[..., bool]

    # -- options --------------------------------------------------------------------

    def _apply_option(self, name: str, value: Any) -> None:
        sock = self._sock
        if sock is None or sock.family == socket.AF_UNIX or name not in _SOCKOPTS:
            return
        try:
            if name == "noDelay":
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1 if value[0] else 0)
            elif name == "keepAlive":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1 if value[0] else 0)
                delay = int(value[1] // 1000)
                if value[0] and delay > 0 and hasattr(socket, "TCP_KEEPIDLE"):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, delay)
        except OSError:
            pass

    def setNoDelay(self, noDelay: bool = True) -> Self:
        """``socket.setNoDelay``: disable Nagle's algorithm."""
        value = (bool(noDelay), 0)
        self._set_opt("noDelay", value)
        self._apply_option("noDelay", value)
        return self

    def setKeepAlive(self, enable: bool = False, initialDelay: int = 0) -> Self:
        """``socket.setKeepAlive``; ``initialDelay`` in ms."""
        value = (bool(enable), initialDelay)
        self._set_opt("keepAlive", value)
        self._apply_option("keepAlive", value)
        return self

    # -- idle timeout ---------------------------------------------------------------

    def setTimeout(self, timeout: Any, callback: Callable[..., Any] | None = None) -> Self:
        """``socket.setTimeout(ms[, cb])``: 'timeout' after ``ms`` idle; 0 disables.

        Like Node the socket is not closed: the listener decides. The timer is
        unref'd (it does not keep the loop alive). ``ms`` must be a finite
        number >= 0 (Node's ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE otherwise).
        """
        msecs = validate_msecs(timeout)
        if callback is not None and not callable(callback):
            raise invalid_arg_type("callback", "of type function", callback)
        if callback is not None:
            if msecs == 0:
                self.removeListener("timeout", callback)
            else:
                self.once("timeout", callback)
        self._clear_timer()
        self._set_opt("timeout", msecs)
        # Node's timers run a fractional delay below 1 ms as 1 ms.
        self._timeout_ms = max(1, int(msecs)) if msecs > 0 else 0
        if self._timeout_ms and not self.destroyed:
            self._set_opt("last", self._net.loop.update_time())
            self._arm_timer(self._timeout_ms)
        return self

    @property
    def timeout(self) -> float | None:
        """Node's ``socket.timeout``: what ``setTimeout`` last got (None before).

        Assigning it only changes the value read back, as in Node."""
        opts = self._opts
        return opts.get("timeout") if opts else None

    @timeout.setter
    def timeout(self, value: Any) -> None:
        self._set_opt("timeout", value)

    def _arm_timer(self, ms: int) -> None:
        timer = setTimeout(self._on_timer, ms)
        timer.unref()
        self._set_opt("timer", timer)

    def _clear_timer(self) -> None:
        timer = self._opts.pop("timer", None) if self._opts else None
        if timer is not None:
            clearTimeout(timer)

    def _touch(self) -> None:
        opts: Any = self._opts  # exists: setTimeout() stored "timeout" there
        opts["last"] = self._net.loop.now
        if opts.get("timer") is None and not self.destroyed:
            self._arm_timer(self._timeout_ms)

    def _on_timer(self) -> None:
        opts: Any = self._opts
        opts.pop("timer", None)
        if self.destroyed or not self._timeout_ms:
            return
        idle = self._net.loop.now - opts.get("last", 0)
        if idle < self._timeout_ms:
            self._arm_timer(self._timeout_ms - idle)
            return
        self.emit("timeout")  # re-armed by the next read or write (_touch)

    # -- refs -----------------------------------------------------------------------

    def ref(self) -> Self:
        self._refed = True
        if self._w is not None:
            self._w.ref()
        return self

    def unref(self) -> Self:
        self._refed = False
        if self._w is not None:
            self._w.unref()
        return self

    # -- addresses ------------------------------------------------------------------

    def address(self) -> AddressInfo | str | dict[str, Any]:
        """``socket.address()``: the local address (``{}`` without an fd)."""
        if self._sock is None or self.destroyed:
            return {}
        try:
            return address_info(self._sock.getsockname(), self._sock.family)
        except OSError:
            return {}

    def _peername(self) -> Any:
        peer = self._opts.get("peer") if self._opts else None
        if peer is None and self._sock is not None and not self.destroyed:
            try:
                peer = self._sock.getpeername()
            except OSError:
                return None
            self._set_opt("peer", peer)
        return peer

    @property
    def remoteAddress(self) -> str | None:
        peer = self._peername()
        return peer[0] if isinstance(peer, tuple) else None

    @property
    def remotePort(self) -> int | None:
        peer = self._peername()
        return peer[1] if isinstance(peer, tuple) else None

    @property
    def remoteFamily(self) -> str | None:
        if self._sock is None or self._sock.family == socket.AF_UNIX or self._peername() is None:
            return None
        return "IPv6" if self._sock.family == socket.AF_INET6 else "IPv4"

    @property
    def localAddress(self) -> str | None:
        info = self.address()
        return info.address if isinstance(info, AddressInfo) else None

    @property
    def localPort(self) -> int | None:
        info = self.address()
        return info.port if isinstance(info, AddressInfo) else None

    @property
    def localFamily(self) -> str | None:
        """Node's ``socket.localFamily``: 'IPv4'/'IPv6'; None without a TCP fd."""
        info = self.address()
        return info.family if isinstance(info, AddressInfo) else None

    def fileno(self) -> int:
        return self._sock.fileno() if self._sock is not None else -1
