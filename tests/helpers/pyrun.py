"""Run a rendered program under jsloop on a fake clock, with a trace of its macrotasks.

The trace records, in virtual time, every macrotask (main, each timer or
interval run, each immediate), which macrotask created it, and when
immediates were created. ``nondeterministic(trace)`` uses it to find the
programs whose order is *not* fixed in Node (ORDERING.md §3.2, §5): two
macrotasks that real time could swap because their virtual instants are
close, unless the loop's phase structure or causality orders them anyway.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

import jsloop
from jsloop import AggregateError, Promise, asyncfn

from .loopkit import run_fake

# Real time a node timer can be late (or up to 1 ms early: the loop clock is
# truncated to whole ms) is covered by a margin, plus 1 ms per timer hop.
MARGIN_MS = 4
PER_HOP_MS = 1
STARTUP_EXTRA_MS = 4
QUIRK_MS = 2
UNCAUGHT_EXTRA_MS = 6

# Known jsloop bugs (reported; see tests/data/differential_corpus.json, xfail there):
# programs that hit them are left out of the random comparison so that it keeps
# finding *new* disagreements. Delete an entry once the runtime is fixed.
KNOWN_BUGS: dict[str, str] = {}


MAX_LINES = 2000


class Runaway(BaseException):
    """A program that does not end (not an Exception: jsloop must not route it)."""


class Boom(Exception):
    def __init__(self, n: int) -> None:
        super().__init__(f"B{n}")
        self.n = n


def S(v: Any) -> str:
    """The JS prelude's S(v), for the values programs pass around."""
    if v is None:
        return "u"
    if isinstance(v, list):
        return "[" + ",".join(S(x) for x in v) + "]"
    if isinstance(v, AggregateError):
        return "agg[" + ",".join(S(x) for x in v.errors) + "]"
    if isinstance(v, Boom):
        return f"B{v.n}"
    if isinstance(v, dict) and "status" in v:
        if v["status"] == "fulfilled":
            return "f" + S(v.get("value"))
        return "r" + S(v.get("reason"))
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return f"obj:{type(v).__name__}:{v!r}"


def SE(e: Any) -> str:
    """S() of what ``except`` caught: ``await`` wraps a non-exception reason (API.md)."""
    if isinstance(e, jsloop.errors.RejectionError):
        return S(e.reason)
    return S(e)


class Thn:
    """The JS prelude's ``thn(label, v, mode)``."""

    def __init__(self, ns: dict[str, Any], label: str, v: Any, mode: str) -> None:
        self.ns, self.label, self.v, self.mode = ns, label, v, mode

    def then(self, resolve: Any, reject: Any = None) -> None:
        self.ns["log"](self.label)
        if self.mode == "rej":
            reject(self.v)
        elif self.mode == "throw":
            raise Boom(self.v)
        elif self.mode == "native":
            resolve(Promise.resolve(self.v))
        elif self.mode == "late":
            self.ns["setTimeout"](resolve, 5, self.v)
        else:
            resolve(self.v)


def raise_(exc: BaseException) -> None:
    raise exc


class Trace:
    """Macrotask bookkeeping in virtual ms (instants relative to the start)."""

    def __init__(self) -> None:
        self.seq = itertools.count()
        self.cur = 0  # uid of the macrotask whose callback or drain is running (0 = main)
        self.uids = itertools.count(1)
        self.runs: dict[int, dict[str, Any]] = {
            0: {"uid": 0, "kind": "main", "t": 0, "parent": None, "depth": 0, "seq": -1}
        }
        self.imm_created: list[tuple[int, int]] = []  # (seq, instant)
        self.t0: int | None = None
        self.unsupported: str | None = None
        self.in_body = False  # inside a macrotask's callback (not its trailing drain)
        # instants at which a timer call refreshed Node's loop clock in a timer's trailing
        # drain (the ORDERING.md §3.2 quirk)
        self.drain_refresh: set[int] = set()
        self.runaway = False
        self.throws: set[str] = set()  # kinds of callbacks that threw (uncaught)

    def now(self) -> int:
        from jsloop._runtime import get_loop

        t = int(get_loop().now)
        if self.t0 is None:
            self.t0 = t
        return t - self.t0

    def enter(self, kind: str, parent: int, group: Any = None) -> int:
        uid = next(self.uids)
        p = self.runs[parent]
        self.runs[uid] = {
            "uid": uid,
            "kind": kind,
            "t": self.now(),
            "parent": parent,
            "group": group,
            "depth": p["depth"] + (kind == "timer"),
            "seq": next(self.seq),
            "creator_kind": p["kind"],
        }
        self.cur = uid
        return uid

    def call(self, cb: Any, *args: Any) -> Any:
        self.in_body = True
        try:
            return cb(*args)
        except Exception:
            self.throws.add(self.runs[self.cur]["kind"])
            raise
        finally:
            self.in_body = False

    def clock_refresh(self) -> None:
        """A timer call: Node refreshes its loop clock here."""
        if not self.in_body and self.runs[self.cur]["kind"] == "timer":
            self.drain_refresh.add(self.now())


