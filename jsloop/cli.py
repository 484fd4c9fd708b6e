"""The script runner: ``jsloop SCRIPT.py [ARGS]`` as ``node script.js`` runs a file.

The module's top level is the first macrotask; the loop then runs until
nothing keeps it alive. Exit code: ``process.exitCode`` (0 by default) on a
clean drain, 1 on an uncaught exception or unhandled rejection (traceback on
stderr), the code given to ``process.exit(code)``; Ctrl-C with no 'SIGINT'
listener ends it as it ends node: killed by SIGINT at once (shell status 130,
no traceback, no 'exit'), even with pool jobs running; a second Ctrl-C while
it closes does the same.

Imports: anything.
"""

from __future__ import annotations

import argparse
import os
import runpy
import signal
import sys
import traceback
from typing import Any

from .errors import UnhandledPromiseRejection
from .process import MODES, Fatal, ProcessExit, process


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jsloop",
        description="Run a Python script on the jsloop event loop, as node runs a .js file.",
    )
    p.add_argument(
        "--unhandled-rejections",
        choices=MODES,
        default=None,
        help="what an unhandled rejection does (Node's modes; default: throw)",
    )
    from .diagnostics import add_cli_arguments  # --watchdog/--trace/... (diagnostics.py)

    add_cli_arguments(p)
    p.add_argument("script", help="the Python script to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    return p


def print_uncaught(exc: BaseException) -> None:
    if isinstance(exc, UnhandledPromiseRejection):
        sys.stderr.write(f"UnhandledPromiseRejection: {exc}\n")
        return
    traceback.print_exception(exc, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ns = _parser().parse_args(argv)
    script = os.path.abspath(ns.script)
    if not os.path.exists(script):
        sys.stderr.write(f"jsloop: cannot find script {ns.script!r}\n")
        return 1
    sys.argv = [script, *ns.args]
    sys.path.insert(0, os.path.dirname(script))
    process.argv = [sys.executable, script, *ns.args]

    def top() -> Any:
        runpy.run_path(script, run_name="__main__")

    from . import _loop
    from .diagnostics import cli_start

    # Diagnostics flags: None when all are off; ``_loop.run_program`` is looked up
    # at call time so an instrumented run gets its "script" slice.
    finish = cli_start(ns)
    try:
        outcome = _loop.run_program(top, (), unhandled_rejections=ns.unhandled_rejections)
    except Fatal as fatal:
        sys.stdout.flush()
        print_uncaught(fatal.exc)
        return fatal.code
    except ProcessExit as pexit:
        sys.stdout.flush()
        return pexit.code
    except KeyboardInterrupt:
        interrupted = True
    else:
        interrupted = False
    finally:
        if finish is not None:
            finish()
    if interrupted:
        return die_of_sigint()
    sys.stdout.flush()
    return outcome.exit_code


def die_of_sigint() -> int:
    """Ctrl-C with no 'SIGINT' listener: end as node does, killed by SIGINT
    (no traceback; a shell shows status 130). Returns 130 where that cannot be."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if hasattr(signal, "SIGINT") and hasattr(os, "kill"):
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return 130  # pragma: no cover - only where a process cannot signal itself


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
