"""Shared helpers for jsloop's ordering tests (fake-clock runs, logs, Node harness)."""