def _eff_delay(ms: Any) -> int:
    try:
        d = int(ms)
    except (TypeError, ValueError):
        return 1
    return d if 1 <= d <= 2**31 - 1 else 1


def make_namespace(out: list[str], tr: Trace) -> dict[str, Any]:
    refreshable: dict[int, tuple[Any, dict[str, Any], int]] = {}

    def log(s: Any) -> None:
        out.append(str(s))
        if len(out) > MAX_LINES:
            raise Runaway(f"more than {MAX_LINES} lines")

    def setTimeout(cb: Any, ms: Any = 0, *args: Any) -> Any:
        info = {"creator": tr.cur, "group": (tr.cur, _eff_delay(ms))}
        tr.clock_refresh()

        def fire(*a: Any) -> Any:
            tr.enter("timer", info["creator"], info["group"])
            return tr.call(cb, *a)

        h = jsloop.setTimeout(fire, ms, *args)
        refreshable[id(h)] = (h, info, _eff_delay(ms))
        return h

    def refresh(h: Any, once: dict[str, int], key: str) -> None:
        """``timer.refresh()`` (once per statement): re-filed at the end of its list."""
        if h is None or once.get(key):
            return
        once[key] = 1
        tr.clock_refresh()
        entry = refreshable.get(id(h))
        if entry is not None and entry[0] is h:
            entry[1]["creator"] = tr.cur
            entry[1]["group"] = (tr.cur, entry[2])
        else:
            tr.unsupported = "refresh of an interval"
        h.refresh()

    def setInterval(cb: Any, ms: Any = 0, *args: Any) -> Any:
        last = [tr.cur]
        tr.clock_refresh()

        def fire(*a: Any) -> Any:
            last[0] = tr.enter("timer", last[0], (last[0], _eff_delay(ms)))
            return tr.call(cb, *a)

        return jsloop.setInterval(fire, ms, *args)

    def nextTick(cb: Any, *args: Any) -> None:
        def tick(*a: Any) -> Any:
            try:
                return cb(*a)
            except Exception:
                tr.throws.add("tick")
                raise

        jsloop.nextTick(tick, *args)

    def setImmediate(cb: Any, *args: Any) -> Any:
        creator = tr.cur
        tr.imm_created.append((next(tr.seq), tr.now()))

        def fire(*a: Any) -> Any:
            tr.enter("imm", creator)
            return tr.call(cb, *a)

        return jsloop.setImmediate(fire, *args)

    ns: dict[str, Any] = {
        "log": log,
        "S": S,
        "SE": SE,
        "Boom": Boom,
        "thn": lambda label, v, mode: Thn(ns, label, v, mode),
        "raise_": raise_,
        "refresh": refresh,
        "Promise": Promise,
        "asyncfn": asyncfn,
        "setTimeout": setTimeout,
        "setInterval": setInterval,
        "setImmediate": setImmediate,
        "clearTimeout": jsloop.clearTimeout,
        "clearInterval": jsloop.clearInterval,
        "clearImmediate": jsloop.clearImmediate,
        "queueMicrotask": jsloop.queueMicrotask,
        "nextTick": nextTick,
        "H": {},
        "P": {},
        "C": {},
    }
    return ns


