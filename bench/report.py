"""Write docs/benchmarks.md and the PNG charts from the JSON the two benchmark scripts saved.

Only measured figures are written: the tables come from bench/results/*.json as produced by
bench/loop_micro.py and bench/echo_bench.py, the machine facts and date from the same files.

Usage:
    python bench/report.py [--quick] [--run]     # --run: run both suites first (bounded)
    python bench/report.py --loop PATH --echo PATH
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import echo_bench
import loop_micro
from _common import BENCH_DIR, DOCS_DIR, RESULTS_DIR, fmt, md_table

TIMES = "\u00d7"
GE = "\u2265"
LE = "\u2264"
SUMMARY_CFG = "c50x64"


def run_suites(quick: bool) -> None:
    flag = ["--quick"] if quick else []
    for script, limit in (("loop_micro.py", 1500), ("echo_bench.py", 1500)):
        cmd = [sys.executable, str(BENCH_DIR / script), *flag]
        print("running:", " ".join(cmd), file=sys.stderr, flush=True)
        subprocess.run(cmd, timeout=limit, check=True)


def _load(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def _s(summary: dict[str, Any], cfg: str, srv: str, key: str) -> float | None:
    v = summary.get(cfg, {}).get(srv, {}).get(key)
    return float(v) if isinstance(v, int | float) else None


def echo_summary(echo: dict[str, Any]) -> str:
    sm = echo["summary"]
    idle = next((c["key"] for c in echo["configs"] if c["conns"] > c["active"]), "")
    idle_n = next((c["conns"] - c["active"] for c in echo["configs"] if c["key"] == idle), 0)
    rows = []
    for s in echo["servers"]:
        if not s["available"]:
            continue
        n = s["name"]
        if _s(sm, SUMMARY_CFG, n, "rps") is None:
            continue  # e.g. the blocking server: one connection only
        rows.append(
            [
                s["title"],
                fmt(_s(sm, SUMMARY_CFG, n, "rps"), 0),
                fmt(_s(sm, SUMMARY_CFG, n, "vs_asyncio"), 2),
                fmt(_s(sm, SUMMARY_CFG, n, "cpu_us_per_req"), 1),
                fmt(_s(sm, SUMMARY_CFG, n, "p99_us"), 0),
                fmt(_s(sm, "c1000x64", n, "vs_asyncio"), 2),
                fmt(_s(sm, "c1000x64", n, "cpu_us_per_req"), 1),
                fmt(_s(sm, idle, n, "kib_per_conn"), 2),
            ]
        )
    c50 = f"50 {TIMES} 64 B"
    heads = [
        "server",
        f"req/s ({c50})",
        f"{TIMES} asyncio ({c50})",
        f"CPU µs/req ({c50})",
        f"p99 µs ({c50})",
        f"{TIMES} asyncio (1,000 conns)",
        "CPU µs/req (1,000 conns)",
        f"KiB per idle conn ({idle_n:,} held)",
    ]
    return md_table(heads, rows)


def echo_targets(echo: dict[str, Any]) -> list[str]:
    sm = echo["summary"]
    idle = next((c["key"] for c in echo["configs"] if c["conns"] > c["active"]), "")
    out: list[str] = []
    if "jsloop" not in sm.get(SUMMARY_CFG, {}):
        return ["- jsloop's examples/echo.py was not measured in this run."]
    cpu_j = _s(sm, SUMMARY_CFG, "jsloop", "cpu_us_per_req")
    cpu_n = _s(sm, SUMMARY_CFG, "node", "cpu_us_per_req")
    rps_j = _s(sm, SUMMARY_CFG, "jsloop", "rps")
    rps_n = _s(sm, SUMMARY_CFG, "node", "rps")
    cpu_u = _s(sm, SUMMARY_CFG, "uvloop-proto", "cpu_us_per_req")
    if cpu_j is not None and cpu_n is not None:
        ok = cpu_j <= cpu_n
        out.append(
            f"- 50 {TIMES} 64 B, CPU per request {LE} node's: jsloop {fmt(cpu_j, 1)} µs vs node "
            f"{fmt(cpu_n, 1)} µs (uvloop {fmt(cpu_u, 1)} µs): {'met' if ok else 'NOT met'}"
        )
    if rps_j is not None and rps_n is not None:
        ok = rps_j >= rps_n
        lim = sm[SUMMARY_CFG]["jsloop"].get("limit")
        why = (
            f" (neither side saturated its core, limit: {lim}: req/s here follows wake-up "
            "latency and the other work on the machine more than the server's cost)"
            if lim in ("latency", "shared CPU")
            else ""
        )
        out.append(
            f"- 50 {TIMES} 64 B, throughput {GE} node's: jsloop {fmt(rps_j, 0)} req/s vs node "
            f"{fmt(rps_n, 0)} req/s: {'met' if ok else 'NOT met'}{why}"
        )
    r1k = _s(sm, "c1000x64", "jsloop", "vs_asyncio")
    if r1k is not None:
        rm = _s(sm, "c1000x64", "asyncio-proto-malloc", "vs_asyncio")
        ru = _s(sm, "c1000x64", "uvloop-proto", "vs_asyncio")
        cj = _s(sm, "c1000x64", "jsloop", "cpu_us_per_req")
        ca = _s(sm, "c1000x64", "asyncio-proto", "cpu_us_per_req")
        lim = sm["c1000x64"]["jsloop"].get("limit")
        cpu = (
            f"; by CPU per request jsloop needs {fmt(ca / cj, 2)}{TIMES} less than asyncio "
            f"({fmt(cj, 1)} vs {fmt(ca, 1)} µs), limit of the run: {lim}"
            if cj and ca
            else ""
        )
        out.append(
            f"- 1,000 connections {GE} 3.0{TIMES} default asyncio: jsloop {fmt(r1k, 2)}{TIMES} "
            f"(malloc-tuned asyncio {fmt(rm, 2)}{TIMES}, uvloop {fmt(ru, 2)}{TIMES}){cpu}: "
            f"{'met' if r1k >= 3.0 else 'NOT met'} by req/s"
        )
    kib = _s(sm, idle, "jsloop", "kib_per_conn")
    if kib is not None:
        out.append(
            f"- idle connections {LE} 1.0 KiB of RSS each: jsloop {fmt(kib, 2)} KiB: "
            f"{'met' if kib <= 1.0 else 'NOT met'}"
        )
    gen = [
        f"{c} / {s}"
        for c, per in sm.items()
        for s, v in per.items()
        if v.get("limit") == "generator"
    ]
    if gen:
        out.append(
            "- The load generator, not the server, was the limit (generator CPU "
            f"{GE} 90%) in: {', '.join(gen)}. Compare those servers by CPU µs per request."
        )
    return out


def load_note(loop: dict[str, Any] | None, echo: dict[str, Any] | None) -> str:
    parts = []
    if loop:
        m = loop["machine"]
        a, b = m.get("loadavg_start", ["?"])[0], m.get("loadavg_end", ["?"])[0]
        parts.append(f"loop micro-benchmarks {a} at start, {b} at end")
    if echo:
        # Its end value is the suite's own doing (10,000 threads of the threaded server).
        parts.append(f"echo benchmark {echo['machine'].get('loadavg_start', ['?'])[0]} at start")
    return (
        "- 1-minute load average: "
        + "; ".join(parts)
        + " (above 0 means other work shared the two cores during the run)"
    )


def capacity_note(echo: dict[str, Any]) -> str:
    cal = echo.get("calibration")
    if not cal:
        return ""
    a, b = cal["start"]["both_cores"], cal["end"]["both_cores"]
    return (
        "Capacity check: two spin loops pinned to the two cores did "
        f"{a:.2f}{TIMES} (start of the run) and {b:.2f}{TIMES} (end) the work of one alone; "
        "two idle, dedicated cores give 2.00. Below that, the two vCPUs share a physical core "
        "or lose time to the host, so generator and server slow each other down; CPU µs per "
        "request (utime+stime, which excludes time stolen by the host) is the steadier figure."
    )


def loop_chart(loop: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    benches = list(loop["benches"].items())
    cols = 3
    rows = (len(benches) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(15, 3.6 * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[len(benches) :]:
        ax.axis("off")
    for ax, (key, b) in zip(flat, benches, strict=False):
        names = [n for n, s in b["impls"].items() if s.get("vs_asyncio")]
        vals = [b["impls"][n]["vs_asyncio"] for n in names]
        colors = ["tab:orange" if n.startswith("jsloop") else "tab:gray" for n in names]
        ax.barh(names, vals, color=colors)
        ax.axvline(1.0, color="black", lw=0.8)
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:g}{TIMES}"))
        for y, v in enumerate(vals):
            ax.text(v, y, f" {v:.2f}{TIMES}", va="center", fontsize=7)
        ax.set_xlim(min([*vals, 1.0]) / 1.5, max([*vals, 1.0]) * 3)
        ax.set_title(f"{key} (N={b['n']:,})", fontsize=9)
        ax.invert_yaxis()
        ax.tick_params(labelsize=7)
        ax.set_xlabel(f"speed {TIMES} asyncio (log)", fontsize=8)
    fig.suptitle("jsloop loop micro-benchmarks (higher is faster)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def echo_chart(echo: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfgs = echo["configs"]
    srvs = [s for s in echo["servers"] if s["available"]]
    fig, axes = plt.subplots(2, 1, figsize=(12, 7.5))
    width = 0.8 / max(1, len(srvs))
    palette = ["blue", "green", "red", "purple", "brown", "pink", "gray", "olive", "cyan"]
    others = iter([f"tab:{c}" for c in palette] + ["black"] * len(srvs))
    colors = {s["name"]: "tab:orange" if s["name"] == "jsloop" else next(others) for s in srvs}
    for row, (key, label) in enumerate(
        (("rps", "requests / s"), ("cpu_us_per_req", "server CPU µs per request (lower is better)"))
    ):
        ax = axes[row]
        for j, s in enumerate(srvs):
            xs, ys = [], []
            for i, c in enumerate(cfgs):
                v = _s(echo["summary"], c["key"], s["name"], key)
                if v is not None:
                    xs.append(i + (j - len(srvs) / 2 + 0.5) * width)
                    ys.append(v)
            ax.bar(xs, ys, width=width, label=s["name"], color=colors[s["name"]])
        ax.set_xticks(range(len(cfgs)))
        ax.set_xticklabels([c["title"] for c in cfgs], fontsize=8)
        ax.set_ylabel(label, fontsize=8)
        ax.tick_params(labelsize=8)
        if row == 0:
            ax.legend(fontsize=7, ncol=5)
    fig.suptitle("echo benchmark: server pinned to one core, load generator on the other")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_doc(
    loop: dict[str, Any] | None, echo: dict[str, Any] | None, quick: bool, extra: str
) -> str:
    m = (echo or loop or {}).get("machine", {})
    v = m.get("versions", {})
    ver = ", ".join(f"{k} {x}" for k, x in v.items())
    q = " --quick" if quick else ""
    parts = [
        "# Benchmarks",
        "",
        "Figures from one run of each benchmark script in `bench/` on the machine below; "
        "regenerate them with the commands shown. Nothing here is estimated: a row that was "
        "not measured says so.",
        "",
        f"- Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"{m.get('mem_gib', '?')} GiB RAM, Linux {m.get('kernel', '?')}",
        f"- Software: {ver}",
        "- Date: "
        + "; ".join(
            f"{name} {d['machine'].get('date', '?')}"
            for name, d in (("loop micro-benchmarks", loop), ("echo benchmark", echo))
            if d
        ),
        load_note(loop, echo),
        f"- Reproduce: `python bench/report.py --run{q}` (or run `python bench/loop_micro.py{q}` "
        f"and `python bench/echo_bench.py{q}`, then `python bench/report.py{q}`; the profile "
        "section below comes from `--extra bench/results/profile_notes.md`)",
        "",
    ]
    if loop:
        parts += [
            "## Loop micro-benchmarks",
            "",
            f"{loop['rounds']} interleaved round(s), each measurement in a fresh process; the "
            "table shows the median time and the speed against asyncio: the median over rounds "
            "of (asyncio time in that round / time; > 1 is faster). Wall time covers only the "
            "work, not "
            "interpreter start-up. Timers: wall time until the last of N timers with random "
            "0-100 ms delays fired (so at least 100 ms). Immediates: one callback re-scheduling "
            "itself N times. Chain: N `.then` steps built up front, then resolved (asyncio: N "
            "futures whose done-callback resolves the next). fs: N reads of 1 KiB files, 32 "
            "in flight, on each runtime's default thread pool. ticks: one nextTick / "
            "queueMicrotask callback re-scheduling itself (asyncio has no microtask queue; its "
            "`call_soon` is the baseline).",
            "",
            loop_micro.to_markdown(loop),
            "",
            "![loop micro-benchmarks](bench_loop.png)",
            "",
        ]
    else:
        parts += ["## Loop micro-benchmarks", "", "Not run.", ""]
    if echo:
        gen = "C (bench/loadgen.c)" if echo["generator"] == "c" else "Python (bench/loadgen.py)"
        parts += [
            "## Echo benchmark",
            "",
            f"Load generator: {gen}, pinned to core 0; each server pinned to core 1. "
            f"{echo['rounds']} interleaved round(s) of {echo['duration_s']} s measured after "
            f"{echo['warmup_s']} s warm-up, a fresh server per run; closed-loop ping-pong, every "
            "echoed byte verified. Ratios are req/s against asyncio Protocol in the same round; "
            "CPU µs/req is the server's utime+stime over the window divided by requests; "
            "KiB/conn is the server's RSS growth over all held connections (each proven served "
            "by a 1-byte round trip) divided by their number, sampled before the load starts. "
            "'limit' says what bounded the run: the **generator** (its CPU ≥ 90%: compare by "
            "CPU µs/req, not req/s), the server (its CPU ≥ 90%), or latency (neither saturated: "
            "ping-pong round trips), or shared CPU (the two together used what the two "
            "cores can give, see the capacity check). "
            f"Run time: {echo['elapsed_s']:.0f} s.",
            "",
            capacity_note(echo),
            "",
            "### Summary",
            "",
            echo_summary(echo),
            "",
            "### Targets (issue 4)",
            "",
            *echo_targets(echo),
            "",
            "### Every configuration",
            "",
            echo_bench.to_markdown(echo),
            "",
            "![echo benchmark](bench_echo.png)",
            "",
        ]
    else:
        parts += ["## Echo benchmark", "", "Not run.", ""]
    if extra:
        parts += [extra.strip(), ""]
    return "\n".join(parts).replace("\u00b5", "µ")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="use (or produce) the quick results")
    ap.add_argument("--run", action="store_true", help="run both suites first")
    ap.add_argument("--loop", type=Path, default=None, help="loop_micro JSON")
    ap.add_argument("--echo", type=Path, default=None, help="echo_bench JSON")
    ap.add_argument("--extra", type=Path, default=None, help="Markdown appended to the doc")
    ap.add_argument("--out", type=Path, default=DOCS_DIR / "benchmarks.md")
    args = ap.parse_args(argv)
    if args.run:
        run_suites(args.quick)
    sfx = "_quick" if args.quick else ""
    loop = _load(args.loop or RESULTS_DIR / f"loop_micro{sfx}.json")
    echo = _load(args.echo or RESULTS_DIR / f"echo{sfx}.json")
    if not loop and not echo:
        print("no results: run bench/loop_micro.py and bench/echo_bench.py first", file=sys.stderr)
        return 1
    out_dir = args.out.parent  # the charts go beside the Markdown that links them
    out_dir.mkdir(parents=True, exist_ok=True)
    if loop:
        loop_chart(loop, out_dir / "bench_loop.png")
    if echo:
        echo_chart(echo, out_dir / "bench_echo.png")
    extra = args.extra.read_text() if args.extra else ""
    args.out.write_text(write_doc(loop, echo, args.quick, extra))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
