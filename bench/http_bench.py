"""HTTP hello-world benchmark driven by wrk: jsloop.http vs node http vs uvicorn vs aiohttp.

    python bench/http_bench.py                 # 3 interleaved rounds x 5 s
    python bench/http_bench.py --quick         # 1 round x 2 s
    python bench/http_bench.py --servers jsloop,node --rounds 5 --duration 8

Every server answers ``GET /`` with ``200``, ``Content-Type: text/plain``, a
``Content-Length`` and the body ``Hello, World!\\n`` over keep-alive:
jsloop runs ``examples/http_hello.py``; node runs the same handler with
``http.createServer``; uvicorn a raw ASGI app on uvloop + httptools (access
log off); aiohttp a ``web.Response`` on asyncio. The server is pinned to core
0, wrk (1 thread, 50 connections) to core 1. Per run: req/s and p99 latency
from wrk, and the server's CPU time per request: ``utime + stime`` from
``/proc/PID/stat`` read just before and just after the wrk run, divided by
the requests wrk completed. Rounds are interleaved (A B C D, A B C D, ...) and
the median of each column is reported, so every ratio comes from the same run.

wrk is installed with apt-get when missing (root only). Results go to
bench/results/http_bench[_quick].json and, with ``--md``, a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    REPO,
    RESULTS_DIR,
    fmt,
    kill_tree,
    machine_info,
    md_table,
    median,
    python_env,
    write_json,
)

SERVER_CORE = 0
WRK_CORE = 1
LISTEN_RE = re.compile(r"listening on (\S+):(\d+)")

NODE_SERVER = r"""
const http = require('http');
const server = http.createServer((req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end('Hello, World!\n');
});
server.listen(0, '127.0.0.1', () =>
  console.log(`http server listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => { server.close(); server.closeAllConnections(); });
"""

UVICORN_SERVER = r"""
import socket, uvicorn
BODY = b"Hello, World!\n"
HEAD = {"type": "http.response.start", "status": 200,
        "headers": [(b"content-type", b"text/plain"), (b"content-length", b"14")]}
MSG = {"type": "http.response.body", "body": BODY}
async def app(scope, receive, send):
    await send(HEAD)
    await send(MSG)
sock = socket.socket(); sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", 0)); sock.listen(511)
print("http server listening on 127.0.0.1:%d" % sock.getsockname()[1], flush=True)
cfg = uvicorn.Config(app, loop="uvloop", http="httptools", lifespan="off",
                     access_log=False, log_level="warning")
uvicorn.Server(cfg).run(sockets=[sock])
"""

AIOHTTP_SERVER = r"""
import socket
from aiohttp import web
async def hello(request):
    return web.Response(text="Hello, World!\n")
app = web.Application(); app.router.add_get("/", hello)
sock = socket.socket(); sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", 0)); sock.listen(511)
print("http server listening on 127.0.0.1:%d" % sock.getsockname()[1], flush=True)
web.run_app(app, sock=sock, print=None, access_log=None)
"""


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, timeout=600,
                       stdout=subprocess.DEVNULL)
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk not found and could not be installed (apt-get install wrk)")
    return path


def server_cmds(tmp: Path) -> dict[str, list[str]]:
    cmds: dict[str, list[str]] = {
        "jsloop": [sys.executable, str(REPO / "examples" / "http_hello.py"), "--port", "0"],
    }
    node = shutil.which("node")
    if node:
        (tmp / "node_http.js").write_text(NODE_SERVER)
        cmds["node"] = [node, str(tmp / "node_http.js")]
    for name, src, mod in (("uvicorn", UVICORN_SERVER, "uvicorn"),
                           ("aiohttp", AIOHTTP_SERVER, "aiohttp")):
        probe = subprocess.run([sys.executable, "-c", f"import {mod}"], capture_output=True,
                               timeout=60)
        if probe.returncode == 0:
            (tmp / f"{name}_http.py").write_text(src)
            cmds[name] = [sys.executable, str(tmp / f"{name}_http.py")]
    return cmds


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pinned(core: int) -> Any:
    def setup() -> None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {core % (os.cpu_count() or 1)})

    return setup


@contextlib.contextmanager
def started(cmd: list[str]) -> Iterator[tuple[subprocess.Popen[str], int]]:
    proc = subprocess.Popen(cmd, preexec_fn=pinned(SERVER_CORE), start_new_session=True,
                            env=python_env(), text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        port = 0
        deadline = time.monotonic() + 30
        assert proc.stdout is not None
        while not port and time.monotonic() < deadline:
            line = proc.stdout.readline()  # the server prints this line first
            if not line:
                break
            m = LISTEN_RE.search(line)
            if m:
                port = int(m.group(2))
        if not port:
            raise RuntimeError(f"{cmd[-1]}: no 'listening on' line")
        yield proc, port
    finally:
        kill_tree(proc)


def parse_wrk(out: str) -> dict[str, float]:
    res: dict[str, float] = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        res["rps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in", out)
    if m:
        res["requests"] = float(m.group(1))
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if m:
        scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
        res["p99_ms"] = float(m.group(1)) * scale
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non2xx"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Socket errors: (.*)", out)
    res["socket_errors"] = m.group(1) if m else ""  # type: ignore[assignment]
    return res


def wrk_run(wrk: str, port: int, conns: int, secs: float) -> str:
    cmd = [wrk, "-t1", f"-c{conns}", f"-d{max(1, round(secs))}s", "--latency", f"http://127.0.0.1:{port}/"]
    r = subprocess.run(cmd, preexec_fn=pinned(WRK_CORE), capture_output=True, text=True,
                       timeout=secs + 60)
    return r.stdout


def measure(wrk: str, cmd: list[str], conns: int, warmup: float, secs: float
            ) -> dict[str, Any]:
    with started(cmd) as (proc, port):
        wrk_run(wrk, port, conns, warmup)
        before = cpu_seconds(proc.pid)
        out = wrk_run(wrk, port, conns, secs)
        after = cpu_seconds(proc.pid)
    res: dict[str, Any] = parse_wrk(out)
    if res.get("requests"):
        res["cpu_us_per_req"] = (after - before) * 1e6 / res["requests"]
        res["server_cpu_s"] = after - before
    return res


def round_ratios(runs: dict[str, list[dict[str, Any]]], name: str, key: str) -> list[float]:
    """Per-round ``name / node`` ratios of ``key`` (the same round shares the load)."""
    mine, node = runs.get(name, []), runs.get("node", [])
    return [a[key] / b[key] for a, b in zip(mine, node, strict=False)
            if a.get(key) and b.get(key)]


def to_markdown(data: dict[str, Any]) -> str:
    rows = []
    for name, s in data["summary"].items():
        rps_r = round_ratios(data["runs"], name, "rps")
        cpu_r = round_ratios(data["runs"], name, "cpu_us_per_req")
        rows.append([name, fmt(s["rps"], 0), fmt(median(rps_r) if rps_r else None),
                     fmt(s["p99_ms"]), fmt(s["cpu_us_per_req"], 1),
                     fmt(median(cpu_r) if cpu_r else None)])
    table = md_table(["server", "req/s", "req/s vs node", "p99 ms", "server CPU µs/req",
                      "CPU/req vs node"], rows, "lrrrrr")
    return (f"wrk -t1 -c{data['conns']} -d{data['duration']}s, hello world keep-alive, "
            f"server on core {SERVER_CORE}, wrk on core {WRK_CORE}; medians of "
            f"{data['rounds']} interleaved rounds (the 'vs node' columns are medians of "
            f"per-round ratios).\n\n{table}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 round x 2 s")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--conns", type=int, default=50)
    ap.add_argument("--servers", default="jsloop,node,uvicorn,aiohttp")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--md", type=Path, default=None, help="also write the table here")
    args = ap.parse_args(argv)
    if args.quick:
        args.rounds, args.duration = 1, 2.0
    wrk = ensure_wrk()
    runs: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        cmds = server_cmds(Path(tmpdir))
        chosen = [s for s in args.servers.split(",") if s in cmds]
        for rnd in range(args.rounds):
            for name in chosen:
                res = measure(wrk, cmds[name], args.conns, args.warmup, args.duration)
                runs.setdefault(name, []).append(res)
                print(f"round {rnd + 1} {name:8s} {fmt(res.get('rps'), 0):>9s} req/s  "
                      f"p99 {fmt(res.get('p99_ms'))} ms  "
                      f"{fmt(res.get('cpu_us_per_req'), 1)} µs/req", flush=True)
    summary = {}
    for name, rs in runs.items():
        ok = [r for r in rs if r.get("rps")]
        summary[name] = {k: median([r[k] for r in ok if k in r])
                         for k in ("rps", "p99_ms", "cpu_us_per_req")}
    data = {"machine": machine_info(), "conns": args.conns, "duration": args.duration,
            "rounds": args.rounds, "runs": runs, "summary": summary}
    out = args.json or RESULTS_DIR / ("http_bench_quick.json" if args.quick else "http_bench.json")
    write_json(out, data)
    md = to_markdown(data)
    print(md)
    if args.md:
        args.md.write_text(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