def run_py(source: str) -> tuple[list[str], Trace]:
    """Exec ``source`` (defines ``main``) and run it on a fake clock; return (output, trace)."""
    out: list[str] = []
    tr = Trace()
    ns = make_namespace(out, tr)
    exec(compile(source, "<program>", "exec"), ns)

    def on_unhandled(reason: Any, *_: Any) -> None:
        out.append("UR" + S(reason))

    def on_handled(*_: Any) -> None:
        out.append("RH")

    def on_uncaught(exc: Any, *_: Any) -> None:
        out.append("UE" + S(exc))

    jsloop.process.on("unhandledRejection", on_unhandled)
    jsloop.process.on("rejectionHandled", on_handled)
    jsloop.process.on("uncaughtException", on_uncaught)
    try:

        def main() -> None:
            tr.now()
            ns["main"]()

        run_fake(main)
    except Runaway:
        tr.runaway = True
    except BaseException as exc:
        out.append(f"RAISED {type(exc).__name__}: {exc}")
    finally:
        with contextlib.suppress(Exception):
            jsloop.process.off("unhandledRejection", on_unhandled)
        with contextlib.suppress(Exception):
            jsloop.process.off("rejectionHandled", on_handled)
        with contextlib.suppress(Exception):
            jsloop.process.off("uncaughtException", on_uncaught)
    return out, tr


def _ancestors(runs: dict[int, dict[str, Any]], uid: int) -> set[int]:
    seen = set()
    while uid is not None:
        seen.add(uid)
        uid = runs[uid]["parent"]
    return seen


def nondeterministic(tr: Trace) -> str | None:
    """Why Node could print this program in more than one order, or None."""
    if tr.unsupported:
        return tr.unsupported
    if tr.runaway:
        return "runaway"
    for kind in sorted(tr.throws & KNOWN_BUGS.keys()):
        return "known bug: " + KNOWN_BUGS[kind]
    runs = sorted(tr.runs.values(), key=lambda r: r["seq"])
    anc = {r["uid"]: _ancestors(tr.runs, r["uid"]) for r in runs}
    for a, b in itertools.combinations(runs, 2):
        if a["uid"] in anc[b["uid"]] or b["uid"] in anc[a["uid"]]:
            continue  # one created the other (through any chain): causally ordered
        margin = MARGIN_MS + PER_HOP_MS * max(a["depth"], b["depth"])
        if tr.throws:
            margin += UNCAUGHT_EXTRA_MS  # Node's uncaught-exception path is slow in a Worker
        if min(a["t"], b["t"]) == 0:
            margin += STARTUP_EXTRA_MS  # a fresh Worker's first milliseconds are the noisiest
        gap = abs(a["t"] - b["t"])
        if gap >= margin:
            continue
        kinds = {a["kind"], b["kind"]}
        if kinds == {"timer"}:
            if gap == 0 and a["group"] == b["group"]:
                # Same list, insertion order -- unless the second one's start is 1 ms
                # later and an immediate queued in between runs first (ORDERING §3.2).
                lo, hi = sorted((a["seq"], b["seq"]))
                if any(lo < s < hi for s, _ in tr.imm_created):
                    return f"same-list timers split by an immediate at {a['t']} ms"
                continue
            return f"timers {a['t']} ms and {b['t']} ms too close"
        if kinds == {"timer", "imm"}:
            t, i = (a, b) if a["kind"] == "timer" else (b, a)
            if t["t"] <= i["t"]:
                continue  # ordered through whatever ran the immediate's creator
            if i["creator_kind"] == "timer":
                # The check phase follows this timers phase -- unless a timer call in the
                # last timer's trailing drain refreshed the clock past the re-armed 1 ms
                # timer, which then runs first (ORDERING.md §3.2 quirk).
                if t["t"] - i["t"] <= QUIRK_MS and i["t"] in tr.drain_refresh:
                    return f"§3.2 quirk: immediate at {i['t']} ms vs timer at {t['t']} ms"
                continue
            return f"immediate at {i['t']} ms vs timer at {t['t']} ms"
    return None
