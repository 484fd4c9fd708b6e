"""Argument checks and normalisation for ``child_process`` (Node's lib/child_process.js).

Owns: ``normalize_spawn_arguments`` (file, args, argv0, shell, env, cwd...),
``get_valid_stdio`` (the ``stdio`` option as a list of entries), signal
names/numbers (``convert_signal``), and the option validators Node applies
(``validate_timeout``, ``validate_max_buffer``, ``sanitize_kill_signal``).
Every bad argument raises Node's error at the call site, in Python form.

Imports: errors, abort (and stdlib).
"""

from __future__ import annotations

import os
import signal as signal_mod
from typing import Any

from ..abort import validate_abort_signal
from ..errors import NodeError, NodeRangeError, NodeTypeError, invalid_arg_type

SIGNAL_NUMBERS: dict[str, int] = {
    s.name: int(s.value) for s in signal_mod.Signals if not s.name.startswith("SIG_")
}
SIGNAL_NAMES: dict[int, str] = {}
for _name, _num in SIGNAL_NUMBERS.items():
    # The first name wins (SIGIOT and SIGABRT share a number; Node reports SIGABRT).
    SIGNAL_NAMES.setdefault(_num, _name)
SIGNAL_NAMES[int(signal_mod.SIGABRT)] = "SIGABRT"
SIGNAL_NAMES[int(signal_mod.SIGCHLD)] = "SIGCHLD"


def invalid_arg_value(name: str, value: Any, reason: str = "is invalid") -> NodeTypeError:
    """Node's ERR_INVALID_ARG_VALUE (a TypeError)."""
    kind = "property" if "." in name else "argument"
    return NodeTypeError(
        f"The {kind} '{name}' {reason}. Received {value!r}", "ERR_INVALID_ARG_VALUE"
    )


def unknown_signal(sig: Any) -> NodeTypeError:
    return NodeTypeError(f"Unknown signal: {sig}", "ERR_UNKNOWN_SIGNAL")


def convert_signal(sig: Any) -> int:
    """Node's ``convertToValidSignal``: a known name or number, as a number."""
    if isinstance(sig, bool):
        raise unknown_signal(sig)
    if isinstance(sig, int) and sig in SIGNAL_NAMES:
        return sig
    if isinstance(sig, str):
        num = SIGNAL_NUMBERS.get(sig.upper())
        if num is not None:
            return num
    raise unknown_signal(sig)


def sanitize_kill_signal(kill_signal: Any) -> int | None:
    """Node's ``sanitizeKillSignal``."""
    if isinstance(kill_signal, (str, int)) and not isinstance(kill_signal, bool):
        return convert_signal(kill_signal)
    if kill_signal is not None:
        raise invalid_arg_type("options.killSignal", "of type string or number", kill_signal)
    return None


def validate_timeout(timeout: Any) -> None:
    """Node's ``validateTimeout``: None or an integer >= 0."""
    ok = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
    if timeout is not None and not (ok and float(timeout).is_integer() and timeout >= 0):
        raise NodeRangeError(
            'The value of "timeout" is out of range. It must be an unsigned integer. '
            f"Received {timeout!r}",
            "ERR_OUT_OF_RANGE",
        )


def validate_max_buffer(max_buffer: Any) -> None:
    """Node's ``validateMaxBuffer``: None or a number >= 0 (``math.inf`` allowed)."""
    ok = isinstance(max_buffer, (int, float)) and not isinstance(max_buffer, bool)
    if max_buffer is not None and not (ok and max_buffer >= 0):
        raise NodeRangeError(
            'The value of "options.maxBuffer" is out of range. It must be a positive number. '
            f"Received {max_buffer!r}",
            "ERR_OUT_OF_RANGE",
        )


def _null_check(value: Any, name: str) -> None:
    if isinstance(value, str) and "\0" in value:
        raise invalid_arg_value(name, value, "must be a string without null bytes")


