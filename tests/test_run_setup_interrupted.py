"""``jsloop.run`` interrupted while it sets up (a signal handler raising — a test
runner's timeout, Ctrl-C) must not leave the thread with a loop installed: every
later ``run`` in that thread would be refused ("cannot be called while a jsloop
loop runs in this thread"). Found when pytest-timeout fired inside a run."""

from __future__ import annotations

import gc
import random
import signal

import pytest

import jsloop
from jsloop import _loop
from jsloop._runtime import state


class Interrupt(BaseException):
    pass


def test_exception_during_setup_uninstalls_the_loop(monkeypatch):
    def boom(loop: object) -> None:
        raise Interrupt

    monkeypatch.setattr(_loop, "begin_run", boom)
    with pytest.raises(Interrupt):
        jsloop.run(lambda: None)
    assert state.loop is None
    monkeypatch.undo()
    assert jsloop.run(lambda: 42) == 42


# An interrupt may land anywhere, also inside the loop's own close (an fd left to
# the garbage collector) or a lazy import: only the installed loop is checked here.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_signal_at_any_point_of_a_run_leaves_no_loop_behind():
    def handler(signum, frame):
        raise Interrupt

    def main():
        n = [0]

        def tick():
            n[0] += 1
            if n[0] < 500:
                jsloop.setImmediate(tick)

        jsloop.setTimeout(tick, 0)

    jsloop.run(main)  # warm up: lazy imports done before any interrupt
    old = signal.signal(signal.SIGALRM, handler)
    rng = random.Random(1234)
    try:
        for _ in range(150):
            try:
                signal.setitimer(signal.ITIMER_REAL, rng.uniform(0.00005, 0.005))
                try:
                    jsloop.run(main)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except Interrupt:
                pass
            assert state.loop is None
    finally:
        signal.signal(signal.SIGALRM, old)
        # Half-closed leftovers (an asyncio face whose close was interrupted) warn
        # when collected: collect them here, under this test's warning filters.
        gc.collect()
    assert jsloop.run(lambda: "still works") == "still works"
