"""Echo benchmark (issue 4): jsloop's examples/echo.py against asyncio, uvloop, node and friends.

Setup: a load generator (bench/loadgen.c, compiled on the fly into bench/_build/ when gcc exists,
else bench/loadgen.py) pinned to core 0; each server pinned to core 1 (sched_setaffinity before
exec, so every thread of the server inherits it). The generator connects all connections (each
proven served by a 1-byte round trip), the driver samples the server's RSS, then a closed-loop
ping-pong runs on the active connections; every echoed byte is compared with what was sent.

Per run: req/s and p50/p99 latency (generator), server CPU microseconds per request (utime+stime
deltas from /proc/PID/stat over the measured window), server and generator CPU use, peak RSS
(VmHWM), KiB per held connection (VmRSS delta / connections, sampled before the load starts).
Rounds are interleaved: round r runs every configuration for every server, servers in an order
rotated by r, a fresh server process per run. Ratios are against asyncio Protocol in the same
round and configuration. A run whose generator used >= 90% of its core is marked as generator
bound: compare such servers by CPU per request, not req/s.

Usage:
    python bench/echo_bench.py [--quick] [--rounds N] [--servers a,b] [--configs x,y]
                               [--duration S] [--json PATH] [--md PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    BENCH_DIR,
    BUILD_DIR,
    REPO,
    RESULTS_DIR,
    fmt,
    have_module,
    kill_tree,
    machine_info,
    md_table,
    median,
    node_path,
    python_env,
    write_json,
)

GEN_CORE = 0
SERVER_CORE = 1
CLK_TCK = os.sysconf("SC_CLK_TCK")
LISTEN_RE = re.compile(r"listening on (\S+):(\d+)")
BASELINE = "asyncio-proto"
TIMES = "\u00d7"
GEN_BOUND = 0.90

_live: list[subprocess.Popen[Any]] = []  # every child still to be killed, whatever happens


@dataclass
class Config:
    key: str
    title: str
    conns: int
    active: int
    size: int


@dataclass
class Server:
    name: str
    title: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)
    max_conns: int = 0  # 0: any
    available: bool = True
    why_not: str = ""


def configs(quick: bool) -> list[Config]:
    idle = 2_000 if quick else 10_000
    return [
        Config("c1x64", f"1 connection {TIMES} 64 B", 1, 1, 64),
        Config("c1x4k", f"1 connection {TIMES} 4 KiB", 1, 1, 4096),
        Config("c50x64", f"50 connections {TIMES} 64 B", 50, 50, 64),
        Config("c50x4k", f"50 connections {TIMES} 4 KiB", 50, 50, 4096),
        Config("c1000x64", f"1,000 connections {TIMES} 64 B", 1000, 1000, 64),
        Config(
            f"idle{idle // 1000}k", f"{idle:,} idle + 100 active {TIMES} 64 B", idle + 100, 100, 64
        ),
    ]


def servers(jsloop_script: str = "", before_script: str = "") -> list[Server]:
    py = sys.executable
    sdir = BENCH_DIR / "servers"
    host = ["--host", "127.0.0.1", "--port", "0"]
    out: list[Server] = []
    echo = Path(jsloop_script) if jsloop_script else REPO / "examples" / "echo.py"
    title = f"jsloop {echo.name}" if jsloop_script else "jsloop examples/echo.py"
    s = Server("jsloop", title, [py, str(echo), *host])
    if not echo.exists():
        s.available, s.why_not = False, f"{echo} not present"
    elif not have_module("jsloop:run"):
        s.available, s.why_not = False, "jsloop not importable"
    out.append(s)
    if before_script:
        # Another jsloop build (e.g. a git worktree of an older commit) in the same run:
        # before/after comparisons only count when measured together.
        out.append(Server("jsloop-before", f"jsloop before ({Path(before_script).name})",
                          [py, before_script, *host]))
    out.append(Server(BASELINE, "asyncio Protocol", [py, str(sdir / "asyncio_protocol.py"), *host]))
    # glibc serves asyncio's 256 KiB per-read buffer with mmap/munmap; raised thresholds keep it
    # on the heap (issue 4's "malloc thresholds raised" row).
    out.append(
        Server(
            "asyncio-proto-malloc",
            "asyncio Protocol, glibc malloc thresholds raised",
            [py, str(sdir / "asyncio_protocol.py"), *host],
            env={"MALLOC_MMAP_THRESHOLD_": str(4 << 20), "MALLOC_TRIM_THRESHOLD_": str(16 << 20)},
        )
    )
    out.append(
        Server("asyncio-streams", "asyncio streams", [py, str(sdir / "asyncio_streams.py"), *host])
    )
    s = Server(
        "uvloop-proto",
        "uvloop Protocol",
        [py, str(sdir / "asyncio_protocol.py"), "--loop", "uvloop", *host],
    )
    if not have_module("uvloop"):
        s.available, s.why_not = False, "uvloop not installed"
    out.append(s)
    node = node_path()
    s = Server("node", "node net", [node or "node", str(sdir / "node_echo.js"), *host])
    if not node:
        s.available, s.why_not = False, "node not on PATH"
    out.append(s)
    out.append(
        Server("raw-epoll", "raw Python epoll loop", [py, str(sdir / "raw_epoll.py"), *host])
    )
    for name, fname, title, maxc in (
        ("threaded", "threaded_echo.py", "thread per connection (examples/threaded_echo.py)", 0),
        ("blocking", "blocking_echo.py", "blocking, one connection (examples/blocking_echo.py)", 1),
    ):
        path = REPO / "examples" / fname
        s = Server(name, title, [py, str(path), *host], max_conns=maxc)
        if not path.exists():
            s.available, s.why_not = False, f"examples/{fname} not present"
        out.append(s)
    return out


# --- the load generator ------------------------------------------------------------------------


def build_loadgen() -> list[str]:
    """The generator's command: the C one (built if stale) when gcc works, else the Python one."""
    src = BENCH_DIR / "loadgen.c"
    exe = BUILD_DIR / "loadgen"
    gcc = shutil.which("gcc")
    if gcc:
        if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
            BUILD_DIR.mkdir(parents=True, exist_ok=True)
            r = subprocess.run(
                [gcc, "-O2", "-o", str(exe), str(src)], capture_output=True, text=True, timeout=120
            )
            if r.returncode != 0:
                print(f"gcc failed, using the Python generator:\n{r.stderr}", file=sys.stderr)
                return [sys.executable, str(BENCH_DIR / "loadgen.py")]
        return [str(exe)]
    return [sys.executable, str(BENCH_DIR / "loadgen.py")]


