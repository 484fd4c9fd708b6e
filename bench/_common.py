"""Helpers shared by the benchmark scripts: paths, machine facts, bounded subprocesses, tables.

Everything here is stdlib-only so the suite runs on a bare Python 3.11. Benchmarks are scripts,
never tests: nothing here is imported by the test suite.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
BUILD_DIR = BENCH_DIR / "_build"
RESULTS_DIR = BENCH_DIR / "results"
DOCS_DIR = REPO / "docs"


def python_env() -> dict[str, str]:
    """The environment for child Pythons: the repo first on sys.path, no .pyc writes."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def have_module(name: str) -> bool:
    """True when `import name` works in a child; "mod:attr" also needs the attribute."""
    mod, _, attr = name.partition(":")
    code = f"import {mod}" + (f"; {mod}.{attr}" if attr else "")
    try:
        r = subprocess.run(
            [sys.executable, "-c", code],
            env=python_env(),
            capture_output=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        return False
    return r.returncode == 0


def node_path() -> str | None:
    return shutil.which("node")


def cmd_output(cmd: Sequence[str]) -> str:
    try:
        r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return r.stdout.strip()


def machine_info() -> dict[str, Any]:
    """Facts printed with every result so a reader knows what produced the numbers."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    versions: dict[str, str] = {"python": platform.python_version()}
    node = node_path()
    if node:
        versions["node"] = cmd_output([node, "--version"])
    for mod in ("uvloop", "promise"):
        v = cmd_output(
            [sys.executable, "-c", f"import importlib.metadata as m; print(m.version('{mod}'))"]
        )
        if v:
            versions[mod] = v
    gcc = shutil.which("gcc")
    if gcc:
        versions["gcc"] = cmd_output([gcc, "-dumpversion"])
    return {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        "cpu": cpu,
        "cores": os.cpu_count() or 0,
        "mem_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "versions": versions,
    }


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def kill_tree(proc: subprocess.Popen[Any], grace: float = 3.0) -> None:
    """SIGTERM the process group the child leads, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A GitHub Markdown table; `align` holds one 'l' or 'r' per column (default: first l)."""
    if not align:
        align = "l" + "r" * (len(headers) - 1)
    seps = ["---" if a == "l" else "---:" for a in align]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(seps) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def fmt(x: float | None, digits: int = 2) -> str:
    if x is None or x != x:
        return "—"
    return f"{x:,.{digits}f}"


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
