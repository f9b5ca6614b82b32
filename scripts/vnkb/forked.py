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
from functools import partial

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


def _child(conn, fn, args, kwargs) -> None:
    _die_with_parent()
    try:
        conn.send((True, fn(*args, **kwargs)))
    except BaseException as exc:  # the parent raises it
        conn.send((False, exc))
    finally:
        conn.close()


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies (a killed
    build must not leave a child writing docs/ behind it)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def in_child(fn: Callable, *args, **kwargs):
    """fn(*args, **kwargs) in a forked process; its (small) result comes back.

    Everything fn allocates is given back to the system when the child exits:
    CPython keeps freed memory in its arenas, so a process that built a
    10,000-document archive held 2.3 GB while MkDocs ran beside it."""
    return Background(partial(fn, *args, **kwargs)).result()


class Background:
    """fn() started in a forked process; result() waits for what it returns
    (or raises what it raised)."""

    def __init__(self, fn: Callable):
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_child, args=(child, fn, (), {}))
        self.proc.start()
        child.close()

    def result(self):
        try:
            ok, value = self.conn.recv()
        except EOFError:
            self.proc.join()
            raise RuntimeError(f"a forked process ended without a result (exit code {self.proc.exitcode})") from None
        finally:
            self.conn.close()
        self.proc.join()
        if not ok:
            raise value
        return value

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.conn.close()


def two_way_map(fn: Callable, items: Iterable) -> list:
    """[fn(item) for item in items], made by this process and one forked
    child, each taking the next item when done with one; in the items' order.
    For a few large jobs: a pool's two children would each copy the pages of
    the archive that their work touches (reference counts are writes), and
    one child copies half as many."""
    items = list(items)
    if len(items) < 2 or processes() < 2 or _TASK is not None:
        return [fn(item) for item in items]
    ctx = mp.get_context("fork")
    taken = ctx.Value("i", 0)

    def work() -> dict:
        done = {}
        while True:
            with taken.get_lock():
                i = taken.value
                taken.value += 1
            if i >= len(items):
                return done
            done[i] = fn(items[i])
    with frozen():
        child = Background(work)
        try:
            done = work()
        except BaseException:
            child.kill()
            raise
        done.update(child.result())
    return [done[i] for i in range(len(items))]


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


__all__ = ["Background", "forked_map", "frozen", "in_child", "processes", "two_way_map"]
