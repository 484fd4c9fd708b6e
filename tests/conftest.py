"""Test-suite wide configuration (kept minimal: shared by every test module)."""

from __future__ import annotations


def pytest_configure(config):
    # hypothesis' failure report (the "git apply .hypothesis/patches/..." hint) imports
    # mypy_extensions.TypedDict, a DeprecationWarning; with filterwarnings=error that turns
    # every falsifying example into an INTERNALERROR instead of a readable failure.
    config.addinivalue_line(
        "filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
    )
