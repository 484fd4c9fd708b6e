"""jsloop.dns.lookup: getaddrinfo on the pool (as slow work), Node's shapes and codes."""

from __future__ import annotations

from typing import Any

import pytest
from _io_helpers import no_leaks, run_bounded  # noqa: F401

from jsloop import dns

pytestmark = pytest.mark.usefixtures("no_leaks")


def test_lookup_localhost() -> None:
    async def main() -> Any:
        one = await dns.lookup("localhost")
        every = await dns.lookup("localhost", all=True)
        v4 = await dns.lookup("localhost", family=4)
        return one, every, v4

    one, every, v4 = run_bounded(main)
    assert one["address"] in ("127.0.0.1", "::1")
    assert one["family"] == (6 if ":" in one["address"] else 4)
    assert one in every
    assert all(set(e) == {"address", "family"} for e in every)
    assert v4 == {"address": "127.0.0.1", "family": 4}


def test_ip_literals_resolve_without_the_pool() -> None:
    async def main() -> Any:
        return await dns.lookup("127.0.0.1"), await dns.lookup("::1", all=True)

    assert run_bounded(main) == ({"address": "127.0.0.1", "family": 4},
                                 [{"address": "::1", "family": 6}])


def test_unknown_host_rejects_with_enotfound() -> None:
    async def main() -> Any:
        try:
            await dns.lookup("no-such-host.invalid")
        except OSError as exc:
            return exc
        return None

    exc = run_bounded(main, timeout=30)
    assert exc.code == "ENOTFOUND"
    assert exc.syscall == "getaddrinfo"
    assert exc.hostname == "no-such-host.invalid"
    assert "getaddrinfo ENOTFOUND no-such-host.invalid" in str(exc)


def test_bad_arguments_raise_at_the_call_site() -> None:
    def main() -> None:
        with pytest.raises(TypeError) as info:
            dns.lookup(5)  # type: ignore[arg-type]
        assert info.value.code == "ERR_INVALID_ARG_TYPE"  # type: ignore[attr-defined]
        with pytest.raises(TypeError) as info:
            dns.lookup("localhost", family=5)
        assert info.value.code == "ERR_INVALID_ARG_VALUE"  # type: ignore[attr-defined]

    run_bounded(main)
