"""Diagnostics: blocked-loop watchdog, live handles, timeline trace, async tracebacks,
microtask starvation guard. All opt-in; all free when off.

Owns: the public switches (``enable``/``disable``, ``watchdog``,
``enable_from_env``), the "why is it still running?" listing
(``activeHandles``, ``format_active_handles``, ``why_running``), and the CLI
glue for ``jsloop --watchdog=MS --trace=FILE --why-running --debug
--warn-starvation=MS``.

Cost model (docs/diagnostics.md): importing this module changes nothing.
``enable(...)`` swaps in the instrumented loop (``_diag.DiagLoop``) and a few
wrapped module functions; ``disable()`` restores the originals. The
handle listing works without ``enable``: it reads the loop's own timer lists,
immediate queue and watcher table; only the *creation stacks* need
``enable(debug=True)`` (``--why-running`` or ``--debug``).

Environment: ``JSLOOP_WATCHDOG=MS``, ``JSLOOP_TRACE=FILE``, ``JSLOOP_DEBUG=1``,
``JSLOOP_WARN_STARVATION=MS`` (read once, when ``jsloop`` is imported).

Imports: _diag, _watchdog, _runtime, timers (and stdlib).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from typing import Any, TextIO

import attrs

from . import _diag
from ._diag import Frame, Site, defined_at, format_site, settings
from ._runtime import state

__all__ = [
    "ENV_VARS",
    "HandleInfo",
    "activeHandles",
    "disable",
    "enable",
    "enable_from_env",
    "format_active_handles",
    "watchdog",
    "why_running",
]

ENV_VARS = ("JSLOOP_WATCHDOG", "JSLOOP_TRACE", "JSLOOP_DEBUG", "JSLOOP_WARN_STARVATION")


# -- switches ---------------------------------------------------------------------------


def enable(
    *,
    watchdog: float | None = None,
    trace: str | None = None,
    debug: bool | None = None,
    starvation: float | None = None,
) -> None:
    """Switch diagnostics on for this process (loops created from now on, and the running one).

    ``watchdog``: report any callback that holds the loop longer than this many ms.
    ``trace``: write a Chrome/Perfetto trace of each run to this path when its loop closes.
    ``debug``: capture full creation stacks (for ``activeHandles``) and add the
    "scheduled from" chain under tracebacks of uncaught errors and rejections.
    ``starvation``: warn when nextTick/microtasks keep the loop from its phases this long.
    Arguments left as None keep their current setting.
    """
    if watchdog is not None:
        if watchdog <= 0:
            raise ValueError("watchdog threshold must be > 0 ms")
        settings.watchdog_ms = float(watchdog)
    if trace is not None:
        settings.trace_path = os.path.abspath(trace)
    if debug is not None:
        settings.debug = bool(debug)
    if starvation is not None:
        if starvation <= 0:
            raise ValueError("starvation threshold must be > 0 ms")
        settings.starvation_ms = float(starvation)
    settings.stack_depth = 8 if settings.debug else 1
    if not settings.any_on:
        return
    _diag.install()
    if settings.watchdog_ms is not None:
        from . import _watchdog

        _watchdog.start(settings.watchdog_ms)


def disable() -> None:
    """Switch every diagnostic off and restore the uninstrumented loop (zero cost again)."""
    from . import _watchdog

    _watchdog.stop()
    settings.watchdog_ms = None
    settings.trace_path = None
    settings.starvation_ms = None
    settings.debug = False
    settings.stack_depth = 1
    _diag.uninstall()


def watchdog(threshold_ms: float) -> None:
    """Start the blocked-loop watchdog: ``enable(watchdog=threshold_ms)``."""
    enable(watchdog=threshold_ms)


def _env_ms(name: str) -> float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        sys.stderr.write(f"jsloop: ignoring {name}={raw!r} (expected milliseconds)\n")
        return None
    return value if value > 0 else None


def enable_from_env() -> None:
    """Apply the ``JSLOOP_WATCHDOG``/``_TRACE``/``_DEBUG``/``_WARN_STARVATION`` variables."""
    debug = os.environ.get("JSLOOP_DEBUG", "").strip().lower() not in ("", "0", "false", "no")
    enable(
        watchdog=_env_ms("JSLOOP_WATCHDOG"),
        trace=os.environ.get("JSLOOP_TRACE") or None,
        debug=True if debug else None,
        starvation=_env_ms("JSLOOP_WARN_STARVATION"),
    )


# -- why is it still running? -------------------------------------------------------------


@attrs.frozen
class HandleInfo:
    """One thing that keeps (or could keep) the loop alive, as ``activeHandles`` lists it."""

    kind: str  # Timeout, Interval, Immediate, IOWatcher, PoolRequest, Handle, Request
    description: str
    refed: bool
    created_at: Site = ()  # innermost first; empty unless debug capture was on
    callback_defined_at: Frame | None = None
    handle: Any = attrs.field(default=None, repr=False)


def _task_site(cb: Any) -> Site:
    return cb.site if isinstance(cb, _diag.Task) else ()


def _cb_name(cb: Any) -> str:
    return _diag.callable_name(cb.fn if isinstance(cb, _diag.Task) else cb)


def activeHandles(include_unref: bool = False, loop: Any = None) -> list[HandleInfo]:
    """Every live handle and pending request of the running loop (``why-is-node-running``).

    Timers, intervals, immediates, I/O watchers (sockets, servers), thread-pool
    requests, plus anonymous handle/request references the loop counts. Only
    referenced ones unless ``include_unref``. ``created_at`` is filled when
    diagnostics ran with ``debug=True`` (``jsloop --why-running``).
    """
    loop = loop if loop is not None else state.loop
    if loop is None:
        return []
    out: list[HandleInfo] = []
    for lst in list(loop.timer_lists.values()):
        t = lst._next
        while t is not lst and t is not None:
            cb = t._on_timeout
            refed = bool(t._refed)
            if cb is not None and not t._destroyed and (refed or include_unref):
                kind = "Interval" if t._repeat is not None else "Timeout"
                out.append(HandleInfo(
                    kind, f"{t._idle_timeout:g} ms, callback {_cb_name(cb)}", refed,
                    _task_site(cb), defined_at(cb), t,
                ))
            t = t._next
    for imm in list(loop.immediates):
        cb = imm._on_immediate
        refed = bool(imm._refed)
        if cb is not None and not imm._destroyed and (refed or include_unref):
            out.append(HandleInfo("Immediate", f"callback {_cb_name(cb)}", refed,
                                  _task_site(cb), defined_at(cb), imm))
    watched_refs = 0
    for fd, w in list(loop.watchers.items()):
        if w is loop._wake_watcher or not w.events:
            continue
        if w.refed:
            watched_refs += 1
        if w.refed or include_unref:
            mode = "+".join(n for n, bit in (("read", 1), ("write", 4)) if w.events & bit)
            desc = f"fd {fd} ({mode}), callback {_cb_name(w.callback)}"
            out.append(HandleInfo("IOWatcher", desc, w.refed, _task_site(w.callback),
                                  defined_at(w.callback), w))
    ld: _diag.LoopDiag | None = getattr(loop, "_diag", None)
    pool_known = 0
    if ld is not None:
        for task in list(ld.pool_pending.values()):
            pool_known += 1
            out.append(HandleInfo("PoolRequest", f"thread-pool job {task.arg}", True, task.site,
                                  None, task))
    extra_handles = loop.handle_refs - watched_refs
    if extra_handles > 0:
        sites = list(ld.handle_sites[-extra_handles:]) if ld is not None else []
        for i in range(extra_handles):
            site = sites[i] if i < len(sites) else ()
            out.append(HandleInfo("Handle", "a referenced handle (server, signal watcher...)",
                                  True, site))
    extra_reqs = loop.req_refs - pool_known
    if extra_reqs > 0:
        out.append(HandleInfo("Request", f"{extra_reqs} in-flight request(s)", True))
    if loop.pending or loop.closing:
        n = len(loop.pending) + len(loop.closing)
        out.append(HandleInfo("Request", f"{n} pending/close callback(s)", True))
    return out


def format_active_handles(handles: list[HandleInfo] | None = None) -> str:
    """The listing ``why_running`` prints."""
    if handles is None:
        handles = activeHandles()
    if not handles:
        return "jsloop: nothing keeps the loop alive: it will exit after the current callback.\n"
    lines = [f"jsloop: {len(handles)} handle(s)/request(s) keep the loop alive:"]
    for h in handles:
        flag = "" if h.refed else " [unref]"
        lines.append(f"- {h.kind}{flag}: {h.description}")
        if h.callback_defined_at is not None:
            filename, lineno, func = h.callback_defined_at
            lines.append(f"    callback defined at {filename}:{lineno} ({func})")
        if h.created_at:
            lines.append("    created at (most recent call last):")
            lines.append(format_site(tuple(reversed(h.created_at)), indent="      "))
        elif not settings.debug:
            lines.append("    (--why-running or JSLOOP_DEBUG=1 shows where it was created)")
    return "\n".join(lines) + "\n"


def why_running(file: TextIO | None = None) -> None:
    """Print every live referenced handle and pending request, with creation stacks."""
    out = file if file is not None else sys.stderr
    out.write(format_active_handles())
    out.flush()


# -- CLI glue ------------------------------------------------------------------------------


def add_cli_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("diagnostics (docs/diagnostics.md)")
    g.add_argument("--watchdog", metavar="MS", type=float, default=None,
                   help="report any callback that blocks the loop longer than MS, with its stack")
    g.add_argument("--trace", metavar="FILE", default=None,
                   help="write a Chrome/Perfetto trace-event JSON timeline of the run to FILE")
    g.add_argument("--why-running", action="store_true",
                   help="record where handles are created; SIGUSR1 lists what keeps the loop alive")
    g.add_argument("--debug", action="store_true",
                   help="creation stacks and async tracebacks ('scheduled from' chains)")
    g.add_argument("--warn-starvation", metavar="MS", type=float, default=None,
                   help="warn when nextTick/microtasks keep the loop from its phases for MS")


def cli_start(ns: argparse.Namespace) -> Callable[[], None] | None:
    """Apply the CLI's diagnostic flags; returns a finisher (or None when all are off)."""
    want_debug = bool(ns.debug or ns.why_running)
    if not (ns.watchdog or ns.trace or want_debug or ns.warn_starvation):
        return None
    enable(
        watchdog=ns.watchdog,
        trace=ns.trace,
        debug=True if want_debug else None,
        starvation=ns.warn_starvation,
    )
    if ns.why_running and hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, _on_sigusr1)
        sys.stderr.write(
            f"jsloop: --why-running: `kill -USR1 {os.getpid()}` lists what keeps the loop alive\n"
        )
        sys.stderr.flush()

    def finish() -> None:
        if ns.why_running and hasattr(signal, "SIGUSR1"):
            signal.signal(signal.SIGUSR1, signal.SIG_DFL)
        if ns.trace:
            sys.stderr.write(f"jsloop: trace written to {os.path.abspath(ns.trace)}\n")
        disable()

    return finish


def _on_sigusr1(signum: int, frame: Any) -> None:
    # Runs on the main (loop) thread between two bytecodes: reading the loop's
    # lists is safe (a half-linked timer is merely skipped), so the listing
    # works even while a callback blocks the loop.
    why_running()

