"""The runner: `jsloop script.py` / `python -m jsloop` exit codes and output."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_script(tmp_path: Path, body: str, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    return subprocess.run(
        [sys.executable, "-m", "jsloop", *args, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_hello_example_prints_nodes_order():
    out = subprocess.run(
        [sys.executable, "-m", "jsloop", str(ROOT / "examples" / "hello.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "sync 1",
        "async fn: start (runs synchronously)",
        "sync 2",
        "nextTick (before promise jobs)",
        "promise job",
        "queueMicrotask",
        "timeout",
        "nextTick set in a timeout",
        "immediate set in a timeout (check phase comes first)",
        "timeout set in a timeout",
        "async fn: resumed after sleep(5)",
    ]


def test_clean_drain_exits_0(tmp_path):
    r = run_script(
        tmp_path,
        """
        from jsloop import setTimeout
        setTimeout(lambda: print("done"), 1)
        """,
    )
    assert (r.returncode, r.stdout) == (0, "done\n")


def test_uncaught_exception_exits_1_with_traceback(tmp_path):
    r = run_script(
        tmp_path,
        """
        from jsloop import setTimeout
        def boom():
            raise ValueError("kaboom")
        setTimeout(boom, 1)
        """,
    )
    assert r.returncode == 1
    assert "ValueError: kaboom" in r.stderr
    assert "Traceback" in r.stderr


def test_unhandled_rejection_exits_1(tmp_path):
    r = run_script(
        tmp_path,
        """
        from jsloop import Promise
        Promise.reject("plain string")
        """,
    )
    assert r.returncode == 1
    assert "UnhandledPromiseRejection" in r.stderr
    assert "plain string" in r.stderr


def test_unhandled_rejections_flag(tmp_path):
    r = run_script(
        tmp_path,
        """
        from jsloop import Promise
        Promise.reject("x")
        """,
        "--unhandled-rejections=warn",
    )
    assert r.returncode == 0
    assert "UnhandledPromiseRejectionWarning" in r.stderr


def test_exit_code_and_process_exit(tmp_path):
    r = run_script(
        tmp_path,
        """
        from jsloop import process
        process.exitCode = 4
        """,
    )
    assert r.returncode == 4
    r = run_script(
        tmp_path,
        """
        from jsloop import process, setTimeout
        process.on("exit", lambda c: print("exit", c))
        setTimeout(lambda: process.exit(9), 1)
        """,
    )
    assert (r.returncode, r.stdout) == (9, "exit 9\n")


def test_script_arguments_and_argv(tmp_path):
    r = run_script(
        tmp_path,
        """
        import sys
        from jsloop import process
        print(sys.argv[1:], process.argv[2:])
        """,
    )
    assert r.returncode == 0
    script = tmp_path / "script.py"
    r = subprocess.run(
        [sys.executable, "-m", "jsloop", str(script), "a", "--b"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.stdout.strip() == "['a', '--b'] ['a', '--b']"


def test_missing_script_is_a_clear_error(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "jsloop", str(tmp_path / "nope.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert "cannot find script" in r.stderr


@pytest.mark.parametrize("entry", [["jsloop"]])
def test_console_script_is_installed(entry, tmp_path):
    import shutil

    exe = shutil.which(entry[0])
    if exe is None:
        pytest.skip("console script not on PATH (package not installed)")
    script = tmp_path / "s.py"
    script.write_text("print('hi')\n")
    r = subprocess.run([exe, str(script)], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout) == (0, "hi\n")
