"""Shared test setup: the library lives in scripts/vnkb; shared paths in tests/kbtest.py."""
from __future__ import annotations

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parent
for path in (_TESTS.parent / "scripts", _TESTS):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
