"""Profile jsloop's hot paths: a loop micro-benchmark, or examples/echo.py under echo load.

Uses py-spy (sampling, `pip install py-spy`) when it is on PATH, else cProfile for the micro
paths. Prints the top functions and lines by self time, and by inclusive time.

Usage:
    python bench/hotspots.py micro timers|immediate|chain|fs|ticks [--n N] [--gc-off] [--impl S]
    python bench/hotspots.py echo [--config c50x64] [--duration 5] [--script PATH]
"""

from __future__ import annotations

import argparse
import collections
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import echo_bench
import loop_micro
from _common import REPO, kill_tree, python_env

FRAME = re.compile(r"(.*) \((.*):(\d+)\)")


def summarize_raw(path: Path, top: int, within: str = "") -> str:
    """Self and inclusive shares from py-spy's raw (collapsed stack) output.

    With `within`, only stacks holding a frame that contains it count (e.g. the loop's run).
    """
    self_fn: collections.Counter[str] = collections.Counter()
    self_line: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or within not in stack:
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        m = FRAME.match(frames[-1])
        self_fn[f"{m.group(1)} ({m.group(2)})" if m else frames[-1]] += n
        self_line[frames[-1]] += n
        seen = set()
        for f in frames:
            m = FRAME.match(f)
            key = f"{m.group(1)} ({m.group(2)})" if m else f
            if key not in seen:
                seen.add(key)
                incl[key] += n
    if not total:
        return "no samples"
    out = [f"samples: {total}", "", "self time by function:"]
    out += [f"  {c / total:6.1%}  {k}" for k, c in self_fn.most_common(top)]
    out += ["", "self time by line:"]
    out += [f"  {c / total:6.1%}  {k}" for k, c in self_line.most_common(top)]
    out += ["", "inclusive:"]
    out += [f"  {c / total:6.1%}  {k}" for k, c in incl.most_common(top)]
    return "\n".join(out)


def micro(name: str, n: int, gc_off: bool, top: int, which: str) -> None:
    bench = next(b for b in loop_micro.benches() if b.key == name)
    impl = next(i for i in bench.impls if i.name.startswith("jsloop") and which in i.name)
    code = impl.code.replace("__N__", str(n or bench.quick))
    if gc_off:
        code = "import gc\ngc.disable()\n" + code
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "micro.py"
        script.write_text(code)
        spy = shutil.which("py-spy")
        if spy:
            raw = Path(tmp) / "raw.txt"
            cmd = [spy, "record", "-r", "2000", "-f", "raw", "-o", str(raw), "--"]
            subprocess.run(
                [*cmd, sys.executable, str(script)], env=python_env(), timeout=300, check=True
            )
            print(summarize_raw(raw, top, within="run (jsloop/_loop.py:"))
        else:
            prof = [sys.executable, "-m", "cProfile", "-s", "tottime", str(script)]
            r = subprocess.run(prof, env=python_env(), timeout=300, capture_output=True, text=True)
            print("\n".join(r.stdout.splitlines()[: top + 12]))


def echo(config: str, duration: float, top: int, script: str) -> None:
    spy = shutil.which("py-spy")
    if not spy:
        sys.exit("py-spy is needed for the echo profile: pip install py-spy")
    cfg = next(c for c in echo_bench.configs(False) if c.key == config)
    srv = next(s for s in echo_bench.servers() if s.name == "jsloop")
    if script:
        srv.cmd = [sys.executable, script, "--host", "127.0.0.1", "--port", "0"]
    elif not srv.available:
        sys.exit(srv.why_not)
    gen = echo_bench.build_loadgen()
    env = python_env()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.txt"
        with echo_bench.started(srv.cmd, echo_bench.SERVER_CORE, env, stdout=subprocess.PIPE) as sp:
            port = 0
            lines = echo_bench.line_reader(sp.stdout)
            deadline = time.monotonic() + 30
            while not port and time.monotonic() < deadline:
                try:
                    line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if line is None:
                    break
                m = echo_bench.LISTEN_RE.search(line)
                if m:
                    port = int(m.group(2))
            if not port:
                sys.exit("server did not start")
            rec = subprocess.Popen(
                [spy, "record", "-p", str(sp.pid), "-r", "1000", "-f", "raw", "-o", str(raw)],
                preexec_fn=echo_bench.pinned(echo_bench.GEN_CORE),
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                time.sleep(0.5)
                args = [
                    *gen,
                    *("-p", str(port), "-c", str(cfg.conns), "-a", str(cfg.active)),
                    *("-s", str(cfg.size), "-w", "0.2", "-d", str(duration), "-T", "60"),
                ]
                r = subprocess.run(
                    args,
                    preexec_fn=echo_bench.pinned(echo_bench.GEN_CORE),
                    capture_output=True,
                    text=True,
                    timeout=duration + 90,
                )
                print(r.stdout.strip().splitlines()[-1])
            finally:
                rec.send_signal(2)  # py-spy writes its output on SIGINT
                try:
                    rec.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    kill_tree(rec)
        print(summarize_raw(raw, top) if raw.exists() else "py-spy wrote nothing")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    m = sub.add_parser("micro")
    m.add_argument("name", choices=["timers", "immediate", "chain", "fs", "ticks"])
    m.add_argument("--n", type=int, default=0)
    m.add_argument("--gc-off", action="store_true", help="gc.disable() first, to see GC's share")
    m.add_argument("--top", type=int, default=15)
    m.add_argument("--impl", default="", help="substring of the jsloop variant (queueMicrotask)")
    e = sub.add_parser("echo")
    e.add_argument("--config", default="c50x64")
    e.add_argument("--duration", type=float, default=5.0)
    e.add_argument("--top", type=int, default=20)
    e.add_argument("--script", default="", help="another echo server script (same CLI)")
    args = ap.parse_args()
    if args.what == "micro":
        micro(args.name, args.n, args.gc_off, args.top, args.impl)
    else:
        echo(args.config, args.duration, args.top, args.script)
    return 0


if __name__ == "__main__":
    assert REPO.exists()
    raise SystemExit(main())
