"""dns.lookup tests ported from Node v20's test/parallel.

Node stubs its c-ares binding (``cares.getaddrinfo``); here the stub replaces
``socket.getaddrinfo``, the layer jsloop's lookup calls on a pool worker. Stub
results that real getaddrinfo cannot produce (a non-IP 'some-address', results
relabelled with the requested family) are left out.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import pytest
from _io_helpers import run_bounded

import jsloop
from jsloop import dns

dnsp = dns.promises


def _throws(code: str, fn: Any, *args: Any, message: str | None = None) -> None:
    with pytest.raises(TypeError) as info:
        fn(*args)
    assert info.value.code == code  # type: ignore[attr-defined]
    if message is not None:
        assert str(info.value).startswith(message) if message.endswith("type") else \
            str(info.value) == message


def test_dns_lookup(must: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """test/parallel/test-dns-lookup.js"""
    def enomem(*_a: Any, **_k: Any) -> Any:
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr(socket, "getaddrinfo", enomem)
    nop = must.not_call()

    def main() -> Any:
        msg = 'The "hostname" argument must be of type string. Received type'
        _throws("ERR_INVALID_ARG_TYPE", dns.lookup, 1, {}, message=msg)
        _throws("ERR_INVALID_ARG_TYPE", dnsp.lookup, 1, {}, message=msg)
        _throws("ERR_INVALID_ARG_TYPE", dns.lookup, False, "cb")
        _throws("ERR_INVALID_ARG_TYPE", dns.lookup, False, "options", "cb")
        options = {"hints": 100, "family": 0, "all": False}
        for call in (lambda: dnsp.lookup(False, options),
                     lambda: dns.lookup(False, options, nop)):
            _throws("ERR_INVALID_ARG_VALUE", call,
                    message="The argument 'hints' is invalid. Received 100")
        options = {"hints": 0, "family": 20, "all": False}
        for call in (lambda: dnsp.lookup(False, options),
                     lambda: dns.lookup(False, options, nop)):
            _throws("ERR_INVALID_ARG_VALUE", call, message=(
                "The property 'options.family' must be one of: 0, 4, 6. Received 20"))
        for family in [1, "", "0", object(), True, False, {}, [], lambda: None]:
            _throws("ERR_INVALID_ARG_VALUE", dnsp.lookup, False, {"family": family})
            _throws("ERR_INVALID_ARG_VALUE", dns.lookup, False, {"family": family}, nop)
        for family in ["", "0", object(), True, False]:
            _throws("ERR_INVALID_ARG_TYPE", dnsp.lookup, False, family)
            _throws("ERR_INVALID_ARG_TYPE", dns.lookup, False, family, nop)
        _throws("ERR_INVALID_ARG_TYPE", dnsp.lookup, False, lambda: None)
        for hints in ["", "0", object(), True, False, {}, [], lambda: None]:
            _throws("ERR_INVALID_ARG_TYPE", dnsp.lookup, False, {"hints": hints})
            _throws("ERR_INVALID_ARG_TYPE", dns.lookup, False, {"hints": hints}, nop)
        for key in ("all", "verbatim"):
            for value in [0, 1, "", "0", object(), {}, [], lambda: None]:
                _throws("ERR_INVALID_ARG_TYPE", dnsp.lookup, False, {key: value})
                _throws("ERR_INVALID_ARG_TYPE", dns.lookup, False, {key: value}, nop)

        @jsloop.asyncfn
        async def promises() -> None:
            assert await dnsp.lookup(False, {"hints": 0, "family": 0, "all": True}) == []
            assert await dnsp.lookup("127.0.0.1", {"hints": 0, "family": 4, "all": True}) == [
                {"address": "127.0.0.1", "family": 4}]
            assert await dnsp.lookup("127.0.0.1", {"hints": 0, "family": 4, "all": False}) == {
                "address": "127.0.0.1", "family": 4}

        promises().then(must.call())

        def empty_all(err: Any, result: Any, *rest: Any) -> None:
            assert err is None and result == [] and rest == ()

        dns.lookup(False, {"hints": 0, "family": 0, "all": True}, must.call(empty_all))

        def all4(err: Any, result: Any, *rest: Any) -> None:
            assert err is None and rest == ()
            assert result == [{"address": "127.0.0.1", "family": 4}]

        dns.lookup("127.0.0.1", {"hints": 0, "family": 4, "all": True}, must.call(all4))

        def one4(err: Any, result: Any, address_type: Any) -> None:
            assert (err, result, address_type) == (None, "127.0.0.1", 4)

        dns.lookup("127.0.0.1", {"hints": 0, "family": 4, "all": False}, must.call(one4))

        tick = [0]

        def failed(error: Any, *rest: Any) -> None:
            assert error is not None
            assert tick[0] == 1  # asynchronous
            assert error.code == "ENOMEM"

        dns.lookup("example.com", must.call(failed))
        tick[0] = 1

        def rejected(err: Any) -> None:
            assert (err.code, err.hostname) == ("ENOMEM", "example.com")

        dnsp.lookup("example.com").then(None, must.call(rejected))

    run_bounded(main)


def test_dns_lookup_promises(must: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """test/parallel/test-dns-lookup-promises.js"""
    stub: list[Any] = [None]

    def fake(host: str, *_a: Any, **_k: Any) -> Any:
        return stub[0](host)

    def positive(addresses: list[str]) -> Any:
        def gai(_host: str) -> Any:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6,
                     "", (a, 0)) for a in addresses]
        return gai

    def negative(_host: str) -> Any:
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr(socket, "getaddrinfo", fake)

    @jsloop.asyncfn
    async def main() -> None:
        for addresses, kwargs, expected in [
            (["::1"], {}, {"address": "::1", "family": 6}),
            (["127.0.0.1"], {}, {"address": "127.0.0.1", "family": 4}),
            (["::1", "::2"], {"all": True},
             [{"address": "::1", "family": 6}, {"address": "::2", "family": 6}]),
        ]:
            stub[0] = positive(addresses)
            assert await dnsp.lookup("example.com", kwargs) == expected
        stub[0] = negative
        for options in ({}, {"all": True}):
            try:
                await dnsp.lookup("example.com", options)
            except OSError as exc:
                assert (exc.code, exc.hostname, exc.syscall) == (  # type: ignore[attr-defined]
                    "ENOMEM", "example.com", "getaddrinfo")
                must.call()()

    run_bounded(main)
