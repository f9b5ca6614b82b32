#!/usr/bin/env python3
"""Write scripts/vnkb/data/syllables.txt: every well-formed Vietnamese syllable
(lower case, NFC), generated from the phonotactic grammar of the written
language: onset + rhyme + tone, with the spelling rules

- c/k, g/gh, ng/ngh: k, gh, ngh before i, e, ê (and y for k);
- "qu" is q + a rhyme that opens with the glide u (qua, quy, quyên, quốc);
- "gi" + a rhyme that opens with i drops that i (gi + in = gin, gi + iêng = giêng);
- checked rhymes (ending in c, ch, p, t) take only the sắc or nặng tone;
- the tone sits on the main vowel; for open oa/oe/uy both the old style
  (hòa, hòe, thủy) and the new style (hoà, hoè, thuỷ) are written.

Run it after changing the grammar below; the output is committed.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "vnkb" / "data" / "syllables.txt"

ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
          "nh", "p", "ph", "r", "s", "t", "th", "tr", "v", "x"]
RHYMES = """
a ai ao au ay ac ach am an ang anh ap at ak
ăc ăm ăn ăng ăp ăt ăk
âc âm ân âng âp ât âu ây
e ec em en eng eo ep et
ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu
iêc iêm iên iêng iêp iêt iêu
o oc oi om on ong op ot ooc oong
ô ôc ôi ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua uc ui um un ung up ut
uôc uôi uôm uôn uông uôt
ư ưa ưc ưi ưm ưn ưng ưt ưu
ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêng yêt yêu
oa oac oach oai oam oan oang oanh oao oap oat oay
oăc oăm oăn oăng oăt
oe oen oeo oet
uân uâng uât uây
uê uêch uênh
uy uya uych uyên uyêt uynh uyt uyu uyp
uơ
""".split()
# rhymes after q (the u is the glide written in "qu")
Q_RHYMES = """ua uac uach uai uan uang uanh uao uat uay uăc uăm uăn uăng uăt uân uâng uât uây
ue uen ueo uet uê uêch uênh uy uych uyên uyêt uynh uyt uyu uơ uơi uôc ui uên uêt""".split()

VOWELS = set("aăâeêioôơuưy")
SPECIAL = set("ăâêôơư")
CHECKED = ("c", "ch", "p", "t", "k")   # k: Đắk Lắk
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]   # ngang huyền sắc hỏi ngã nặng
FRONT = ("i", "e", "ê", "y")


def tone_positions(rhyme: str, glide_skip: int = 0) -> list[int]:
    """Indexes (into rhyme) of the vowel that may carry the tone."""
    vowels = [i for i, ch in enumerate(rhyme) if ch in VOWELS and i >= glide_skip]
    if not vowels:
        return []
    has_coda = vowels[-1] < len(rhyme) - 1
    if has_coda:
        return [vowels[-1]]
    special = [i for i in vowels if rhyme[i] in SPECIAL]
    if special:
        return [special[-1]]
    core = rhyme[vowels[0]:]
    if len(vowels) == 1:
        return [vowels[0]]
    if core in ("oa", "oe", "uy"):
        return [vowels[1], vowels[0]]          # new style, old style
    if core in ("oai", "oay", "oao", "oeo", "uyu", "uya"):
        return [vowels[1]]
    return [vowels[0]]


def toned(text: str, pos: int, tone: str) -> str:
    return unicodedata.normalize("NFC", text[:pos + 1] + tone + text[pos + 1:])


def onset_allows(onset: str, rhyme: str) -> bool:
    first = rhyme[0]
    if onset in ("c", "g", "ng") and first in FRONT:
        return False
    if onset in ("gh", "ngh") and first not in FRONT:
        return False
    if onset == "k" and first not in FRONT and first not in "ao":   # place names: Bắc Kạn, Kon Tum
        return False
    if onset == "k" and rhyme.startswith("y") and len(rhyme) > 1 and rhyme[1] != "ê":
        return False
    if rhyme.startswith("y") and len(rhyme) > 1 and onset not in ("",):   # yên, yêu stand alone
        return False
    if rhyme.startswith("i") and len(rhyme) > 1 and rhyme[1] == "ê" and onset == "":
        return False                                                       # iê- needs an onset
    if rhyme[0] in "ou" and rhyme != "ua" and len(rhyme) > 1 and rhyme[1] in "aăâeêyơ" and onset in ("b", "m", "p", "v", "ph", "gi", "r"):
        return False    # a labial onset takes no glide o/u
    return True


def syllables() -> set[str]:
    out: set[str] = set()
    for onset in ONSETS:
        for rhyme in RHYMES:
            if not onset_allows(onset, rhyme):
                continue
            if onset == "gi" and rhyme.startswith("i"):
                if rhyme in ("ia", "iu"):
                    continue
                head, written = "g", rhyme        # gi + in = gin, gi + iêng = giêng
            else:
                head, written = onset, rhyme
            for pos in tone_positions(written):
                for tone in TONES:
                    if written.endswith(CHECKED) and tone not in ("\u0301", "\u0323"):
                        continue
                    out.add(head + toned(written, pos, tone))
    for rhyme in Q_RHYMES:
        for pos in tone_positions(rhyme, glide_skip=1):
            for tone in TONES:
                if rhyme.endswith(CHECKED) and tone not in ("\u0301", "\u0323"):
                    continue
                out.add("q" + toned(rhyme, pos, tone))
    return out


def main() -> None:
    words = sorted(syllables())
    OUT.write_text("# generated by scripts/tools/make_syllables.py: every well-formed Vietnamese syllable, NFC\n"
                   + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} syllables -> {OUT}")


if __name__ == "__main__":
    main()
