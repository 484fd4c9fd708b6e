"""The running loop of this thread.

Owns: which Loop (if any) runs in the calling thread. Every public call that
needs a loop (setTimeout, promise jobs, net...) asks ``get_loop()``; a loop
installs itself for the duration of ``run``. Imports: stdlib only.
"""

from __future__ import annotations

import threading
from typing import Any


class _State(threading.local):
    loop: Any = None


state = _State()


def get_loop() -> Any:
    """Return the Loop running in this thread, or raise RuntimeError."""
    loop = state.loop
    if loop is None:
        raise RuntimeError(
            "no jsloop loop is running in this thread: call this inside jsloop.run(main) "
            "or a script run by `jsloop script.py`"
        )
    return loop


def current_loop_or_none() -> Any:
    return state.loop
