"""Diagnostics, tested for what the user sees: watchdog reports, handle listings,
trace files, async tracebacks, the starvation warning, and that "off" means untouched.

Subprocess tests run the real CLI (``python -m jsloop ...``) with a timeout; the
only busy-waits are the blocking callbacks the watchdog is meant to catch.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jsloop
from jsloop import _diag, _loop, diagnostics, promise, timers

PY = sys.executable
ENV = {k: v for k, v in os.environ.items() if not k.startswith("JSLOOP_")}


def run_cli(tmp_path: Path, source: str, *flags: str, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run(
        [PY, "-m", "jsloop", *flags, str(script)],
        capture_output=True, text=True, timeout=timeout, env={**ENV, **(env or {})},
        cwd=tmp_path,
    )


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def diag_off() -> Iterator[None]:
    """Whatever a test enables is switched off afterwards."""
    try:
        yield
    finally:
        diagnostics.disable()


BLOCKING = """
    import time
    from jsloop import setTimeout, setImmediate

    def crunch():
        deadline = time.monotonic() + 0.6
        while time.monotonic() < deadline:  # BUSY
            pass

    def handler():
        crunch()
        print("handler done", flush=True)

    def arm():
        setTimeout(handler, 5)  # ARM

    setImmediate(arm)
"""


def test_watchdog_prints_blocking_frame_while_blocked(tmp_path: Path) -> None:
    r = run_cli(tmp_path, BLOCKING, "--watchdog=100")
    assert r.returncode == 0, r.stderr
    err = r.stderr
    script = tmp_path / "script.py"
    assert "jsloop watchdog: the loop has been blocked for" in err
    assert "timer callback `handler`" in err
    # where it was scheduled, and what scheduled that
    assert f"scheduled at {script}:{line_of(script, '# ARM')} in arm" in err
    assert "immediate `arm` scheduled at" in err
    # the loop thread's stack, down to the busy line
    assert f'File "{script}", line {line_of(script, "# BUSY")}, in crunch' in err
    assert "while time.monotonic() < deadline:" in err
    # reported while still blocked: before the callback returned
    assert err.index("has been blocked for") < err.index("finally returned after")
    assert "timer callback `handler` (5 ms) finally returned after" in err
    ms = float(err.split("finally returned after ")[1].split(" ms")[0])
    assert ms >= 550


def test_watchdog_from_environment_variable(tmp_path: Path) -> None:
    r = run_cli(tmp_path, BLOCKING, env={"JSLOOP_WATCHDOG": "100"})
    assert r.returncode == 0, r.stderr
    assert "has been blocked for" in r.stderr and "in crunch" in r.stderr


def test_watchdog_quiet_below_threshold(tmp_path: Path) -> None:
    r = run_cli(tmp_path, "from jsloop import setTimeout\nsetTimeout(lambda: None, 1)\n",
                "--watchdog=200")
    assert r.returncode == 0, r.stderr
    assert "watchdog" not in r.stderr


def test_active_handles_names_leaked_timer_with_creation_line(diag_off: None) -> None:
    diagnostics.enable(debug=True)
    seen: list[Any] = []

    def leak() -> None:
        pass

    def main() -> None:
        t = jsloop.setInterval(leak, 1000)  # LEAK
        jsloop.setTimeout(lambda: None, 50).unref()
        seen.append(diagnostics.activeHandles())
        seen.append(diagnostics.format_active_handles())
        jsloop.clearInterval(t)

    jsloop.run(main)
    handles, text = seen
    assert [h.kind for h in handles] == ["Interval"]
    h = handles[0]
    me = Path(__file__)
    leak_line = line_of(me, "# LEAK")
    assert h.created_at[0][:2] == (str(me), leak_line)
    assert "Interval: 1000 ms, callback" in text and "leak" in text
    assert f'File "{me}", line {leak_line}, in main' in text
    assert "jsloop.setInterval(leak, 1000)  # LEAK" in text


def test_active_handles_without_debug_names_callback_definition() -> None:
    seen: list[str] = []

    def forgotten() -> None:
        pass

    def main() -> None:
        imm = jsloop.setImmediate(forgotten)
        seen.append(diagnostics.format_active_handles())
        jsloop.clearImmediate(imm)

    jsloop.run(main)
    text = seen[0]
    me = Path(__file__)
    assert "Immediate: callback" in text and "forgotten" in text
    assert f"callback defined at {me}:{line_of(me, 'def forgotten')}" in text
    assert "jsloop/_diag.py" not in text


def test_why_running_on_sigusr1(tmp_path: Path) -> None:
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        from jsloop import setInterval

        def poll_forever():
            pass

        setInterval(poll_forever, 60_000)  # LEAKED
        print("ready", flush=True)
    """))
    proc = subprocess.Popen([PY, "-m", "jsloop", "--why-running", str(script)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ENV, cwd=tmp_path)
    guard = threading.Timer(30, proc.kill)  # bound the test even if the script hangs
    guard.start()
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGUSR1)
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if "setInterval(poll_forever" in line:
                break
        text = "".join(lines)
    finally:
        proc.kill()
        proc.communicate(timeout=10)  # reaps it and closes the pipes
        guard.cancel()
    assert "Interval: 60000 ms, callback poll_forever" in text
    assert f'File "{script}", line {line_of(script, "# LEAKED")}, in <module>' in text


