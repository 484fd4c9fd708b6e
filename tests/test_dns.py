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


# -- Node's callback forms, literals for any family, cancellable requests ---------------

def test_callback_forms_match_node() -> None:
    # Checked with node 20: dns.lookup(h, 4, cb) -> (null, '127.0.0.1', 4);
    # {family: 4, all: true} -> (null, [{address, family}]).
    log: list[Any] = []

    def main() -> None:
        assert dns.lookup("localhost", 4, lambda err, a, f: log.append((err, a, f))) is None
        dns.lookup("localhost", {"family": 4, "all": True}, lambda err, a: log.append((err, a)))
        dns.lookup("no-such-host.invalid", lambda err: log.append(
            (err.code, err.errno, err.syscall, err.hostname, str(err))))

    run_bounded(main, timeout=30)
    assert (None, "127.0.0.1", 4) in log
    assert (None, [{"address": "127.0.0.1", "family": 4}]) in log
    assert ("ENOTFOUND", -3008, "getaddrinfo", "no-such-host.invalid",
            "getaddrinfo ENOTFOUND no-such-host.invalid") in log


@pytest.mark.parametrize(("host", "options", "expected"), [
    # node 20: a literal comes back as is, with its own family, whatever was asked.
    ("127.0.0.1", 6, ("127.0.0.1", 4)),
    ("::1", 4, ("::1", 6)),
    ("127.0.0.1", {"family": "IPv6"}, ("127.0.0.1", 4)),
    ("127.0.0.1", {"family": 6, "all": True}, [{"address": "127.0.0.1", "family": 4}]),
    ("", 4, (None, 4)),
    ("", {"all": True}, []),
])
def test_ip_literals_are_returned_for_any_family(host: str, options: Any, expected: Any
                                                 ) -> None:
    got: list[Any] = []

    def main() -> None:
        dns.lookup(host, options, lambda err, *rest: got.append(
            (err, rest[0] if len(rest) == 1 else rest)))

    run_bounded(main)
    assert got == [(None, expected)]


def test_literal_callback_comes_from_a_next_tick() -> None:
    order: list[str] = []

    def main() -> None:
        import jsloop

        dns.lookup("127.0.0.1", lambda err, a, f: order.append("lookup"))
        jsloop.Promise.resolve().then(lambda _v: order.append("promise"))
        jsloop.nextTick(lambda: order.append("tick"))
        order.append("sync")

    run_bounded(main)
    assert order == ["sync", "lookup", "tick", "promise"]


@pytest.mark.parametrize(("args", "code", "message"), [
    ((5, 0), "ERR_INVALID_ARG_TYPE", None),
    (("x", 5), "ERR_INVALID_ARG_VALUE",
     "The argument 'family' must be one of: 0, 4, 6. Received 5"),
    (("x", {"family": 5}), "ERR_INVALID_ARG_VALUE",
     "The property 'options.family' must be one of: 0, 4, 6. Received 5"),
    (("x", {"hints": "a"}), "ERR_INVALID_ARG_TYPE", None),
    (("x", {"all": 1}), "ERR_INVALID_ARG_TYPE", None),
])
def test_bad_options_throw_like_node(args: tuple[Any, Any], code: str, message: str | None
                                     ) -> None:
    def main() -> None:
        with pytest.raises(TypeError) as info:
            dns.lookup(*args, lambda *a: None)
        assert info.value.code == code  # type: ignore[attr-defined]
        if message is not None:
            assert str(info.value) == message

    run_bounded(main)


def test_a_queued_lookup_can_be_cancelled_and_the_loop_exits() -> None:
    import threading

    from jsloop._runtime import get_loop
    from jsloop._threadpool import ThreadPool

    release = threading.Event()
    seen: list[Any] = []

    def main() -> None:
        loop = get_loop()
        pool = loop._threadpool = ThreadPool(loop, 2)  # one slow slot
        pool.submit(release.wait, 10, slow=True)  # a hung resolver holds it
        req = dns.lookup_request("localhost", done=lambda r, e: seen.append((r, e.code)))
        assert req.cancel() is True
        release.set()

    run_bounded(main)
    assert seen == [(None, "ECANCELED")]


def test_promises_namespace() -> None:
    async def main() -> Any:
        return await dns.promises.lookup("127.0.0.1", {"all": True})

    assert run_bounded(main) == [{"address": "127.0.0.1", "family": 4}]
