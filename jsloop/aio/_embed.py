"""asyncio inside ``jsloop.run``: the running jsloop loop's asyncio face.

Owns: attaching a ``JsloopEventLoop`` in embedded mode to a running jsloop
``Loop`` (``asyncio.get_running_loop()`` returns it; async generators are
tracked by it) and detaching it when that loop closes.

Imports: asyncio, ._loop.
"""

from __future__ import annotations

import sys
from asyncio import events
from typing import Any

from ._loop import JsloopEventLoop


def attach(jl: Any) -> JsloopEventLoop:
    """Give the running jsloop loop ``jl`` its asyncio face (idempotent)."""
    face = getattr(jl, "aio_face", None)
    if face is not None:
        return face  # type: ignore[no-any-return]
    face = JsloopEventLoop(jl, _embedded=True)
    saved_hooks = sys.get_asyncgen_hooks()
    saved_running = events._get_running_loop()
    sys.set_asyncgen_hooks(
        firstiter=face._asyncgen_firstiter_hook, finalizer=face._asyncgen_finalizer_hook
    )
    face._set_coroutine_origin_tracking(face.get_debug())
    events._set_running_loop(face)

    def detach() -> None:
        events._set_running_loop(saved_running)
        sys.set_asyncgen_hooks(*saved_hooks)
        face._set_coroutine_origin_tracking(False)
        face._detach()

    jl.on_close(detach)
    return face
