#!/usr/bin/env python3
"""Text repair measured on generated damage (scripts/bench.py calls measure()).

Correct Vietnamese text (the samples after repair, tests/fixtures/seeds and
the held-out half of ../shared/corpus/vn-legal-real, which the shipped word
table was not counted from) is split into runs of lines, each set in one of
three simulated fonts. In two of the fonts a few glyphs are dropped: every
occurrence in that font's lines becomes a space (what a PDF font without
those glyphs leaves), while the same glyphs survive in the third font.
Dropped glyphs are the precomposed Vietnamese letters and digits, the ones
PDF fonts lose.

- restored_exactly: share of dropped glyphs put back as they were;
- wrong: share restored with another glyph;
- false edits per 10,000 characters: changes the full normalize + repair makes
  to the clean texts (nothing dropped), and changes at places where nothing
  was dropped in the damaged texts;
- legacy round trip: lines encoded to TCVN3/VNI/VISCII bytes and decoded back
  line by line give the same Unicode text.
"""
from __future__ import annotations

import json
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from vnkb.models import Extracted, Line  # noqa: E402
from vnkb.normalize import PRE_REPAIR_STEPS, _steps, normalize  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "vn-legal-real"
FONTS = ("SimA", "SimB", "SimC")


def clean_texts(corpus_every: int = 1) -> list[tuple[str, list[str]]]:
    """(name, lines) of correct text: samples after repair, seeds, held-out corpus."""
    from vnkb.build import process_file
    from vnkb.discover import discover
    out = []
    for root, tag in ((ROOT / "source_docs", "mẫu"), (ROOT / "tests" / "fixtures" / "seeds", "seed")):
        for source in discover(root):
            doc, _, _ = process_file(root, source)
            if doc is not None:
                out.append((f"{tag}:{source.path}", doc.body + [x for a in doc.attachments for x in a.lines]))
    if CORPUS.is_dir():
        held = sorted(p for p in CORPUS.glob("*.md") if p.name[0] in "89abcdef")
        for p in held[::corpus_every]:
            text = unicodedata.normalize("NFC", p.read_text(encoding="utf-8"))
            lines = [_steps(t, PRE_REPAIR_STEPS).strip() for t in text.splitlines()]
            out.append((f"corpus:{p.name}", [t for t in lines if t]))
    return out


def damage(lines: list[str], rng: random.Random) -> tuple[list[str], list[str], list[tuple[int, int, str]]]:
    """(damaged lines, font of each line, dropped (line, position, glyph))."""
    fonts = []
    i = 0
    while i < len(lines):
        run = rng.randint(3, 12)
        fonts.extend([rng.choice(FONTS)] * run)
        i += run
    fonts = fonts[:len(lines)]
    lost: dict[str, set[str]] = {}
    for font in FONTS[:2]:
        chars = [ch for t, f in zip(lines, fonts) if f == font for ch in t
                 if (ch.isalpha() and not ch.isascii()) or ch.isdigit()]
        common = sorted({ch for ch in chars if chars.count(ch) >= 3}) if len(chars) < 20000 else \
            sorted({ch for ch in set(chars)})
        rng.shuffle(common)
        lost[font] = set(common[:rng.randint(1, 3)])
    damaged, dropped = [], []
    for n, (t, f) in enumerate(zip(lines, fonts)):
        gone = lost.get(f, set())
        if gone:
            dropped.extend((n, k, ch) for k, ch in enumerate(t) if ch in gone)
            t = "".join(" " if ch in gone else ch for ch in t)
        damaged.append(t)
    return damaged, fonts, dropped


SEEDS = (3, 5, 7, 11)


