"""Addresses and argument checks for ``jsloop.net``: ``isIP``, ``AddressInfo``, Node's errors.

Owns: IP literal recognition (``isIP``/``isIPv4``/``isIPv6``), the ``AddressInfo``
record ``address()`` returns, Node-shaped OSErrors (``errno_exception``), port and
host validation and ``connect()``'s argument normalisation (Node's ``normalizeArgs``).
Pure functions: no loop state.

Imports: errors (and stdlib).
"""

from __future__ import annotations

import errno as errno_mod
import ipaddress
import os
import re
import socket
from collections.abc import Callable
from typing import Any

import attrs

from ..errors import NodeRangeError, NodeTypeError, describe_received, invalid_arg_type

# Node's IPv6 zone id (lib/internal/net.js): ``%`` then [0-9a-zA-Z-.:]+, IPv6 only.
_ZONE_ID = re.compile(r"[0-9a-zA-Z\-.:]+")


def isIP(value: Any) -> int:
    """``net.isIP``: 4, 6 or 0 (an IPv6 zone id is allowed, garbage after it is not)."""
    if not isinstance(value, str):
        if value is None or isinstance(value, (bool, int, float, bytes, dict, list)):
            return 0
        value = str(value)  # Node tests `${input}`: an object's toString counts
    addr, sep, zone = value.partition("%")
    try:
        if sep:
            if not _ZONE_ID.fullmatch(zone):
                return 0
            ipaddress.IPv6Address(addr)
            return 6
        return ipaddress.ip_address(value).version
    except ValueError:
        return 0


def isIPv4(value: Any) -> bool:
    """``net.isIPv4``."""
    return isIP(value) == 4


def isIPv6(value: Any) -> bool:
    """``net.isIPv6``."""
    return isIP(value) == 6


@attrs.frozen
class AddressInfo:
    """What ``server.address()`` returns for TCP: Node's ``{address, family, port}``.

    Reads as attributes or as a dict (``info.port`` / ``info['port']``).
    """

    address: str
    family: str
    port: int

    def __getitem__(self, key: str) -> Any:
        if key not in ("address", "family", "port"):
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default) if key in ("address", "family", "port") else default


def address_info(sockaddr: Any, family: int) -> AddressInfo | str:
    if family == socket.AF_UNIX:
        return sockaddr.decode() if isinstance(sockaddr, bytes) else str(sockaddr)
    return AddressInfo(
        address=sockaddr[0], family="IPv6" if family == socket.AF_INET6 else "IPv4",
        port=sockaddr[1],
    )


def errno_exception(err: int, syscall: str, address: Any = None, port: Any = None,
                    extra: str = "", local: str = "") -> OSError:
    """Node's ``ErrnoException``/``ExceptionWithHostPort`` as the matching Python OSError.

    ``OSError(errno, msg)`` picks the subclass (ConnectionRefusedError...); the
    message is Node's (``connect ECONNREFUSED 127.0.0.1:1``); ``code``,
    ``syscall``, ``address`` and ``port`` are attributes as in Node.
    """
    code = errno_mod.errorcode.get(err, "UNKNOWN")
    where = ""
    if address is not None:
        where = f" {address}:{port}" if port is not None else f" {address}"
    if local:
        where += f" - Local ({local})"  # Node's exceptionWithHostPort(..., additional)
    msg = f"{syscall} {code}{extra}{where}"
    exc = OSError(err, msg)
    exc.code = code  # type: ignore[attr-defined]
    exc.syscall = syscall  # type: ignore[attr-defined]
    if address is not None:
        exc.address = address  # type: ignore[attr-defined]
    if port is not None:
        exc.port = port  # type: ignore[attr-defined]
    return exc


def from_oserror(exc: OSError, syscall: str, address: Any = None, port: Any = None) -> OSError:
    return errno_exception(exc.errno or errno_mod.EIO, syscall, address, port)


def node_error(cls: type[Exception], message: str, code: str) -> Exception:
    exc = cls(message)
    exc.code = code  # type: ignore[attr-defined]
    return exc


def validate_port(port: Any, name: str = "options.port", allow_zero: bool = True) -> int:
    """Node's ``validatePort``: ints (or numeric strings) in [0, 65536)."""
    ok = False
    value = -1
    if isinstance(port, bool):
        ok = False
    elif isinstance(port, int):
        value, ok = port, True
    elif isinstance(port, float) and port.is_integer():
        value, ok = int(port), True
    elif isinstance(port, str) and port.strip().isdigit():
        value, ok = int(port.strip()), True
    if not ok or not 0 <= value < 65536 or (value == 0 and not allow_zero):
        raise NodeRangeError(
            f"{name} should be >= {0 if allow_zero else 1} and < 65536. "
            f"{describe_received(port)}.",
            "ERR_SOCKET_BAD_PORT",
        )
    return value


def check_host(host: Any) -> str | None:
    if host is None:
        return None
    if not isinstance(host, str):
        raise invalid_arg_type("hostname", "of type string", host)
    return host


def family_of(host: str) -> int:
    return socket.AF_INET6 if isIP(host) == 6 else socket.AF_INET


def normalize_connect_args(args: tuple[Any, ...], kwargs: dict[str, Any]
                            ) -> tuple[dict[str, Any], Callable[..., Any] | None]:
    """Node's ``normalizeArgs`` + validation for connect()."""
    args_l = list(args)
    cb: Callable[..., Any] | None = kwargs.pop("connectListener", None) or kwargs.pop(
        "callback", None)
    if args_l and callable(args_l[-1]):
        cb = args_l.pop()
    opts: dict[str, Any] = {}
    if args_l and isinstance(args_l[0], AddressInfo):
        # connect(server.address()): an options object whose ``address`` Node ignores.
        opts.update(attrs.asdict(args_l[0]))
    elif args_l and isinstance(args_l[0], dict):
        opts.update(args_l[0])
    elif args_l and isinstance(args_l[0], (str, bytes, os.PathLike)) and not (
        isinstance(args_l[0], str) and args_l[0].strip().isdigit()
    ):
        opts["path"] = args_l[0]
    elif args_l:
        opts["port"] = args_l[0]
        if len(args_l) > 1:
            opts["host"] = args_l[1]
    opts.update(kwargs)
    if cb is not None and not callable(cb):
        raise invalid_arg_type("callback", "of type function", cb)
    if opts.get("path") is not None:
        return opts, cb
    if "port" not in opts or opts["port"] is None:
        raise NodeTypeError('The "options" or "port" or "path" argument must be specified',
                            "ERR_MISSING_ARGS")
    opts["port"] = validate_port(opts["port"], "Port")
    check_host(opts.get("host"))
    local = opts.get("localAddress")
    if local is not None and not isinstance(local, tuple):
        opts["localAddress"] = (local, int(opts.get("localPort") or 0))
    return opts, cb

