"""Node's ``dns.promises.lookup`` in Python form: getaddrinfo on the thread pool.

Owns: ``lookup`` and the mapping of getaddrinfo failures to Node's codes.

The lookup runs as *slow* pool work (libuv's ``UV__WORK_SLOW_IO``): lookups may
hold at most half the workers, so a hanging resolver cannot stall fs calls.
IP literals resolve without the pool, as Node's ``lookup`` short-cuts them.
Results keep getaddrinfo's order (Node 20's default ``verbatim: true``).
Bad arguments raise at the call site (Node's ``dns.promises.lookup`` throws
synchronously too); resolution failures reject with ``socket.gaierror``
carrying ``code`` (``'ENOTFOUND'``...), ``syscall`` and ``hostname``.

Imports: _runtime, promise, errors (and stdlib).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from ._runtime import get_loop
from .errors import NodeTypeError, invalid_arg_type
from .promise import Promise

__all__ = ["ADDRCONFIG", "V4MAPPED", "lookup"]

ADDRCONFIG = socket.AI_ADDRCONFIG
V4MAPPED = socket.AI_V4MAPPED

_FAMILY = {0: socket.AF_UNSPEC, 4: socket.AF_INET, 6: socket.AF_INET6}

# libuv/c-ares names for getaddrinfo failures; Node turns NONAME/NODATA into ENOTFOUND.
_EAI_CODES: dict[int, str] = {
    socket.EAI_NONAME: "ENOTFOUND",
    socket.EAI_AGAIN: "EAI_AGAIN",
    socket.EAI_FAIL: "EAI_FAIL",
    socket.EAI_FAMILY: "EAI_FAMILY",
    socket.EAI_SERVICE: "EAI_SERVICE",
    socket.EAI_MEMORY: "EAI_MEMORY",
}
for _name in ("EAI_NODATA", "EAI_ADDRFAMILY"):
    if hasattr(socket, _name):
        _EAI_CODES[getattr(socket, _name)] = "ENOTFOUND"


def ip_family(host: str) -> int:
    """Node's ``net.isIP``: 4, 6 or 0."""
    try:
        return ipaddress.ip_address(host).version
    except ValueError:
        return 0


def _check_family(family: Any) -> int:
    if family in ("IPv4", "IPv6"):
        return 4 if family == "IPv4" else 6
    if isinstance(family, bool) or family not in _FAMILY:
        raise NodeTypeError(
            f"The property 'options.family' must be one of: 0, 4, 6. Received {family!r}",
            "ERR_INVALID_ARG_VALUE",
        )
    return int(family)


def _getaddrinfo(host: str, family: int, hints: int) -> list[dict[str, Any]]:
    try:
        infos = socket.getaddrinfo(host, None, _FAMILY[family], socket.SOCK_STREAM, 0, hints)
    except socket.gaierror as exc:
        code = _EAI_CODES.get(exc.errno or 0, "ENOTFOUND")
        err = socket.gaierror(exc.errno, f"getaddrinfo {code} {host}")
        err.code = code  # type: ignore[attr-defined]
        err.syscall = "getaddrinfo"  # type: ignore[attr-defined]
        err.hostname = host  # type: ignore[attr-defined]
        raise err from None
    seen: set[tuple[str, int]] = set()
    out: list[dict[str, Any]] = []
    for fam, _type, _proto, _canon, sockaddr in infos:
        entry = (str(sockaddr[0]), 6 if fam == socket.AF_INET6 else 4)
        if entry not in seen:
            seen.add(entry)
            out.append({"address": entry[0], "family": entry[1]})
    return out


def lookup(host: str, family: int | str = 0, all: bool = False,
           hints: int = 0) -> Promise[Any]:
    """``dns.promises.lookup(host, {family, all, hints})``.

    Resolves to ``{'address': str, 'family': 4|6}``, or a list of those when
    ``all=True``. Failures reject with ``socket.gaierror`` whose ``code`` is
    ``'ENOTFOUND'`` for unknown names.
    """
    if not isinstance(host, str):
        raise invalid_arg_type("hostname", "of type string", host)
    fam = _check_family(family)
    if not host:
        # Node (DEP0118): an empty hostname resolves to null.
        empty: Any = [] if all else {"address": None, "family": fam or 4}
        return Promise.resolve(empty)
    literal = ip_family(host)
    if literal and (fam == 0 or fam == literal):
        entry = {"address": host, "family": literal}
        return Promise.resolve([entry] if all else entry)

    def body() -> Any:
        found = _getaddrinfo(host, fam, hints)
        if not found:
            err = socket.gaierror(socket.EAI_NONAME, f"getaddrinfo ENOTFOUND {host}")
            err.code = "ENOTFOUND"  # type: ignore[attr-defined]
            err.syscall = "getaddrinfo"  # type: ignore[attr-defined]
            err.hostname = host  # type: ignore[attr-defined]
            raise err
        return found if all else found[0]

    return get_loop().threadpool.submit(body, slow=True)  # type: ignore[no-any-return]
