"""Replace a whole output folder (site/, index/) by a freshly built one.

The new folder is built beside the old one (<name>.tmp) and put in place with
two renames; a build killed between them leaves <name>.old, which the next
build restores before it starts, so readers never see a half-written folder
and an interrupted build can always be rerun.
"""
from __future__ import annotations

import shutil
from pathlib import Path


def recover(target: Path) -> None:
    """Undo a swap interrupted between its two renames; drop leftovers."""
    old = target.with_name(target.name + ".old")
    if not target.exists() and old.exists():
        old.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(target.with_name(target.name + ".tmp"), ignore_errors=True)


def temp_for(target: Path) -> Path:
    recover(target)
    return target.with_name(target.name + ".tmp")


def swap_in(new: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