# --- how much CPU the two cores really give ---------------------------------------------------

SPIN = (
    "import time\nn = 0\nend = time.perf_counter() + {secs}\n"
    "while time.perf_counter() < end:\n    for _ in range(2000):\n        n += 1\n"
    "print(n)\n"
)


def calibrate(secs: float = 0.6) -> dict[str, float]:
    """Spin loops pinned to each core, alone then together: a shared or stolen core shows here.

    `both_cores` is the work done by two concurrent spinners in units of one spinner alone
    (2.0 on two real cores). The two sides of the echo benchmark share that capacity.
    """

    def spin(cores: list[int]) -> list[int]:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", SPIN.format(secs=secs)],
                stdout=subprocess.PIPE,
                text=True,
                preexec_fn=pinned(c),
            )
            for c in cores
        ]
        out = []
        for p in procs:
            try:
                so, _ = p.communicate(timeout=30)
                out.append(int(so.strip() or 0))
            except (subprocess.TimeoutExpired, ValueError):
                p.kill()
                p.wait()
                out.append(0)
        return out

    a = spin([GEN_CORE])[0]
    b = spin([SERVER_CORE])[0]
    both = spin([GEN_CORE, SERVER_CORE])
    alone = max(1, (a + b) / 2)
    return {
        "core0_alone": float(a),
        "core1_alone": float(b),
        "both_cores": round(sum(both) / alone, 2),
    }


# --- /proc sampling ----------------------------------------------------------------------------


