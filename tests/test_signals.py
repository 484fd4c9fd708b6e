"""Signals: process.on('SIG...') listeners run in the loop (poll phase), a handled
signal does not kill the process, listeners do not keep the loop alive (Node
unrefs signal handles), and handlers are restored afterwards."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import pytest
from _io_helpers import no_leaks, run_bounded  # noqa: F401

import jsloop
from jsloop import process
from jsloop._threadpool import runInThreadPool

pytestmark = pytest.mark.usefixtures("no_leaks")


def test_signal_listener_runs_in_the_loop_and_orders_like_node() -> None:
    # node 20: sent, main tick, got [SIGUSR2, 12], tick, main imm, imm
    log: list[Any] = []
    before = signal.getsignal(signal.SIGUSR2)

    def main() -> None:
        keep = jsloop.setTimeout(lambda: None, 5000)

        def on_signal(name: str, number: int) -> None:
            log.append(("got", name, number, threading.current_thread() is
                        threading.main_thread()))
            jsloop.nextTick(lambda: log.append("tick"))
            jsloop.setImmediate(lambda: log.append("imm"))
            jsloop.clearTimeout(keep)
            process.off("SIGUSR2", on_signal)

        process.on("SIGUSR2", on_signal)
        os.kill(os.getpid(), signal.SIGUSR2)
        log.append("sent")
        jsloop.nextTick(lambda: log.append("main tick"))
        jsloop.setImmediate(lambda: log.append("main imm"))

    run_bounded(main)
    assert log == ["sent", "main tick", ("got", "SIGUSR2", int(signal.SIGUSR2), True), "tick",
                   "main imm", "imm"]
    assert signal.getsignal(signal.SIGUSR2) == before


def test_signal_from_another_thread_wakes_a_blocked_poll() -> None:
    got: list[str] = []

    def main() -> None:
        keep = jsloop.setTimeout(lambda: None, 8000)

        def on_signal(name: str) -> None:
            got.append(name)
            jsloop.clearTimeout(keep)
            process.removeAllListeners("SIGUSR1")

        process.on("SIGUSR1", on_signal)
        # Sent from a pool worker while the loop sleeps in epoll_wait.
        runInThreadPool(os.kill, os.getpid(), signal.SIGUSR1)

    run_bounded(main, timeout=10)
    assert got == ["SIGUSR1"]


def test_handled_sigint_does_not_kill_or_raise() -> None:
    got: list[str] = []

    def main() -> None:
        process.once("SIGINT", lambda name: got.append(name))
        keep = jsloop.setTimeout(lambda: None, 5000)
        process.once("SIGINT", lambda *_: jsloop.clearTimeout(keep))
        os.kill(os.getpid(), signal.SIGINT)

    run_bounded(main)
    assert got == ["SIGINT"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_signal_listener_alone_does_not_keep_the_loop_alive() -> None:
    # node: `process.on('SIGINT', f)` alone exits at once.
    def main() -> str:
        process.on("SIGTERM", lambda *_: None)
        return "done"

    assert run_bounded(main, timeout=5) == "done"
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
