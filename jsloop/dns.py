"""Node's ``dns.lookup`` in Python form: getaddrinfo on the thread pool, as a request.

Owns: ``lookup`` (callback or Promise), ``promises.lookup``, ``lookup_request``
(the cancellable request net uses for connect/listen), and the mapping of
getaddrinfo failures to Node's errors.

* The lookup runs as *slow* pool work (libuv's ``UV__WORK_SLOW_IO``): lookups
  may hold at most half the workers, so a hanging resolver cannot stall fs.
* Every lookup is a request (``_req.Req``): it keeps the loop alive until it
  completes, and ``req.cancel()`` withdraws it while it is still queued (its
  ``done`` then gets ECANCELED). A lookup already running in getaddrinfo
  cannot be interrupted; it completes and the owner may ignore the result.
* An IP literal is returned as is, whatever family was asked for (Node: the
  literal's own family), without the pool; the completion comes from a
  nextTick, as Node's callback ``lookup`` does.
* Results keep getaddrinfo's order (Node 20's default ``verbatim: true``);
  ``verbatim=False`` puts IPv4 first.
* Bad arguments raise at the call site (Node's ``lookup`` and
  ``dns.promises.lookup`` both throw synchronously). Resolution failures are
  ``socket.gaierror`` with Node's ``code`` (``'ENOTFOUND'``...), negative
  ``errno`` (-3008...), ``syscall`` 'getaddrinfo', ``hostname`` and message
  ``"getaddrinfo ENOTFOUND host"``.

Imports: _runtime, _req, _compat, promise, errors, timers (and stdlib).
"""

from __future__ import annotations

import errno as errno_mod
import ipaddress
import socket
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from ._compat import call_js
from ._req import DoneCallback, Req, node_class, promise_done
from ._runtime import get_loop
from .errors import NodeTypeError, invalid_arg_type, invalid_property_type
from .promise import Promise

__all__ = ["ADDRCONFIG", "ALL", "V4MAPPED", "lookup", "lookup_request", "promises"]

ADDRCONFIG = socket.AI_ADDRCONFIG
V4MAPPED = socket.AI_V4MAPPED
ALL = getattr(socket, "AI_ALL", 0x10)

_FAMILY = {0: socket.AF_UNSPEC, 4: socket.AF_INET, 6: socket.AF_INET6}

# getaddrinfo failures: Node's code and libuv's (negative) errno. Node reports
# NONAME/NODATA as ENOTFOUND.
_EAI: dict[int, tuple[str, int]] = {
    socket.EAI_NONAME: ("ENOTFOUND", -3008),
    socket.EAI_AGAIN: ("EAI_AGAIN", -3001),
    socket.EAI_FAIL: ("EAI_FAIL", -3004),
    socket.EAI_FAMILY: ("EAI_FAMILY", -3005),
    socket.EAI_SERVICE: ("EAI_SERVICE", -3010),
    socket.EAI_MEMORY: ("EAI_MEMORY", -3006),
}
for _name in ("EAI_NODATA", "EAI_ADDRFAMILY"):
    if hasattr(socket, _name):
        _EAI[getattr(socket, _name)] = ("ENOTFOUND", -3008)


def ip_family(host: str) -> int:
    """Node's ``net.isIP``: 4, 6 or 0."""
    try:
        return ipaddress.ip_address(host).version
    except ValueError:
        return 0


def _family_error(name: str, value: Any, what: str) -> NodeTypeError:
    return NodeTypeError(
        f"The {what} '{name}' must be one of: 0, 4, 6. Received {value!r}",
        "ERR_INVALID_ARG_VALUE",
    )


def _check_family(family: Any, name: str = "options.family", what: str = "property") -> int:
    if family is None:
        return 0
    if family in ("IPv4", "IPv6") and name == "options.family":
        return 4 if family == "IPv4" else 6
    if isinstance(family, bool) or not isinstance(family, int) or family not in _FAMILY:
        raise _family_error(name, family, what)
    return int(family)


def _parse_options(options: Any, kw: dict[str, Any]) -> tuple[int, int, bool, bool]:
    """Node's argument handling: ``options`` a family number or a dict; keywords too."""
    family = 0
    opts: dict[str, Any] = {}
    if isinstance(options, dict):
        opts.update(options)
    elif isinstance(options, int) and not isinstance(options, bool):
        family = _check_family(options, "family", "argument")
    elif options is not None:
        raise invalid_arg_type("options", "one of type integer or an instance of Object",
                               options)
    opts.update({k: v for k, v in kw.items() if v is not None})
    opts = {k: v for k, v in opts.items() if v is not None}  # Node: `options?.x != null`
    unknown = set(opts) - {"family", "hints", "all", "verbatim"}
    if unknown:
        raise TypeError(f"lookup() got unexpected options {sorted(unknown)!r}")
    if "family" in opts:
        family = _check_family(opts["family"])
    hints = opts.get("hints", 0)
    if isinstance(hints, bool) or not isinstance(hints, int):
        raise invalid_property_type("options.hints", "of type number", hints)
    if hints & ~(ADDRCONFIG | ALL | V4MAPPED):
        raise NodeTypeError(f"The argument 'hints' is invalid. Received {hints}",
                            "ERR_INVALID_ARG_VALUE")
    flags = []
    for key, default in (("all", False), ("verbatim", True)):
        value = opts.get(key, default)
        if not isinstance(value, bool):
            raise invalid_property_type(f"options.{key}", "of type boolean", value)
        flags.append(value)
    return family, hints, flags[0], flags[1]


