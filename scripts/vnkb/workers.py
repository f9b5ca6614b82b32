"""Run process_file over many originals in worker processes, each file within a
time and memory limit.

A broken or hostile file (a PDF with enormous content streams, a zip bomb, a
parser stuck in a loop) must cost only itself: the worker that runs it is
killed when its time is up, or fails its allocation under an address-space
limit, and a fresh worker takes the next file. Results come back in the order
of the sources, so the build stays deterministic whatever the scheduling.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import resource
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

from .forked import processes
from .models import FileResult, SourceFile


@dataclass
class Limits:
    seconds: float = 300.0      # OCR of a long scan takes minutes
    memory_mb: int = 2048
    jobs: int = 0          # 0: one per core, at most 2 (this machine's size)

    @property
    def workers(self) -> int:
        return processes(self.jobs)


_CONTEXT = None      # the archive's repair evidence, inherited by forked workers
_CACHE = None        # the build's ResultCache, where pass 2's workers load texts


def _read_one(root: Path, source: SourceFile, log):
    """Pass 1: extract, and the document's share of the archive's repair
    evidence -> ((extracted, evidence) or None, failed result or None, times)."""
    from .extract import ExtractError, extract
    from .normalize import normalize_text
    from .repair.context import document_evidence
    t = time.perf_counter()
    try:
        extracted = extract(root / source.path, source, log=log)
        times = {"extract": time.perf_counter() - t}
        t = time.perf_counter()
        evidence = document_evidence([normalize_text(line.text) for line in extracted.lines])
        times["evidence"] = time.perf_counter() - t
        return (extracted, evidence), None, times
    except ExtractError as exc:
        reason = str(exc)
    except MemoryError:
        raise
    except Exception as exc:  # a reader bug must not stop the batch
        reason = f"unexpected {type(exc).__name__}: {exc}"
    return None, FileResult(path=source.path, status="failed", stage="extract", reason=reason,
                            sha256=source.sha256), {"extract": time.perf_counter() - t}


def _address_space() -> int:
    """Bytes of virtual memory this process has mapped (Linux /proc)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _worker(conn, root: str, memory_mb: int, job: str) -> None:
    from .build import process_file

    if memory_mb:
        # the limit is what one file may add: a forked worker starts with the
        # parent's address space (the whole archive's readings in a large build)
        limit = _address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    kind = job
    while True:
        try:
            work = conn.recv()
        except EOFError:
            return
        if work is None:
            return
        index, item = work
        source = item if kind == "read" else item[0]
        log = lambda msg: conn.send(("log", msg))   # progress lines (OCR pages ...) go to the build log
        try:
            if kind == "read":
                first, second, times = _read_one(Path(root), source, log)
            else:
                # what the repair looked up in the archive's evidence goes back
                # with the document: a later build reuses it while those hold
                from .repair.context import Recorder
                recorder = Recorder(_CONTEXT) if _CONTEXT is not None else None
                extracted = item[1]
                if isinstance(extracted, str):          # a cache key: the text waits there
                    extracted = _CACHE.get(extracted) if _CACHE is not None else None
                doc, second, times = process_file(Path(root), source, recorder.context if recorder else None,
                                                  extracted, log=log)
                first = (doc, recorder.deps() if recorder else None) if doc is not None else None
        except MemoryError:
            failed = FileResult(path=source.path, status="failed", stage="extract",
                                reason=f"needs more than {memory_mb} MB of memory (limit)", sha256=source.sha256)
            first, second, times = (None, failed, {})
        try:
            conn.send((index, first, second, times))
        except Exception as exc:  # an unpicklable model would be a bug: report it, keep going
            failed = FileResult(path=source.path, status="failed", stage="parse",
                                reason=f"result not transferable: {type(exc).__name__}", sha256=source.sha256)
            conn.send((index, None, failed, times))


class _Slot:
    def __init__(self, ctx, root: Path, limits: Limits, job: str):
        self.ctx, self.root, self.limits, self.kind = ctx, root, limits, job
        self.job = None
        self.deadline = 0.0
        self._start()

    def _start(self) -> None:
        parent, child = self.ctx.Pipe()
        self.conn = parent
        self.proc = self.ctx.Process(target=_worker, args=(child, str(self.root), self.limits.memory_mb, self.kind),
                                     daemon=True)
        self.proc.start()
        child.close()

    def give(self, index: int, item) -> None:
        self.job = (index, item)
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


def run_files(root: Path, items: list, limits: Limits | None = None, log=None, job: str = "process",
              context=None, cache=None):
    """Run one job per item in worker processes; yields the results in the
    order of items, each as soon as it and those before it are done (the
    caller stores a text before the next arrives: the readings of a whole
    archive are never held at once).

    job "read": items are SourceFiles -> (extracted or None, failed FileResult or None, times).
    job "process": items are (SourceFile, Extracted or the key of its text in
    `cache`, a ResultCache) -> ((doc, repair lookups) or None, FileResult,
    times); a text neither given nor cached is extracted again. `context` (the
    archive's repair evidence) and `cache` reach the workers by fork."""
    global _CONTEXT, _CACHE
    limits = limits or Limits()
    log = log or (lambda msg: None)
    sources = [item if job == "read" else item[0] for item in items]
    results: dict[int, tuple] = {}      # done, not yet yielded (out of order)
    if not items:
        return
    _CONTEXT, _CACHE = context, cache
    ctx = mp.get_context("fork")
    # Forked workers share the parent's heap (every reading and model of the
    # archive) copy-on-write. Frozen, those objects are left out of garbage
    # collection, in the parent and in the workers: a collection would scan
    # (and so copy) all of them, again and again, in every worker.
    gc.freeze()
    slots = [_Slot(ctx, root, limits, job) for _ in range(min(limits.workers, len(items)))]
    queue = list(enumerate(items))
    done = given = 0
    step = 1 if len(sources) <= 200 else max(1, len(sources) // 100)

    def feed() -> None:
        for slot in slots:
            if slot.job is None and queue:
                slot.give(*queue.pop(0))
    try:
        while done < len(sources):
            feed()
            busy = [s for s in slots if s.job is not None]
            now = time.monotonic()
            ready = wait([s.conn for s in busy], timeout=max(0.05, min(s.deadline for s in busy) - now))
            for slot in busy:
                index, item = slot.job
                source = sources[index]
                if slot.conn in ready:
                    try:
                        message = slot.conn.recv()
                        if message[0] == "log":
                            log(message[1])
                            continue
                        i, first, second, times = message
                    except (EOFError, OSError):
                        code = slot.proc.exitcode
                        first, times = None, {}
                        second = FileResult(path=source.path, status="failed", stage="extract",
                                            reason=f"the reader crashed on this file (exit code {code})",
                                            sha256=source.sha256)
                        slot.restart()
                    else:
                        slot.job = None
                elif time.monotonic() >= slot.deadline:
                    first, times = None, {}
                    second = FileResult(path=source.path, status="failed", stage="extract" if job == "read" else "parse",
                                        reason=f"took longer than {limits.seconds:g} s (time limit)",
                                        sha256=source.sha256)
                    slot.restart()
                else:
                    continue
                results[index] = (first, second, times)
                done += 1
                if done % step == 0 or done == len(sources):
                    log(f"[{done}/{len(sources)}] {source.path}")
            feed()                      # the workers keep busy while the caller takes results
            while given in results:
                yield results.pop(given)
                given += 1
    finally:
        for slot in slots:
            slot.stop()
        gc.unfreeze()
        _CONTEXT = _CACHE = None
