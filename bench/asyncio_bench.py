"""asyncio on three loops, same run: asyncio's default loop, jsloop.new_event_loop(), uvloop.

Two servers, each started once per loop as a fresh process pinned to core 1 (load on core 0):

* ``streams-echo``: the asyncio streams echo server (``asyncio.start_server``, one
  coroutine per connection, ``read()`` then ``write()`` + ``drain()``), driven by the echo
  benchmark's closed-loop generator (bench/loadgen.c; every echoed byte verified), with
  the echo benchmark's configurations ``c1x64`` and ``c50x4k`` (``--configs``);
* ``aiohttp-hello``: an aiohttp ``web.Application`` answering ``GET /`` with
  ``Hello, World!``, driven by ``wrk -t1 -c50`` (keep-alive).

Rounds are interleaved (round r rotates the loop order). Reported: req/s (median over
rounds), server CPU microseconds per request, and the ratio to the default loop measured
in the same round.

Usage:
    python bench/asyncio_bench.py [--rounds N] [--duration S] [--json PATH] [--md PATH]
    python bench/asyncio_bench.py --serve streams-echo|aiohttp-hello --loop default|jsloop|uvloop
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS_DIR, fmt, have_module, machine_info, md_table, median, write_json
from echo_bench import (
    GEN_CORE,
    SERVER_CORE,
    Server,
    build_loadgen,
    configs,
    cpu_ticks,
    line_reader,
    measure,
    python_env,
    started,
)

LOOPS = ("default", "jsloop", "uvloop")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the servers (run in a child process) ------------------------------------------------------


def _loop_factory(name: str) -> Any:
    if name == "jsloop":
        import jsloop

        return jsloop.new_event_loop
    if name == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return asyncio.new_event_loop


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def _serve(kind: str) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    if kind == "streams-echo":
        server = await asyncio.start_server(_echo, "127.0.0.1", 0, backlog=1024)
        print(f"listening on 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
        await stop
        server.close()
        return
    from aiohttp import web

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="Hello, World!")

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"listening on 127.0.0.1:{port}", flush=True)
    await stop
    await runner.cleanup()


def serve_main(kind: str, loop_name: str) -> None:
    with asyncio.Runner(loop_factory=_loop_factory(loop_name)) as runner:
        runner.run(_serve(kind))


# --- the driver ---------------------------------------------------------------------------------

LISTEN_RE = re.compile(r"listening on (\S+):(\d+)")
WRK_RE = re.compile(r"Requests/sec:\s+([\d.]+)")


def server_cmd(kind: str, loop_name: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--serve", kind, "--loop", loop_name]


def measure_http(loop_name: str, duration: float, conns: int) -> dict[str, Any]:
    env = python_env()
    with (
        tempfile.TemporaryFile("w+") as err,
        started(server_cmd("aiohttp-hello", loop_name), SERVER_CORE, env,
                stdout=subprocess.PIPE, stderr=err) as sp,
    ):
        lines = line_reader(sp.stdout)
        port = 0
        deadline = time.monotonic() + 30
        while not port and time.monotonic() < deadline:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if line is None:
                break
            m = LISTEN_RE.search(line)
            if m:
                port = int(m.group(2))
        if not port:
            err.seek(0)
            return {"error": "server did not start: " + err.read()[-300:]}
        url = f"http://127.0.0.1:{port}/"
        # warm-up, then the measured run
        subprocess.run(["taskset", "-c", str(GEN_CORE), "wrk", "-t1", f"-c{conns}", "-d1s", url],
                       capture_output=True, timeout=60)
        c0, t0 = cpu_ticks(sp.pid), time.monotonic()
        secs = f"-d{max(1, round(duration))}s"
        out = subprocess.run(
            ["taskset", "-c", str(GEN_CORE), "wrk", "-t1", f"-c{conns}", secs, url],
            capture_output=True, text=True, timeout=duration + 60,
        )
        c1, t1 = cpu_ticks(sp.pid), time.monotonic()
        m = WRK_RE.search(out.stdout)
        if not m or "Non-2xx" in out.stdout or "Socket errors" in out.stdout:
            return {"error": "wrk: " + out.stdout[-300:] + out.stderr[-300:]}
        rps = float(m.group(1))
        cpu = ((c1[0] - c0[0]) + (c1[1] - c0[1])) / CLK_TCK
        return {"rps": rps, "cpu_us_per_req": cpu / max(rps * (t1 - t0), 1) * 1e6,
                "server_util": cpu / (t1 - t0)}


def run_suite(args: argparse.Namespace) -> dict[str, Any]:
    loops = [x for x in LOOPS if x != "uvloop" or have_module("uvloop")]
    gen_cmd = build_loadgen()
    cfgs = [c for c in configs(True) if c.key in args.configs.split(",")]
    have_wrk = shutil.which("wrk") is not None and have_module("aiohttp")
    runs: list[dict[str, Any]] = []
    load_start = [round(x, 2) for x in os.getloadavg()]
    for r in range(args.rounds):
        order = loops[r % len(loops):] + loops[: r % len(loops)]
        for cfg in cfgs:
            for name in order:
                srv = Server(name, name, server_cmd("streams-echo", name))
                res = measure(srv, cfg, gen_cmd, args.warmup, args.duration)
                res.update(round=r, bench=f"streams-echo {cfg.key}", loop=name)
                runs.append(res)
                print(f"r{r + 1} streams-echo {cfg.key:7s} {name:8s} "
                      f"{fmt(res.get('rps'), 0):>9s} req/s  cpu {fmt(res.get('cpu_us_per_req'), 1)}"
                      f" us/req {res.get('error', '')}{res.get('problems', '')}", flush=True)
        if have_wrk:
            for name in order:
                res = measure_http(name, args.duration, 50)
                res.update(round=r, bench="aiohttp-hello wrk c50", loop=name)
                runs.append(res)
                print(f"r{r + 1} aiohttp-hello     {name:8s} {fmt(res.get('rps'), 0):>9s} req/s"
                      f"  cpu {fmt(res.get('cpu_us_per_req'), 1)} us/req {res.get('error', '')}",
                      flush=True)
    return {"machine": machine_info(), "rounds": args.rounds, "duration_s": args.duration,
            "loadavg_start": load_start, "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            "runs": runs, "summary": summarize(runs, loops)}


def summarize(runs: list[dict[str, Any]], loops: list[str]) -> list[dict[str, Any]]:
    rows = []
    for bench in dict.fromkeys(x["bench"] for x in runs):
        by_round: dict[int, dict[str, dict[str, Any]]] = {}
        for x in runs:
            if x["bench"] == bench and "rps" in x and "error" not in x:
                by_round.setdefault(x["round"], {})[x["loop"]] = x
        for name in loops:
            rps = [rd[name]["rps"] for rd in by_round.values() if name in rd]
            cpu = [rd[name]["cpu_us_per_req"] for rd in by_round.values()
                   if name in rd and rd[name].get("cpu_us_per_req")]
            ratio = [rd[name]["rps"] / rd["default"]["rps"] for rd in by_round.values()
                     if name in rd and "default" in rd]
            vs_uv = [rd[name]["rps"] / rd["uvloop"]["rps"] for rd in by_round.values()
                     if name in rd and "uvloop" in rd]
            rows.append({"bench": bench, "loop": name,
                         "rps": median(rps) if rps else None,
                         "cpu_us_per_req": median(cpu) if cpu else None,
                         "vs_default": median(ratio) if ratio else None,
                         "vs_uvloop": median(vs_uv) if vs_uv else None})
    return rows


def to_markdown(data: dict[str, Any]) -> str:
    head = (
        f"{data['rounds']} interleaved round(s) of {data['duration_s']} s; 1-minute load "
        f"average {data['loadavg_start'][0]} at start, {data['loadavg_end'][0]} at end.\n\n"
    )
    rows = [
        [r["bench"], r["loop"], fmt(r["rps"], 0), fmt(r["cpu_us_per_req"], 1),
         fmt(r["vs_default"]), fmt(r["vs_uvloop"])]
        for r in data["summary"]
    ]
    return head + md_table(
        ["benchmark", "loop", "req/s (median)", "server CPU us/req", "x default", "x uvloop"],
        rows, "llrrrr",
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--serve", choices=["streams-echo", "aiohttp-hello"])
    ap.add_argument("--loop", choices=LOOPS, default="default")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=2.0)
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--configs", default="c1x64,c50x4k")
    ap.add_argument("--json", default=str(RESULTS_DIR / "asyncio.json"))
    ap.add_argument("--md", default="")
    args = ap.parse_args()
    if args.serve:
        serve_main(args.serve, args.loop)
        return 0
    data = run_suite(args)
    write_json(Path(args.json), data)
    md = to_markdown(data)
    print(md)
    if args.md:
        Path(args.md).write_text(md + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
