"""``python -m jsloop SCRIPT.py [ARGS]``."""

from .cli import main

raise SystemExit(main())
