"""Run JavaScript programs under ``node``, many per process, each in its own Worker."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess

from .progs import JS_PRELUDE

RUNNER = pathlib.Path(__file__).with_name("node_batch.js")


def node_path() -> str | None:
    return shutil.which("node")


def default_concurrency() -> int:
    # More Workers than cores makes timers late enough to reorder (measured: 4 Workers on
    # 2 cores gave ~1 flip per 150 programs; 2 Workers none in 1,300).
    return max(1, min(2, (os.cpu_count() or 1)))


def run_node_batch(
    programs: list[str], *, concurrency: int | None = None, timeout_s: float = 60.0
) -> list[dict[str, object]]:
    """Run each JS program body after ``JS_PRELUDE``; return [{"out": [...], "error": ...}]."""
    if not programs:
        return []
    node = node_path()
    assert node is not None, "node is not on PATH"
    job = {
        "prelude": JS_PRELUDE,
        "programs": programs,
        "concurrency": concurrency or default_concurrency(),
        "timeout_ms": 10_000,
    }
    proc = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"node batch runner failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)
