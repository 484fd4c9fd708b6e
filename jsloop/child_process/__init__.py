"""``jsloop.child_process``: Node 20's ``child_process`` module.

``spawn``, ``exec``, ``execFile`` (callback forms), ``spawnSync``,
``execSync``, ``execFileSync``, ``ChildProcess``, and ``promises``
(``promises.exec``/``promises.execFile``: what ``util.promisify`` makes of
``exec``/``execFile`` in Node — a Promise of ``{stdout, stderr}``).

Layout: _options (argument checks, stdio, signals), _pipes (stdio streams
over pipe fds), _child (ChildProcess, spawn, exit noticed through a pidfd in
the poller), _exec (buffered exec/execFile + promise forms), _sync (blocking
forms). See docs/child_process.md.

Not supported (raise ERR_FEATURE_UNAVAILABLE_ON_PLATFORM): ``fork`` and
``'ipc'`` stdio, pipes at stdio index 3 and above. ``windowsHide`` and
``windowsVerbatimArguments`` are accepted and ignored (POSIX only).

Imports: its submodules.
"""

from __future__ import annotations

from types import SimpleNamespace

from ._child import ChildProcess, spawn
from ._exec import ExecError, ExecResult, exec, exec_promise, execFile, execFile_promise
from ._sync import ExecSyncError, SpawnSyncResult, execFileSync, execSync, spawnSync

promises = SimpleNamespace(exec=exec_promise, execFile=execFile_promise)
"""``util.promisify(exec)`` / ``util.promisify(execFile)``: Promise of ExecResult; ``.child``."""

__all__ = [
    "ChildProcess",
    "ExecError",
    "ExecResult",
    "ExecSyncError",
    "SpawnSyncResult",
    "exec",
    "execFile",
    "execFileSync",
    "execSync",
    "promises",
    "spawn",
    "spawnSync",
]
