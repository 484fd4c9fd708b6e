"""jsloop as an asyncio event loop, and asyncio inside jsloop (docs/asyncio.md).

Owns: the public face -- ``new_event_loop``, ``EventLoopPolicy``, ``install``,
``JsloopEventLoop`` -- re-exported by ``jsloop`` lazily, so ``import jsloop``
does not import asyncio. Importing this package wires the await bridge
(promise.py / asyncfn.py hooks, ``_bridge``).

Imports: asyncio, ._loop, ._bridge.
"""

from __future__ import annotations

from . import _bridge
from ._loop import EventLoopPolicy, JsloopEventLoop, install, new_event_loop

_bridge.enable()

__all__ = ["EventLoopPolicy", "JsloopEventLoop", "install", "new_event_loop"]
