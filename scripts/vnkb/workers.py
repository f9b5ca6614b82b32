"""Run process_file over many originals in worker processes, each file within a
time and memory limit.

A broken or hostile file (a PDF with enormous content streams, a zip bomb, a
parser stuck in a loop) must cost only itself: the worker that runs it is
killed when its time is up, or fails its allocation under an address-space
limit, and a fresh worker takes the next file. Results come back in the order
of the sources, so the build stays deterministic whatever the scheduling.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

from .models import FileResult, SourceFile


@dataclass
class Limits:
    seconds: float = 300.0      # OCR of a long scan takes minutes
    memory_mb: int = 2048
    jobs: int = 0          # 0: one per core, at most 2 (this machine's size)

    @property
    def workers(self) -> int:
        return self.jobs or max(1, min(2, os.cpu_count() or 1))


def _worker(conn, root: str, memory_mb: int) -> None:
    from .build import process_file

    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        index, source = job
        try:
            # progress lines (OCR pages ...) go to the parent's build log
            doc, result, times = process_file(Path(root), source, log=lambda msg: conn.send(("log", msg)))
        except MemoryError:
            doc, result, times = None, FileResult(path=source.path, status="failed", stage="extract",
                                                  reason=f"needs more than {memory_mb} MB of memory (limit)",
                                                  sha256=source.sha256), {}
        try:
            conn.send((index, doc, result, times))
        except Exception as exc:  # an unpicklable model would be a bug: report it, keep going
            conn.send((index, None, FileResult(path=source.path, status="failed", stage="parse",
                                               reason=f"result not transferable: {type(exc).__name__}",
                                               sha256=source.sha256), times))


class _Slot:
    def __init__(self, ctx, root: Path, limits: Limits):
        self.ctx, self.root, self.limits = ctx, root, limits
        self.job = None
        self.deadline = 0.0
        self._start()

    def _start(self) -> None:
        parent, child = self.ctx.Pipe()
        self.conn = parent
        self.proc = self.ctx.Process(target=_worker, args=(child, str(self.root), self.limits.memory_mb),
                                     daemon=True)
        self.proc.start()
        child.close()

    def give(self, index: int, source: SourceFile) -> None:
        self.job = (index, source)
        self.deadline = time.monotonic() + self.limits.seconds
        self.conn.send(self.job)

    def restart(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.conn.close()
        self._start()
        self.job = None

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


def run_files(root: Path, sources: list[SourceFile], limits: Limits | None = None, log=None):
    """[(doc or None, FileResult, times)] in the order of sources."""
    limits = limits or Limits()
    log = log or (lambda msg: None)
    results: list = [None] * len(sources)
    if not sources:
        return results
    ctx = mp.get_context("fork")
    slots = [_Slot(ctx, root, limits) for _ in range(min(limits.workers, len(sources)))]
    queue = list(enumerate(sources))
    done = 0
    step = 1 if len(sources) <= 200 else max(1, len(sources) // 100)
    try:
        while done < len(sources):
            for slot in slots:
                if slot.job is None and queue:
                    slot.give(*queue.pop(0))
            busy = [s for s in slots if s.job is not None]
            now = time.monotonic()
            ready = wait([s.conn for s in busy], timeout=max(0.05, min(s.deadline for s in busy) - now))
            for slot in busy:
                index, source = slot.job
                if slot.conn in ready:
                    try:
                        message = slot.conn.recv()
                        if message[0] == "log":
                            log(message[1])
                            continue
                        i, doc, result, times = message
                    except (EOFError, OSError):
                        code = slot.proc.exitcode
                        doc, times = None, {}
                        result = FileResult(path=source.path, status="failed", stage="extract",
                                            reason=f"the reader crashed on this file (exit code {code})",
                                            sha256=source.sha256)
                        slot.restart()
                    else:
                        slot.job = None
                elif time.monotonic() >= slot.deadline:
                    doc, times = None, {}
                    result = FileResult(path=source.path, status="failed", stage="extract",
                                        reason=f"took longer than {limits.seconds:g} s (time limit)",
                                        sha256=source.sha256)
                    slot.restart()
                else:
                    continue
                results[index] = (doc, result, times)
                done += 1
                if done % step == 0 or done == len(sources):
                    log(f"[{done}/{len(sources)}] {source.path}")
    finally:
        for slot in slots:
            slot.stop()
    return results