def _gai_error(errno: int, host: str) -> socket.gaierror:
    code, node_errno = _EAI.get(errno, ("ENOTFOUND", -3008))
    message = f"getaddrinfo {code} {host}"
    err = node_class(socket.gaierror)(errno, message)
    assert isinstance(err, socket.gaierror)
    err.message = message  # type: ignore[attr-defined]
    err.errno = node_errno
    err.code = code  # type: ignore[attr-defined]
    err.syscall = "getaddrinfo"  # type: ignore[attr-defined]
    err.hostname = host  # type: ignore[attr-defined]
    return err


def _dns_exception(err: int, host: str) -> OSError:
    code = errno_mod.errorcode.get(err, "UNKNOWN")
    message = f"getaddrinfo {code} {host}"
    exc = node_class(OSError)(err, message)
    exc.message = message  # type: ignore[attr-defined]
    exc.errno = -err
    exc.code = code  # type: ignore[attr-defined]
    exc.syscall = "getaddrinfo"  # type: ignore[attr-defined]
    exc.hostname = host  # type: ignore[attr-defined]
    return exc


def _getaddrinfo(host: str, family: int, hints: int, verbatim: bool) -> list[dict[str, Any]]:
    """Runs on a worker."""
    try:
        infos = socket.getaddrinfo(host, None, _FAMILY[family], socket.SOCK_STREAM, 0, hints)
    except socket.gaierror as exc:
        raise _gai_error(exc.errno or 0, host) from None
    except OSError as exc:  # a system error (ENOMEM...): Node's dnsException with its code
        raise _dns_exception(exc.errno or 0, host) from None
    seen: set[tuple[str, int]] = set()
    out: list[dict[str, Any]] = []
    for fam, _type, _proto, _canon, sockaddr in infos:
        entry = (str(sockaddr[0]), 6 if fam == socket.AF_INET6 else 4)
        if entry not in seen:
            seen.add(entry)
            out.append({"address": entry[0], "family": entry[1]})
    if not out:
        raise _gai_error(socket.EAI_NONAME, host)
    if not verbatim:
        out.sort(key=lambda e: e["family"])  # stable: IPv4 first, order kept within
    return out


def lookup_request(host: str, family: int = 0, hints: int = 0, all: bool = False,
                   verbatim: bool = True, *, done: DoneCallback) -> Req:
    """Start a lookup as a request; ``done(result, err)`` runs once on the loop thread.

    ``result`` is ``{'address', 'family'}`` (or the list with ``all``). The
    returned ``Req`` can be cancelled while queued (or, for an IP literal or an
    empty name, until its nextTick completion): ``done`` then gets ECANCELED.
    Arguments must already be valid (``lookup`` validates them).
    """
    literal = ip_family(host) if host else 0
    if not host or literal:
        if not host:  # Node (DEP0118): an empty hostname resolves to null
            result: Any = [] if all else {"address": None, "family": family or 4}
        else:
            entry = {"address": host, "family": literal}
            result = [entry] if all else entry
        from .timers import nextTick

        req = Req(get_loop(), done, "getaddrinfo", cancel_hook=lambda: True)
        nextTick(req.complete, result)
        return req

    def finish(found: Any, err: BaseException | None) -> None:
        done(None if err is not None else (found if all else found[0]), err)

    pool = get_loop().threadpool
    return pool.submit_req(  # type: ignore[no-any-return]
        _getaddrinfo, (host, family, hints, verbatim), finish, slow=True,
        syscall="getaddrinfo")


def lookup(hostname: str, options: Any = None, callback: Callable[..., Any] | None = None, *,
           family: Any = None, all: bool | None = None, hints: int | None = None,
           verbatim: bool | None = None) -> Any:
    """Node's ``dns.lookup(hostname[, options], callback)``; without a callback,
    ``dns.promises.lookup`` (a Promise of ``{'address', 'family'}`` or, with
    ``all``, a list of them).

    ``options`` is a family (0, 4, 6) or ``{'family', 'hints', 'all', 'verbatim'}``
    (also as keywords). The callback gets ``(err, address, family)``, or
    ``(err, addresses)`` with ``all``.
    """
    if callback is None and callable(options):
        callback, options = options, None
    if hostname and not isinstance(hostname, str):
        raise invalid_arg_type("hostname", "of type string", hostname)
    if not hostname:
        hostname = ""  # Node (DEP0118): a falsy hostname resolves to null / []
    fam, hint_bits, want_all, verb = _parse_options(
        options, {"family": family, "all": all, "hints": hints, "verbatim": verbatim})
    if callback is None:
        promise, done = promise_done()
        lookup_request(hostname, fam, hint_bits, want_all, verb, done=done)
        return promise
    if not callable(callback):
        raise invalid_arg_type("callback", "of type function", callback)
    cb = callback

    def deliver(result: Any, err: BaseException | None) -> None:
        if err is not None:
            call_js(cb, err)
        elif want_all:
            call_js(cb, None, result)
        else:
            call_js(cb, None, result["address"], result["family"])

    lookup_request(hostname, fam, hint_bits, want_all, verb, done=deliver)
    return None


def _promises_lookup(hostname: str, options: Any = None, **kw: Any) -> Promise[Any]:
    """``dns.promises.lookup(hostname, options)``."""
    if callable(options):
        raise invalid_arg_type("options", "one of type integer or an instance of Object",
                               options)
    result: Promise[Any] = lookup(hostname, options, None, **kw)
    return result


promises = SimpleNamespace(lookup=_promises_lookup)