def cpu_ticks(pid: int) -> tuple[int, int]:
    """(utime, stime) of the whole process (all threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def pinned(core: int) -> Callable[[], None]:
    def setup() -> None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {core % (os.cpu_count() or 1)})
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    return setup


def line_reader(stream: IO[str]) -> queue.Queue[str | None]:
    """Lines of `stream` on a queue (None at EOF), read by a daemon thread so pipes never fill."""
    q: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            q.put(line.rstrip("\n"))
        q.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return q


@contextlib.contextmanager
def started(cmd: list[str], core: int, env: dict[str, str], **kw: Any) -> Iterator[Any]:
    proc = subprocess.Popen(
        cmd, preexec_fn=pinned(core), start_new_session=True, env=env, text=True, **kw
    )
    _live.append(proc)
    try:
        yield proc
    finally:
        kill_tree(proc)
        _live.remove(proc)


# --- one measurement ---------------------------------------------------------------------------


def measure(
    srv: Server, cfg: Config, gen_cmd: list[str], warmup: float, duration: float
) -> dict[str, Any]:
    env = python_env()
    env.update(srv.env)
    with (
        tempfile.TemporaryFile("w+") as err,
        started(srv.cmd, SERVER_CORE, env, stdout=subprocess.PIPE, stderr=err) as sp,
    ):
        lines = line_reader(sp.stdout)
        port = 0
        deadline = time.monotonic() + 30
        while not port and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            m = LISTEN_RE.search(line)
            if m:
                port = int(m.group(2))
        if not port:
            err.seek(0)
            tail = err.read().strip().splitlines()[-3:]
            return {"error": "server did not announce 'listening on': " + " | ".join(tail)}
        time.sleep(0.2)
        rss_base = status_kib(sp.pid, "VmRSS")
        args = [
            *gen_cmd,
            *("-h", "127.0.0.1", "-p", str(port), "-c", str(cfg.conns), "-a", str(cfg.active)),
            *("-s", str(cfg.size), "-w", str(warmup), "-d", str(duration), "-g", "-T", "60"),
        ]
        res = run_generator(args, sp.pid, env, 60 + warmup + duration + 30)
        if sp.poll() is not None:
            err.seek(0)
            tail = err.read().strip().splitlines()[-3:]
            res.setdefault("error", f"server died (exit {sp.returncode}): " + " | ".join(tail))
            return res
        res["rss_base_kib"] = rss_base
        res["peak_rss_kib"] = status_kib(sp.pid, "VmHWM")
        if "rss_idle_kib" in res and res.get("connected"):
            res["kib_per_conn"] = (res["rss_idle_kib"] - rss_base) / res["connected"]
        return res


def run_generator(
    args: list[str], spid: int, env: dict[str, str], timeout: float
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    with started(
        args, GEN_CORE, env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as gp:
        lines = line_reader(gp.stdout)
        c0: tuple[int, int] = (0, 0)
        t0 = 0.0
        while True:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                out["error"] = f"generator timed out after {timeout:.0f}s"
                break
            if line is None:
                out.setdefault("error", f"generator ended without a result (exit {gp.poll()})")
                break
            try:
                if line.startswith("IDLE_READY"):
                    out["rss_idle_kib"] = status_kib(spid, "VmRSS")
                    gp.stdin.write("GO\n")
                    gp.stdin.flush()
                elif line == "MEASURE_START":
                    c0, t0 = cpu_ticks(spid), time.monotonic()
                elif line == "MEASURE_END":
                    c1 = cpu_ticks(spid)
                    out["server_user_s"] = (c1[0] - c0[0]) / CLK_TCK
                    out["server_sys_s"] = (c1[1] - c0[1]) / CLK_TCK
                    out["server_cpu_s"] = out["server_user_s"] + out["server_sys_s"]
                    out["server_wall_s"] = time.monotonic() - t0
                elif line.startswith("{"):
                    out.update(json.loads(line))
                    out.pop("error", None)
                    break
            except (OSError, ValueError) as exc:  # the server vanished under us
                out["error"] = f"sampling failed: {exc}"
                break
    if "requests" in out and not out["requests"]:
        out["error"] = (
            f"no request completed (connected {out['connected']}/{out['conns']}, "
            f"{out['verify_errors']} verify errors, {out['errors']} conn errors)"
        )
    if out.get("requests") and out.get("server_cpu_s") is not None:
        reqs = out["requests"]
        out["cpu_us_per_req"] = out["server_cpu_s"] / reqs * 1e6
        out["user_us_per_req"] = out["server_user_s"] / reqs * 1e6
        out["server_util"] = out["server_cpu_s"] / max(out["server_wall_s"], 1e-9)
        out["gen_util"] = out["cpu_s"] / max(out["seconds"], 1e-9)
        out["limit"] = (
            "generator"
            if out["gen_util"] >= GEN_BOUND
            else "server"
            if out["server_util"] >= GEN_BOUND
            else "latency"
        )
        bad = []
        if out["verify_errors"]:
            bad.append(f"{out['verify_errors']} verify errors")
        if out["errors"] or out["connect_errors"]:
            bad.append(f"{out['errors'] + out['connect_errors']} conn errors")
        if out["connected"] < out["conns"]:
            bad.append(f"connected {out['connected']}/{out['conns']}")
        if out["starved"]:
            bad.append(f"{out['starved']} conns starved")
        if bad:
            out["problems"] = ", ".join(bad)
    return out


# --- the suite ---------------------------------------------------------------------------------


def run_suite(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    gen_cmd = build_loadgen()
    cfgs = [c for c in configs(args.quick) if not args.configs or c.key in args.configs]
    srvs = servers(args.jsloop_script, args.jsloop_before)
    if args.servers:
        srvs = [s for s in srvs if s.name in args.servers or s.name == BASELINE]
    usable = [s for s in srvs if s.available]
    warmup = args.warmup if args.warmup is not None else (0.2 if args.quick else 0.5)
    duration = args.duration if args.duration is not None else (0.7 if args.quick else 2.5)
    runs: list[dict[str, Any]] = []
    t_start = time.monotonic()
    load_start = [round(x, 2) for x in os.getloadavg()]
    cal_secs = 0.4 if args.quick else 0.6
    cal_start = calibrate(cal_secs)
    log(f"capacity of the two cores together: {cal_start['both_cores']:.2f} x one core alone")
    for r in range(args.rounds):
        for cfg in cfgs:
            here = [s for s in usable if not s.max_conns or cfg.conns <= s.max_conns]
            k = r % len(here)
            for srv in here[k:] + here[:k]:
                res = measure(srv, cfg, gen_cmd, warmup, duration)
                if "did not announce" in res.get("error", ""):  # a stall at start-up: retry once
                    res = measure(srv, cfg, gen_cmd, warmup, duration)
                res.update(round=r, config=cfg.key, server=srv.name)
                runs.append(res)
                if "error" in res:
                    log(f"r{r + 1} {cfg.key:9s} {srv.name:21s} ERROR {res['error']}")
                else:
                    log(
                        f"r{r + 1} {cfg.key:9s} {srv.name:21s} {res['rps']:>9,.0f} req/s "
                        f"cpu {fmt(res.get('cpu_us_per_req'), 1):>6s} us/req "
                        f"(user {fmt(res.get('user_us_per_req'), 1):>5s}) "
                        f"srv {res['server_util']:4.0%} gen {res['gen_util']:4.0%} "
                        f"{res.get('problems', '')}"
                    )
    cal_end = calibrate(cal_secs)
    log(f"capacity at the end: {cal_end['both_cores']:.2f} x one core alone")
    capacity = min(cal_start["both_cores"], cal_end["both_cores"])
    for x in runs:
        if x.get("limit") == "latency" and x["server_util"] + x["gen_util"] >= 0.9 * capacity:
            x["limit"] = "shared CPU"
    machine = machine_info()
    machine["loadavg_start"] = load_start
    return {
        "machine": machine,
        "calibration": {"start": cal_start, "end": cal_end},
        "quick": args.quick,
        "rounds": args.rounds,
        "warmup_s": warmup,
        "duration_s": duration,
        "generator": "c" if gen_cmd[0].endswith("loadgen") else "python",
        "elapsed_s": time.monotonic() - t_start,
        "configs": [c.__dict__ for c in cfgs],
        "servers": [
            {"name": s.name, "title": s.title, "available": s.available, "why_not": s.why_not}
            for s in srvs
        ],
        "runs": runs,
        "summary": summarize(runs, cfgs, srvs),
    }


def summarize(
    runs: list[dict[str, Any]], cfgs: list[Config], srvs: list[Server]
) -> dict[str, dict[str, Any]]:
    base = {
        (x["round"], x["config"]): x["rps"]
        for x in runs
        if x["server"] == BASELINE and "error" not in x
    }
    out: dict[str, dict[str, Any]] = {}
    for cfg in cfgs:
        per: dict[str, Any] = {}
        for srv in srvs:
            mine = [x for x in runs if x["config"] == cfg.key and x["server"] == srv.name]
            if not mine:
                continue
            ok = [x for x in mine if "error" not in x]

            def med(key: str, xs: list[dict[str, Any]] = ok) -> float | None:
                vals = [x[key] for x in xs if x.get(key) is not None]
                return median(vals) if vals else None

            ratios = [
                x["rps"] / base[(x["round"], cfg.key)]
                for x in ok
                if base.get((x["round"], cfg.key))
            ]
            limits = [x["limit"] for x in ok]
            per[srv.name] = {
                "runs": len(mine),
                "ok": len(ok),
                "errors": [x["error"] for x in mine if "error" in x],
                "problems": [x["problems"] for x in ok if x.get("problems")],
                "rps": med("rps"),
                "vs_asyncio": median(ratios) if ratios else None,
                "p50_us": med("p50_us"),
                "p99_us": med("p99_us"),
                "cpu_us_per_req": med("cpu_us_per_req"),
                "user_us_per_req": med("user_us_per_req"),
                "server_util": med("server_util"),
                "gen_util": med("gen_util"),
                "peak_rss_kib": med("peak_rss_kib"),
                "kib_per_conn": med("kib_per_conn"),
                "limit": max(set(limits), key=limits.count) if limits else None,
            }
        out[cfg.key] = per
    return out


def to_markdown(data: dict[str, Any]) -> str:
    titles = {s["name"]: s["title"] for s in data["servers"]}
    parts: list[str] = []
    for cfg in data["configs"]:
        per = data["summary"].get(cfg["key"], {})
        idle = cfg["conns"] > cfg["active"]  # KiB/conn only means something with many held
        rows = []
        for name, s in per.items():
            if not s["ok"]:
                rows.append([titles[name], "error: " + s["errors"][0][:80]] + ["—"] * 10)
                continue
            lim = s["limit"] or ""
            if lim == "generator":
                lim = "**generator**"
            notes = "; ".join(sorted(set(s["problems"])))
            rows.append(
                [
                    titles[name],
                    fmt(s["rps"], 0),
                    fmt(s["vs_asyncio"], 2) + TIMES if s["vs_asyncio"] else "—",
                    fmt(s["p50_us"], 0),
                    fmt(s["p99_us"], 0),
                    fmt(s["cpu_us_per_req"], 1),
                    fmt(s["user_us_per_req"], 1),
                    fmt(100 * s["server_util"], 0) + "%" if s["server_util"] else "—",
                    fmt(100 * s["gen_util"], 0) + "%" if s["gen_util"] else "—",
                    fmt(s["peak_rss_kib"] / 1024, 1) if s["peak_rss_kib"] else "—",
                    fmt(s["kib_per_conn"], 2) if idle and s["kib_per_conn"] is not None else "—",
                    lim + (f" ({notes})" if notes else ""),
                ]
            )
        heads = [
            "server",
            "req/s",
            f"{TIMES} asyncio",
            "p50 µs",
            "p99 µs",
            "CPU µs/req",
            "of it user",
            "server CPU",
            "gen CPU",
            "peak RSS MiB",
            "KiB/conn",
            "limit",
        ]
        parts.append(f"#### {cfg['title']}\n\n" + md_table(heads, rows, "l" + "r" * 10 + "l"))
    missing = [f"{s['title']}: {s['why_not']}" for s in data["servers"] if not s["available"]]
    if missing:
        parts.append("Not measured: " + "; ".join(missing) + ".")
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 round, 1 s runs, 2,000 idle conns")
    ap.add_argument("--rounds", type=int, default=0, help="rounds (default 3, quick 1)")
    ap.add_argument("--servers", default="", help="comma list of server names (+ the baseline)")
    ap.add_argument("--configs", default="", help="comma list of config keys")
    ap.add_argument("--warmup", type=float, default=None)
    ap.add_argument("--duration", type=float, default=None, help="measured seconds per run")
    ap.add_argument("--jsloop-script", default="", help="run this instead of examples/echo.py")
    ap.add_argument("--jsloop-before", default="",
                    help="also run this jsloop echo server as 'jsloop-before' (same CLI)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--md", type=Path, default=None)
    args = ap.parse_args(argv)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.servers = {s for s in args.servers.split(",") if s}
    args.configs = {s for s in args.configs.split(",") if s}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally below runs
    if (os.cpu_count() or 1) < 2:
        print("note: one core only; generator and server share it", file=sys.stderr)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        data = run_suite(args, log)
    finally:
        for p in list(_live):
            kill_tree(p)
    name = "echo_quick.json" if args.quick else "echo.json"
    out_json = args.json or RESULTS_DIR / name
    write_json(out_json, data)
    md = to_markdown(data)
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(md + "\n")
    print(md)
    print(f"\nJSON: {out_json} ({data['elapsed_s']:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
