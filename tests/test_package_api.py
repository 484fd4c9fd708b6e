"""The names of the public contract are reachable as written in it, from ``import jsloop``."""

from __future__ import annotations

import subprocess
import sys

import jsloop

CONTRACT = [
    "run", "process", "AggregateError", "setTimeout", "setInterval", "setImmediate",
    "clearTimeout", "clearInterval", "clearImmediate", "queueMicrotask", "nextTick", "sleep",
    "Promise", "asyncfn", "net", "fs", "dns", "new_event_loop", "EventLoopPolicy", "install",
    "stream", "http", "child_process", "AbortController", "AbortSignal", "EventTarget",
    "events", "timers_promises", "testing",
]


def test_contract_names_are_attributes_of_jsloop():
    missing = [n for n in CONTRACT if not hasattr(jsloop, n)]
    assert missing == []


def test_testing_is_reachable_without_importing_it_first_and_without_hypothesis():
    code = (
        "import sys, jsloop\n"
        "assert 'hypothesis' not in sys.modules\n"
        "assert callable(jsloop.testing.schedules)\n"
        "assert 'hypothesis' not in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def test_socket_is_a_duplex():
    from jsloop import net, stream

    assert issubclass(net.Socket, stream.Duplex)
