"""Give every ``jsloop.run`` an asyncio face -- without importing asyncio for it.

Owns: the decision, at the start of a run, whether to attach the asyncio face
(jsloop/aio/_embed.py) now -- asyncio is already imported -- or when the
program first imports asyncio during the run (a one-shot ``sys.meta_path``
finder, removed when the run ends). A program that never imports asyncio
pays one list insert and removal per run, nothing per callback.

Imports: stdlib only (jsloop.aio lazily).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from ._runtime import state


def _attach(loop: Any) -> None:
    from .aio._embed import attach

    attach(loop)


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: Any, loop: Any) -> None:
        self.inner = inner
        self.loop = loop

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        if state.loop is self.loop and not self.loop.closed:
            _attach(self.loop)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, loop: Any) -> None:
        self.loop = loop

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "asyncio":
            return None
        remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, self.loop)
        return spec


def remove(finder: Any) -> None:
    try:
        sys.meta_path.remove(finder)
    except ValueError:
        pass


def on_run_start(loop: Any) -> None:
    """Called by ``run_program`` right after ``loop`` became this thread's loop."""
    if "asyncio" in sys.modules:
        _attach(loop)
        return
    finder = _Finder(loop)
    sys.meta_path.insert(0, finder)
    loop.on_close(lambda: remove(finder))
