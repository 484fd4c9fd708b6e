"""The blocked-loop watchdog: a thread that reports a callback holding the loop too long.

Owns: the watcher thread. Every ``threshold/4`` ms (between 1 and 50 ms) it
looks at each instrumented loop's running ``Task`` (``LoopDiag.current`` and
``started_ns``, written by the loop thread on each callback). When one task
has run longer than the threshold it prints, *while the callback is still
running*: which callback, where it was scheduled (and what scheduled that),
and the loop thread's current stack from ``sys._current_frames()``. When the
callback finally returns, the loop thread prints how long it took
(``_diag.Task.__call__``).

The reads are racy by design (no lock on the hot path): ``current`` is read
again after ``started_ns`` and the sample is dropped if it changed. A
callback that holds the GIL inside one C call cannot be sampled until the
call returns; the final "returned after" line is printed regardless.

Imports: _diag (and stdlib).
"""

from __future__ import annotations

import linecache
import sys
import threading
import time
from types import FrameType

from . import _diag

_lock = threading.Lock()
_thread: list[Watchdog] = []


class Watchdog(threading.Thread):
    def __init__(self, threshold_ms: float) -> None:
        super().__init__(name="jsloop-watchdog", daemon=True)
        self.threshold_ns = int(threshold_ms * 1e6)
        self.interval = min(max(threshold_ms / 4.0, 1.0), 50.0) / 1000.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        now = time.perf_counter_ns()
        with _diag._live_lock:
            loops = list(_diag.live_loops)
        for ld in loops:
            task = ld.current
            start = ld.started_ns
            if task is None or ld.current is not task or start == 0:
                continue
            if now - start < self.threshold_ns:
                continue
            if ld.reported is task and ld.reported_start == start:
                continue
            frame = sys._current_frames().get(ld.thread_id)
            ld.reported_start = start
            ld.reported = task
            report_blocked(task, (now - start) / 1e6, frame)


def format_loop_stack(frame: FrameType | None) -> str:
    """The loop thread's stack, most recent call last, from the running callback down."""
    frames: list[FrameType] = []
    f = frame
    while f is not None:
        if f.f_code is _diag._TASK_CALL_CODE:
            break
        frames.append(f)
        f = f.f_back
    lines = []
    for fr in reversed(frames):
        code = fr.f_code
        lines.append(f'    File "{code.co_filename}", line {fr.f_lineno}, in {code.co_name}')
        src = linecache.getline(code.co_filename, fr.f_lineno).strip()
        if src:
            lines.append(f"      {src}")
    return "\n".join(lines) if lines else "    (no Python frames)"


def report_blocked(task: _diag.Task, ms: float, frame: FrameType | None) -> None:
    msg = (
        f"jsloop watchdog: the loop has been blocked for {ms:.0f} ms by {task.describe()}\n"
        f" scheduled from (most recent first):\n{_diag.format_chain(task)}\n"
        f" loop thread stack now (most recent call last):\n{format_loop_stack(frame)}\n"
    )
    sys.stderr.write(msg)
    sys.stderr.flush()


def start(threshold_ms: float) -> None:
    """Start (or retune) the process's watchdog thread."""
    with _lock:
        if _thread:
            _thread[0].threshold_ns = int(threshold_ms * 1e6)
            _thread[0].interval = min(max(threshold_ms / 4.0, 1.0), 50.0) / 1000.0
            return
        w = Watchdog(threshold_ms)
        _thread.append(w)
        w.start()


def stop() -> None:
    with _lock:
        if _thread:
            w = _thread.pop()
            w.stopped.set()
            w.join(timeout=1.0)
