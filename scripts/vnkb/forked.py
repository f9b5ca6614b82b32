"""Map a function over items in forked processes, results in the items' order.

For CPU-bound work over data the build already holds (document pages of a
large archive): forked children inherit that data, only the items (small
indexes) and the results cross a pipe. Results come back in order, so output
does not depend on scheduling; an exception in a child is raised here.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

PARALLEL_FROM = 64     # fewer items: a pool costs more than it saves

_TASK: Callable | None = None      # what the children call; inherited through fork


def _call(item):
    return _TASK(item)


def processes(procs: int = 0) -> int:
    """0: one per core, at most 2 (this machine's size)."""
    return procs or max(1, min(2, os.cpu_count() or 1))


def forked_map(fn: Callable, items: Iterable, procs: int = 0, chunksize: int = 8) -> Iterator:
    global _TASK
    items = list(items)
    procs = min(processes(procs), len(items))
    if procs <= 1 or len(items) < PARALLEL_FROM or _TASK is not None:   # no pools within pools
        yield from map(fn, items)
        return
    _TASK = fn
    try:
        with frozen(), mp.get_context("fork").Pool(procs) as pool:
            yield from pool.imap(_call, items, chunksize)
    finally:
        _TASK = None


@contextmanager
def frozen():
    """Every object made so far left out of garbage collection for the block:
    a forked child's collector walking the parent's objects would write to
    (and so copy) every page it shares with it. Thawed afterwards, unless
    they were frozen before (build() freezes the archive's models)."""
    outer = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not outer:
            gc.unfreeze()


__all__ = ["forked_map", "frozen", "processes"]
