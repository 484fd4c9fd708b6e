"""Calling Python callables the way JavaScript calls functions.

JavaScript ignores surplus arguments: ``p.then(() => log('x'))`` works even
though the handler gets a value. Ported to Python as ``lambda: log('x')`` it
would raise TypeError. ``call_js`` passes only as many positional arguments as
a plain function or method can take; anything it cannot inspect cheaply
(builtins, partials, callable objects, ``*args`` functions) gets them all.

Imports: stdlib only.
"""

from __future__ import annotations

from types import FunctionType, MethodType
from typing import Any

_VARARGS = 0x04

_arity_cache: dict[Any, int] = {}


def max_positional(fn: Any) -> int:
    """How many positional arguments ``fn`` accepts; -1 when unknown or unlimited."""
    t = type(fn)
    if t is FunctionType:
        code = fn.__code__
        drop = 0
    elif t is MethodType:
        func = fn.__func__
        if type(func) is not FunctionType:
            return -1
        code = func.__code__
        drop = 1
    else:
        return -1
    n = _arity_cache.get(code)
    if n is None:
        n = -1 if code.co_flags & _VARARGS else code.co_argcount
        _arity_cache[code] = n
    if n < 0:
        return -1
    return max(n - drop, 0)


def call_js(fn: Any, *args: Any) -> Any:
    """Call ``fn`` with at most as many positional arguments as it takes."""
    n = max_positional(fn)
    if 0 <= n < len(args):
        return fn(*args[:n])
    return fn(*args)


def call_js1(fn: Any, arg: Any) -> Any:
    """``call_js(fn, arg)`` without building an argument tuple (promise handler path)."""
    if max_positional(fn) == 0:
        return fn()
    return fn(arg)
