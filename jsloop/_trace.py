"""The timeline trace: Chrome/Perfetto trace-event JSON of one loop's run, and a PNG of it.

Owns: ``TraceBuffer`` (the records an instrumented loop appends while
``--trace`` is on), the writer of the JSON trace-event format (the format
chrome://tracing, Perfetto and speedscope open), and ``render_png``, a
matplotlib timeline for places where Perfetto's UI is not at hand.

Layout of the file: one process ("jsloop"), one track ("thread") per queue or
phase -- ``loop`` (the phases themselves, idle time in poll nested inside),
``script``, ``timers``, ``pending``, ``poll``, ``check``, ``close``,
``nextTick``, ``microtask``. Every callback is one complete ("X") slice on the
track of its queue, with ``args`` naming the phase it ran in, the queue, and
the line that scheduled it. A flow ("s" at the scheduling moment on the
scheduling slice's track, "f" binding to the start of the slice) draws the
arrow from where a callback was scheduled to where it ran.

Only the loop thread appends, so no lock. The buffer stops recording after
``MAX_SLICES`` slices and says so in the file's ``otherData``.

Imports: _diag (and json, stdlib; matplotlib lazily in ``render_png``).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from ._diag import TRACKS, Task
from ._queues import run_queued_microtask

MAX_SLICES = 2_000_000

_PREFIX = {
    "script": "script",
    "timer": "setTimeout",
    "interval": "setInterval",
    "immediate": "setImmediate",
    "tick": "nextTick",
    "microtask": "promise",
    "io": "I/O",
    "pool": "pool done",
    "pending": "pending",
    "close": "close",
    "callback": "callback",
}
_QUEUE = {
    "script": "script",
    "timer": "timers",
    "interval": "timers",
    "immediate": "check",
    "tick": "nextTick",
    "microtask": "microtask",
    "io": "poll",
    "pool": "poll",
    "pending": "pending",
    "close": "close",
    "callback": "callback",
}


class TraceBuffer:
    """Slices and phases of one loop, as tuples until ``write``."""

    __slots__ = ("dropped", "path", "phases", "slices", "t0")

    def __init__(self, path: str) -> None:
        self.path = path
        self.t0 = time.perf_counter_ns()
        # (tid, name, cat, t0, t1, flow_id, sched_tid, sched_ts, site, phase)
        self.slices: list[tuple[Any, ...]] = []
        self.phases: list[tuple[str, int, int]] = []
        self.dropped = 0

    def add_slice(self, task: Task, t0: int, t1: int, args: tuple[Any, ...]) -> None:
        if len(self.slices) >= MAX_SLICES:
            self.dropped += 1
            return
        kind = task.kind
        prefix = _PREFIX.get(kind, kind)
        if kind == "microtask" and task.fn is run_queued_microtask:
            prefix = "queueMicrotask"
        name = task.name()
        if kind == "microtask" and name.startswith("async "):
            prefix, name = "await", name[6:]
        site = task.site[0] if task.site else None
        self.slices.append(
            (
                task.track(),
                f"{prefix} {name}",
                _QUEUE.get(kind, kind),
                t0,
                t1,
                task.id if kind != "script" else 0,
                task.sched_tid,
                task.sched_ts,
                site,
                task.ld.phase or "main",
            )
        )

    def add_phase(self, name: str, t0: int, t1: int) -> None:
        if len(self.phases) < MAX_SLICES:
            self.phases.append((name, t0, t1))

    # -- output ------------------------------------------------------------------------

    def events(self) -> list[dict[str, Any]]:
        base = self.t0

        def us(ns: int) -> float:
            return round((ns - base) / 1000.0, 3)

        ev: list[dict[str, Any]] = [
            {"ph": "M", "pid": 1, "tid": 0, "name": "process_name", "args": {"name": "jsloop"}}
        ]
        for track, tid in TRACKS.items():
            ev.append({"ph": "M", "pid": 1, "tid": tid, "name": "thread_name",
                       "args": {"name": track}})
            ev.append({"ph": "M", "pid": 1, "tid": tid, "name": "thread_sort_index",
                       "args": {"sort_index": tid}})
        for name, t0, t1 in self.phases:
            ev.append({"ph": "X", "pid": 1, "tid": TRACKS["loop"], "name": name,
                       "cat": "phase", "ts": us(t0), "dur": us(t1) - us(t0)})
        flow = 0
        for tid, name, cat, t0, t1, task_id, sched_tid, sched_ts, site, phase in self.slices:
            args: dict[str, Any] = {"phase": phase, "queue": cat}
            if site is not None:
                args["scheduled at"] = f"{site[0]}:{site[1]} in {site[2]}"
            if task_id:
                args["task"] = task_id
            ev.append({"ph": "X", "pid": 1, "tid": tid, "name": name, "cat": cat,
                       "ts": us(t0), "dur": us(t1) - us(t0), "args": args})
            if task_id and sched_ts >= base:
                flow += 1
                ev.append({"ph": "s", "pid": 1, "tid": sched_tid, "id": flow,
                           "name": "scheduled", "cat": "flow", "ts": us(sched_ts)})
                ev.append({"ph": "f", "bp": "e", "pid": 1, "tid": tid, "id": flow,
                           "name": "scheduled", "cat": "flow", "ts": us(t0)})
        return ev

    def write(self) -> None:
        doc = {
            "traceEvents": self.events(),
            "displayTimeUnit": "ms",
            "otherData": {"producer": "jsloop --trace", "dropped_slices": self.dropped},
        }
        tmp = f"{self.path}.tmp{os.getpid()}"
        text = json.dumps(doc, separators=(",", ":"))  # the C encoder; json.dump is pure Python
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, self.path)


# -- rendering -------------------------------------------------------------------------

_ROWS = ["loop", "script", "timers", "pending", "poll", "check", "close", "nextTick", "microtask"]
_PHASE_COLOURS = {
    "timers": "#e6550d",
    "pending": "#756bb1",
    "poll": "#3182bd",
    "check": "#31a354",
    "close": "#636363",
    "idle": "#d9d9d9",
}
_ROW_COLOURS = {
    "script": "#8c6d31",
    "timers": "#e6550d",
    "pending": "#756bb1",
    "poll": "#3182bd",
    "check": "#31a354",
    "close": "#636363",
    "nextTick": "#d6616b",
    "microtask": "#e7969c",
}


def render_png(trace_path: str, png_path: str, title: str | None = None) -> None:
    """Draw a trace file as a timeline: one row per track, arrows for flows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    with open(trace_path, encoding="utf-8") as f:
        events = json.load(f)["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    row_of = {tid: _ROWS.index(n) for tid, n in names.items() if n in _ROWS}
    xs = [e for e in events if e["ph"] == "X"]
    end = max((e["ts"] + e["dur"] for e in xs), default=1.0) / 1000.0
    fig, ax = plt.subplots(figsize=(14, 5.8), dpi=110)
    for e in xs:
        row = row_of.get(e["tid"])
        if row is None:
            continue
        x0, w = e["ts"] / 1000.0, max(e["dur"] / 1000.0, end / 2500.0)
        if e.get("cat") == "phase":
            idle = e["name"] == "idle"
            colour = _PHASE_COLOURS.get(e["name"], "#999999")
            ax.broken_barh([(x0, w)], (row - (0.22 if idle else 0.38), 0.44 if idle else 0.76),
                           facecolors=colour, edgecolor="none", zorder=3 if idle else 2)
            continue
        colour = _ROW_COLOURS.get(names[e["tid"]], "#999999")
        ax.broken_barh([(x0, w)], (row - 0.35, 0.7), facecolors=colour, edgecolor="black",
                       linewidth=0.3)
        if w > end / 45:
            ax.text(x0 + w / 2, row, e["name"], ha="center", va="center", fontsize=6.5,
                    clip_on=True)
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    for e in events:
        if e["ph"] != "f" or e["id"] not in starts:
            continue
        s = starts[e["id"]]
        r0, r1 = row_of.get(s["tid"]), row_of.get(e["tid"])
        if r0 is None or r1 is None:
            continue
        ax.annotate("", xy=(e["ts"] / 1000.0, r1), xytext=(s["ts"] / 1000.0, r0),
                    arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 0.5,
                                "alpha": 0.6})
    ax.set_yticks(range(len(_ROWS)))
    ax.set_yticklabels(["loop phases", *_ROWS[1:]])
    ax.set_ylim(len(_ROWS) - 0.4, -0.6)
    ax.set_xlim(0, end * 1.01)
    ax.set_xlabel("ms since the loop started")
    ax.grid(axis="x", linestyle=":", linewidth=0.5)
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in _PHASE_COLOURS.values()]
    ax.legend(handles, list(_PHASE_COLOURS), loc="upper center", bbox_to_anchor=(0.5, -0.13),
              fontsize=7, ncol=6, title="colours of the 'loop phases' row (idle = waiting in poll)",
              title_fontsize=7, frameon=False)
    ax.set_title(title or f"jsloop --trace: {os.path.basename(trace_path)}")
    fig.tight_layout()
    fig.savefig(png_path)
    plt.close(fig)