def measure(corpus_every: int = 2, seeds: tuple[int, ...] = SEEDS) -> dict:
    """Pooled over several damage draws (seeds): one draw's fonts may lose
    only rare glyphs or several digits at once, so single draws vary by ±0.7%."""
    from vnkb.repair import repair_lines
    t0 = time.perf_counter()
    texts = clean_texts(corpus_every)
    dropped_total = restored = wrong = 0
    damaged_chars = stray = 0
    by_kind = {"letter": [0, 0], "digit": [0, 0]}
    per_seed = {}
    clean_chars = clean_edits = 0
    clean_examples = []
    for name, lines in texts:
        # clean text through the whole normalize stage: every applied repair is a false edit
        ex = normalize(Extracted(lines=[Line(text=t) for t in lines], pages=1, format="text"))
        clean_chars += sum(len(t) for t in lines)
        edits = [r for r in ex.repairs if r.applied]
        clean_edits += len(edits)
        clean_examples += [f"{name}: “{r.before}” -> “{r.after}”" for r in edits][:3]
    for seed in seeds:
        rng = random.Random(seed)
        seed_dropped = seed_restored = 0
        for name, lines in texts:
            damaged, fonts, dropped = damage(lines, rng)
            if not dropped:
                continue
            out, _ = repair_lines(damaged, fonts)
            at = {(n, k): ch for n, k, ch in dropped}
            for (n, k), ch in at.items():
                kind = "digit" if ch.isdigit() else "letter"
                by_kind[kind][1] += 1
                got = out[n][k] if len(out[n]) == len(damaged[n]) else None
                if got == ch:
                    seed_restored += 1
                    by_kind[kind][0] += 1
                elif got is not None and got != " ":
                    wrong += 1
            seed_dropped += len(at)
            for n, (a, b) in enumerate(zip(damaged, out)):
                damaged_chars += len(a)
                if len(a) == len(b):
                    stray += sum(1 for k, (x, y) in enumerate(zip(a, b)) if x != y and (n, k) not in at)
        per_seed[str(seed)] = round(seed_restored / max(1, seed_dropped), 4)
        dropped_total += seed_dropped
        restored += seed_restored
    return {
        "texts": len(texts),
        "clean_chars": clean_chars,
        "false_edits_per_10k_clean": round(clean_edits / max(1, clean_chars) * 1e4, 3),
        "clean_edits": clean_edits,
        "clean_edit_examples": clean_examples[:10],
        "seeds": list(seeds),
        "dropped_glyphs": dropped_total,
        "restored_exactly": round(restored / max(1, dropped_total), 4),
        "restored_exactly_per_seed": per_seed,
        "restored_wrong": round(wrong / max(1, dropped_total), 4),
        "restored_letters": round(by_kind["letter"][0] / max(1, by_kind["letter"][1]), 4),
        "restored_digits": round(by_kind["digit"][0] / max(1, by_kind["digit"][1]), 4),
        "stray_edits_per_10k_damaged": round(stray / max(1, damaged_chars) * 1e4, 3),
        "legacy_round_trip": legacy_round_trip(texts),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def legacy_round_trip(texts: list[tuple[str, list[str]]]) -> dict:
    """Each text -> legacy bytes -> Unicode again, decided line by line as the
    text reader does (lines that cannot be written in the encoding are left out)."""
    from vnkb.repair.legacy import convert, decode_lines_bytes, encode
    out = {}
    for name in ("tcvn3", "vni", "viscii"):
        same = n = 0
        for _, lines in texts:
            keep = []
            for t in lines:
                try:
                    keep.append((t, encode(t, name).encode("latin-1")))
                except UnicodeEncodeError:
                    continue
            got = decode_lines_bytes([raw for _, raw in keep])
            for (t, raw), (text, _) in zip(keep, got):
                if t.isascii():
                    continue
                # TCVN3 has no upper-case toned letters (the font draws them): compare with what it can hold
                want = convert(encode(t, name), name) if name == "tcvn3" else t
                n += 1
                same += text == want
        out[name] = round(same / max(1, n), 4)
        out[name + "_lines"] = n
    return out


def main() -> int:
    print(json.dumps(measure(), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
