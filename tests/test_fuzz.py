"""A short mutation-fuzz run of every reader and of the citation finder
(`make fuzz` runs 10,000 inputs each): damaged originals are refused with a
reason, never crash a reader, never hang."""
from __future__ import annotations

import importlib.util

from kbtest import ROOT

spec = importlib.util.spec_from_file_location("fuzz", ROOT / "scripts" / "fuzz.py")
fuzz = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fuzz)


def test_readers_refuse_damaged_files_cleanly():
    report = fuzz.fuzz_readers(runs=60, seed=11)
    for name, stats in report.items():
        assert stats["crash_count"] == 0 and stats["hangs"] == 0, (name, stats["crashes"][:3])
        assert stats["refused"] + stats["read"] == stats["runs"]
    # the mutations must reach the parsers, not only the file-format checks
    assert all(stats["read"] > 0 for stats in report.values()), {k: v["read"] for k, v in report.items()}


def test_citation_finder_survives_mutated_text():
    stats = fuzz.fuzz_citations(runs=3000, seed=11)
    assert stats["crash_count"] == 0, stats["crashes"]