def _js_string(value: Any) -> str:
    """JavaScript's ``${value}`` for env values."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validate_object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_arg_type(name, "of type object", value)
    return value


def normalize_spawn_arguments(file: Any, args: Any, options: Any) -> dict[str, Any]:
    """Node's ``normalizeSpawnArguments``: a dict with ``file``, ``args`` (argv, argv0 first),
    ``cwd``, ``env`` (a dict of strings), ``detached``, ``shell``... and the other options."""
    if not isinstance(file, str):
        raise invalid_arg_type("file", "of type string", file)
    _null_check(file, "file")
    if not file:
        raise invalid_arg_value("file", file, "cannot be empty")
    if isinstance(args, (list, tuple)):
        args = list(args)
    elif args is None:
        args = []
    elif isinstance(args, dict):
        options, args = args, []
    else:
        raise invalid_arg_type("args", "of type object", args)
    for i, a in enumerate(args):
        if not isinstance(a, str):
            raise invalid_arg_type(f"args[{i}]", "of type string", a)
        _null_check(a, f"args[{i}]")
    opts = dict(validate_object(options, "options"))
    cwd = opts.get("cwd")
    if cwd is not None:
        if isinstance(cwd, bytes):
            cwd = os.fsdecode(cwd)
        elif isinstance(cwd, os.PathLike):
            cwd = os.fspath(cwd)
        if not isinstance(cwd, str):
            raise invalid_arg_type(
                "options.cwd", "of type string or an instance of Buffer or URL", cwd
            )
        _null_check(cwd, "options.cwd")
        cwd = cwd or None  # Node passes an empty cwd on as "no cwd"
    for key in ("detached", "windowsHide", "windowsVerbatimArguments"):
        if opts.get(key) is not None and not isinstance(opts[key], bool):
            raise invalid_arg_type(f"options.{key}", "of type boolean", opts[key])
    for key in ("uid", "gid"):
        v = opts.get(key)
        if v is not None and (
            isinstance(v, bool) or not isinstance(v, int) or not -(2**31) <= v < 2**31
        ):
            raise invalid_arg_type(f"options.{key}", "int32", v)
    shell = opts.get("shell")
    if shell is not None and not isinstance(shell, (bool, str)):
        raise invalid_arg_type("options.shell", "of type boolean or string", shell)
    argv0 = opts.get("argv0")
    if argv0 is not None:
        if not isinstance(argv0, str):
            raise invalid_arg_type("options.argv0", "of type string", argv0)
        _null_check(argv0, "options.argv0")
    if shell:
        _null_check(shell, "options.shell")
        command = " ".join([file, *args])
        file = shell if isinstance(shell, str) else "/bin/sh"
        args = ["-c", command]
    args.insert(0, argv0 if isinstance(argv0, str) else file)
    env_in = opts.get("env")
    if env_in is not None and not isinstance(env_in, dict) and not hasattr(env_in, "items"):
        raise invalid_arg_type("options.env", "of type object", env_in)
    source = os.environ if env_in is None else env_in
    env: dict[str, str] = {}
    for key, value in source.items():
        if value is None:
            continue
        _null_check(key, f"options.env['{key}']")
        sval = _js_string(value)
        _null_check(sval, f"options.env['{key}']")
        env[str(key)] = sval
    if env_in is not None and "NODE_V8_COVERAGE" in os.environ and "NODE_V8_COVERAGE" not in env:
        env["NODE_V8_COVERAGE"] = os.environ["NODE_V8_COVERAGE"]
    opts.update(
        file=file,
        args=args,
        cwd=cwd,
        env=env,
        detached=bool(opts.get("detached")),
    )
    return opts


def validate_spawn_options(opts: dict[str, Any]) -> int | None:
    """The checks ``spawn`` adds: timeout, signal, killSignal (returned as a number)."""
    validate_timeout(opts.get("timeout"))
    validate_abort_signal(opts.get("signal"), "options.signal")
    return sanitize_kill_signal(opts.get("killSignal"))


# -- stdio ---------------------------------------------------------------------------------

PIPE = "pipe"
IGNORE = "ignore"
INHERIT = "inherit"
FD = "fd"


def _stdio_string(stdio: str) -> list[Any]:
    if stdio in ("ignore", "pipe", "overlapped"):
        return [stdio, stdio, stdio]
    if stdio == "inherit":
        return [0, 1, 2]
    raise invalid_arg_value("stdio", stdio)


def _fd_of(value: Any) -> int | None:
    fd = getattr(value, "fd", None)
    if isinstance(fd, int) and not isinstance(fd, bool):
        return fd
    fileno = getattr(value, "fileno", None)
    if callable(fileno):
        try:
            n = fileno()
        except (OSError, ValueError):
            return None
        return n if isinstance(n, int) else None
    return None


def get_valid_stdio(stdio: Any, sync: bool) -> list[tuple[str, int]]:
    """Node's ``getValidStdio``: one ``(kind, fd)`` per child fd, at least three.

    ``kind`` is 'pipe', 'ignore', 'inherit' (the child gets the parent's fd of
    the same number) or 'fd' (the child gets the given parent fd).
    """
    if stdio is None:
        stdio = "pipe"
    if isinstance(stdio, str):
        items = _stdio_string(stdio)
    elif isinstance(stdio, (list, tuple)):
        items = list(stdio)
    else:
        raise invalid_arg_value("stdio", stdio)
    while len(items) < 3:
        items.append(None)
    out: list[tuple[str, int]] = []
    for i, item in enumerate(items):
        if item is None:
            item = "pipe" if i < 3 else "ignore"
        if item == "ignore":
            out.append((IGNORE, i))
        elif item in ("pipe", "overlapped") or (
            isinstance(item, int) and not isinstance(item, bool) and item < 0
        ):
            out.append((PIPE, i))
        elif item == "ipc":
            raise unsupported("stdio 'ipc' (an IPC channel)")
        elif item == "inherit":
            out.append((INHERIT, i))
        elif isinstance(item, int) and not isinstance(item, bool):
            out.append((FD, item))
        elif isinstance(item, (str, bytes, bytearray)):
            if not sync:
                err = NodeTypeError(
                    "Asynchronous forks do not support Buffer, TypedArray, DataView or "
                    f"string input: {item!r}",
                    "ERR_INVALID_SYNC_FORK_INPUT",
                )
                raise err
            out.append((PIPE, i))
        elif (fd := _fd_of(item)) is not None:
            out.append((FD, fd))
        else:
            raise invalid_arg_value("stdio", item)
    return out


def unsupported(what: str) -> NodeError:
    """jsloop's error for a Node feature it does not have (Node's code for such cases)."""
    err = NodeError(f"The feature {what} is unavailable in jsloop")
    err.code = "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"
    return err
