#!/usr/bin/env python3
"""Write scripts/vnkb/data/syllables.tsv: Vietnamese syllables with their counts
in a corpus of real legal texts (default /work/shared/corpus/vn-legal-real/*.md),
for the post-OCR correction step (extract/ocr_fix.py).

Only words shaped like a Vietnamese syllable (onset + vowels + coda, after
folding marks) seen at least MIN_COUNT times are kept: acronyms ("UBND") and
typos of the corpus stay out. Sorted, so the file is byte-identical on rerun.

Usage: python scripts/tools/make_ocr_lexicon.py [CORPUS_DIR]
"""
from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from vnkb.extract.ocr_fix import is_syllable_shape  # noqa: E402

MIN_COUNT = 3
OUT = ROOT / "scripts" / "vnkb" / "data" / "syllables.tsv"


def main() -> int:
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/vn-legal-real")
    counts: Counter[str] = Counter()
    for path in sorted(corpus.glob("*.md")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        counts.update(w.lower() for w in re.findall(r"[^\W\d_]+", text))
    rows = sorted((w, n) for w, n in counts.items() if n >= MIN_COUNT and is_syllable_shape(w))
    OUT.write_text("# syllable\tcount in %d real legal texts (scripts/tools/make_syllables.py)\n"
                   % len(list(corpus.glob("*.md"))) + "".join(f"{w}\t{n}\n" for w, n in rows), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} syllables")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
