"""Shared test setup: the library lives in scripts/vnkb."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

SOURCE_DOCS = ROOT / "source_docs"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"   # the four texts the project started from, as extracted
