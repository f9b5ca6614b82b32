"""Paths shared by the tests (import as `from kbtest import ...`)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DOCS = ROOT / "source_docs"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"   # the four texts the project started from, as extracted
