#!/usr/bin/env python3
"""make fuzz: mutation fuzzing of every reader and of the citation finder.

Each sample original is mutated (bit flips, byte runs, truncation, chunk
duplication and deletion, splices of other originals) N times and read; a
reader may refuse a file (ExtractError) but must never crash with anything
else or hang (each input runs under an alarm). The citation finder gets
mutated sentences from the samples. Deterministic from --seed.

  python scripts/fuzz.py --runs 10000            # per reader and for the finder
"""
from __future__ import annotations

import argparse
import json
import random
import re
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from vnkb.cite.find import find_in_line  # noqa: E402
from vnkb.discover import identify  # noqa: E402
from vnkb.extract import ExtractError, extract  # noqa: E402
from vnkb.normalize import normalize  # noqa: E402
from vnkb.parse import parse  # noqa: E402

ALARM_S = 20


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def mutate(data: bytes, r: random.Random, others: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(r.randint(1, 8)):
        op = r.randrange(7)
        if not b:
            b = bytearray(r.randbytes(r.randint(1, 64)))
        pos = r.randrange(len(b))
        if op == 0:
            b[pos] ^= 1 << r.randrange(8)
        elif op == 1:
            b[pos:pos + r.randint(1, 16)] = r.randbytes(r.randint(1, 16))
        elif op == 2:
            del b[pos:]
        elif op == 3:
            n = r.randint(1, 256)
            b[pos:pos] = b[pos:pos + n] * r.randint(1, 4)
        elif op == 4:
            del b[pos:pos + r.randint(1, 512)]
        elif op == 5:
            other = r.choice(others)
            k = r.randrange(max(1, len(other)))
            b[pos:pos] = other[k:k + r.randint(1, 2048)]
        else:
            b[pos:pos + 4] = r.choice([b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"9999", b"obj ", b"PK\x03\x04"])
    return bytes(b)


def mutate_docx(data: bytes, r: random.Random, others: list[bytes]) -> bytes:
    """Structure-aware: mutate the XML inside the zip, so the reader gets past
    the zip checks and python-docx parses damaged WordprocessingML."""
    import io
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "word/document.xml" and r.random() < 0.6:
                body = _mutate_text_nodes(body, r)
            elif name == "word/document.xml" or (name.endswith(".xml") and r.random() < 0.1):
                body = mutate(body, r, [body])
            dst.writestr(name, body)
    return out.getvalue()


_TEXT_NODE = re.compile(rb"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)")
_ODD_TEXT = ["Số: 01/HD-UBND", "Nơi nhận:", "KT. CHỦ TỊCH", "\u0301\u0323", "ƣ", "Ð", "\u200b", "&lt;script&gt;",
             "Phụ lục II", "ngày 31/02/2019", "V/v ", "Kính gửi:", "- ", "TM. ", "999999/QĐ-TTg", "\t\t", "…" * 50]


def _mutate_text_nodes(xml: bytes, r: random.Random) -> bytes:
    """Change the text of some runs (keeping the XML well formed)."""
    def repl(m):
        if r.random() > 0.2:
            return m.group(0)
        text = m.group(2).decode("utf-8", "replace")
        pos = r.randint(0, len(text))
        text = text[:pos] + r.choice(_ODD_TEXT) + text[pos + r.randint(0, 5):]
        return m.group(1) + text.encode("utf-8") + m.group(3)
    return _TEXT_NODE.sub(repl, xml)


def fuzz_readers(runs: int, seed: int) -> dict:
    originals = sorted((ROOT / "source_docs").iterdir())
    datas = [p.read_bytes() for p in originals]
    report = {}
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory() as tmp:
        for path, data in zip(originals, datas):
            r = random.Random(f"{seed}:{path.name}")
            stats = {"runs": 0, "refused": 0, "read": 0, "crashes": [], "hangs": 0}
            target = Path(tmp) / ("x" + path.suffix)
            start = time.perf_counter()
            for i in range(runs):
                if path.suffix == ".docx" and r.random() < 0.7:
                    target.write_bytes(mutate_docx(data, r, datas))
                else:
                    target.write_bytes(mutate(data, r, datas))
                source = identify(target, target.name)
                signal.alarm(ALARM_S)
                try:
                    doc = parse(normalize(extract(target, source)), source)
                    assert doc is not None
                    stats["read"] += 1
                except ExtractError:
                    stats["refused"] += 1
                except Hang:
                    stats["hangs"] += 1
                except Exception as exc:  # the finding: a crash other than a clear refusal
                    if len(stats["crashes"]) < 5:
                        keep = Path(tmp).parent / f"fuzz-crash-{path.stem}-{i}{path.suffix}"
                        keep.write_bytes(target.read_bytes())
                        stats["crashes"].append({"input": str(keep), "error": repr(exc)[:200],
                                                 "where": traceback.format_exc().splitlines()[-3][:200]})
                    else:
                        stats["crashes"].append({"error": repr(exc)[:120]})
                finally:
                    signal.alarm(0)
                stats["runs"] += 1
            stats["seconds"] = round(time.perf_counter() - start, 1)
            stats["crash_count"] = len(stats["crashes"])
            report[path.name] = stats
    return report


def fuzz_citations(runs: int, seed: int) -> dict:
    r = random.Random(seed)
    lines = [line for p in sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
             for line in p.read_text(encoding="utf-8").splitlines() if len(line) > 20]
    alphabet = "0123456789/-–. QĐĐTWUBNDKHCTTBsốngàyháêăơưđ()“”,;:"
    crashes = []
    start = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    for _ in range(runs):
        text = list(r.choice(lines))
        for _ in range(r.randint(1, 10)):
            pos = r.randrange(len(text) + 1)
            text[pos:pos + r.randint(0, 3)] = r.choices(alphabet, k=r.randint(0, 6))
        line = "".join(text)
        signal.alarm(ALARM_S)
        try:
            find_in_line(line, r.choice([None, "Hà Tĩnh"]))
        except Hang:
            crashes.append({"input": line[:200], "error": "hang"})
        except Exception as exc:
            crashes.append({"input": line[:200], "error": repr(exc)[:200]})
        finally:
            signal.alarm(0)
    return {"runs": runs, "crashes": crashes[:10], "crash_count": len(crashes),
            "seconds": round(time.perf_counter() - start, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    report = {"readers": fuzz_readers(args.runs, args.seed), "citations": fuzz_citations(args.runs, args.seed)}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    bad = sum(s["crash_count"] + s["hangs"] for s in report["readers"].values()) + report["citations"]["crash_count"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