TRACED = """
    from jsloop import Promise, nextTick, setImmediate, setTimeout

    def on_then(v):
        pass

    def main_tick():
        pass

    def after_imm(v):
        pass

    def imm():
        Promise.resolve().then(after_imm)

    def tick2():
        pass

    def t1():
        nextTick(tick2)

    setTimeout(t1, 5)  # SET-T1
    setImmediate(imm)
    nextTick(main_tick)
    Promise.resolve(1).then(on_then)
"""


def test_trace_file_has_slices_in_order_with_flows(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    r = run_cli(tmp_path, TRACED, f"--trace={out}")
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    events = doc["traceEvents"]
    slices = sorted((e for e in events if e["ph"] == "X" and e["cat"] != "phase"),
                    key=lambda e: e["ts"])
    names = [e["name"] for e in slices]
    assert names[:7] == [
        "script script.py",
        "nextTick main_tick",
        "promise on_then",
        "setImmediate imm",
        "promise after_imm",
        "setTimeout t1",
        "nextTick tick2",
    ]
    by_name = {e["name"]: e for e in slices}
    assert by_name["setImmediate imm"]["args"]["phase"] == "check"
    assert by_name["setTimeout t1"]["args"]["phase"] == "timers"
    assert by_name["nextTick tick2"]["args"]["phase"] == "timers"
    script = tmp_path / "script.py"
    assert by_name["setTimeout t1"]["args"]["scheduled at"] == (
        f"{script}:{line_of(script, '# SET-T1')} in <module>")
    # tracks are named; every callback slice is on its queue's track
    tracks = {e["tid"]: e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    assert tracks[by_name["setTimeout t1"]["tid"]] == "timers"
    assert tracks[by_name["promise after_imm"]["tid"]] == "microtask"
    # flow arrows: from inside the scheduling slice to the start of the slice that ran
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    finishes = {e["id"]: e for e in events if e["ph"] == "f"}
    assert starts.keys() == finishes.keys() and len(starts) >= 6
    t1 = by_name["setTimeout t1"]
    fin = next(f for f in finishes.values() if f["ts"] == t1["ts"] and f["tid"] == t1["tid"])
    src = starts[fin["id"]]
    script_slice = by_name["script script.py"]
    assert src["tid"] == script_slice["tid"]
    assert script_slice["ts"] <= src["ts"] <= script_slice["ts"] + script_slice["dur"]
    # phases are on the loop track, in turn order
    phases = [e["name"] for e in sorted((e for e in events if e.get("cat") == "phase"),
                                        key=lambda e: e["ts"]) if e["name"] != "idle"]
    assert phases.index("check") < len(phases) - 1 - phases[::-1].index("timers")


def test_trace_api_in_process(tmp_path: Path, diag_off: None) -> None:
    out = tmp_path / "api.json"
    diagnostics.enable(trace=str(out))

    def main() -> None:
        jsloop.queueMicrotask(lambda: None)
        jsloop.setImmediate(lambda: None)

    jsloop.run(main)
    names = [e["name"] for e in json.loads(out.read_text())["traceEvents"]
             if e["ph"] == "X" and e["cat"] != "phase"]
    assert names[0].startswith("script")
    assert names[1].startswith("queueMicrotask <lambda>")
    assert names[2].startswith("setImmediate <lambda>")


def test_async_traceback_for_uncaught_error(tmp_path: Path) -> None:
    r = run_cli(tmp_path, """
        from jsloop import setImmediate, setTimeout

        def explode():
            raise ValueError("boom")

        def arm():
            setTimeout(explode, 2)  # ARM

        setImmediate(arm)  # START
    """, "--debug")
    assert r.returncode == 1
    err = r.stderr
    script = tmp_path / "script.py"
    assert "ValueError: boom" in err
    tail = err.split("ValueError: boom", 1)[1]
    assert "jsloop async trace" in tail
    assert f"timer callback `explode` scheduled at {script}:{line_of(script, '# ARM')}" in tail
    assert f"immediate `arm` scheduled at {script}:{line_of(script, '# START')}" in tail
    assert tail.index("`explode`") < tail.index("`arm`")


def test_async_traceback_for_rejection_through_awaits(tmp_path: Path) -> None:
    r = run_cli(tmp_path, """
        from jsloop import asyncfn, setImmediate, sleep

        @asyncfn
        async def inner():
            await sleep(3)  # AWAIT
            raise KeyError("missing")

        @asyncfn
        async def outer():
            await inner()

        setImmediate(outer)
    """, "--debug")
    assert r.returncode == 1
    script = tmp_path / "script.py"
    assert "KeyError: 'missing'" in r.stderr
    assert f"awaiting at {script}:{line_of(script, '# AWAIT')} in inner" in r.stderr
    assert "immediate `outer` scheduled at" in r.stderr


def test_no_async_trace_without_debug(tmp_path: Path) -> None:
    r = run_cli(tmp_path, "from jsloop import setTimeout\n"
                          "def f():\n    raise ValueError('x')\nsetTimeout(f, 1)\n")
    assert r.returncode == 1 and "ValueError: x" in r.stderr
    assert "jsloop async trace" not in r.stderr


def test_async_trace_depth_is_bounded(diag_off: None) -> None:
    diagnostics.enable(debug=True)
    caught: list[BaseException] = []

    def hop(n: int) -> None:
        if n == 0:
            raise RuntimeError("deep")
        jsloop.setImmediate(hop, n - 1)

    def main() -> None:
        jsloop.process.on("uncaughtException", lambda exc, origin: caught.append(exc))
        hop(40)

    jsloop.run(main)
    note = "\n".join(caught[0].__notes__)
    assert note.count("immediate `hop`") == _diag.CHAIN_DEPTH
    assert "older links dropped" in note


def test_starvation_guard_warns(capsys: pytest.CaptureFixture[str], diag_off: None) -> None:
    import time

    diagnostics.enable(starvation=20)

    def storm(n: int) -> None:
        end = time.monotonic() + 0.002
        while time.monotonic() < end:
            pass
        if n:
            jsloop.nextTick(storm, n - 1)

    jsloop.run(lambda: jsloop.setImmediate(lambda: jsloop.nextTick(storm, 30)))
    err = capsys.readouterr().err
    assert err.count("StarvationWarning") == 1
    assert "kept the loop from reaching the poll phase" in err


def test_disable_restores_originals() -> None:
    originals = (_loop.Loop, timers.insert, _loop.process_immediates, promise.reject_promise,
                 _loop.run_program)
    diagnostics.enable(debug=True, starvation=1000)
    assert _loop.Loop is _diag.DiagLoop
    diagnostics.disable()
    assert (_loop.Loop, timers.insert, _loop.process_immediates, promise.reject_promise,
            _loop.run_program) == originals


def test_off_means_not_even_imported(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import sys, jsloop
        jsloop.run(lambda: jsloop.setTimeout(lambda: None, 1))
        assert "jsloop._diag" not in sys.modules, "diagnostics loaded while off"
        assert jsloop.timers.insert.__module__ == "jsloop.timers"
        assert jsloop._loop.Loop.__module__ == "jsloop._loop"
        print("clean")
    """)
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=60, env=ENV)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "clean"
