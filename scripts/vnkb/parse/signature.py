"""The end of the main document: signature block and distribution (Nơi nhận).

Decree 30 puts "Nơi nhận:" on the left and the signature on the right, on the
same rows: extracted text interleaves them (or keeps them apart as columns).
Lines are told apart by their shape: a distribution item starts with "-", the
signature is an authority prefix (TM./KT./TL./TUQ./Q.), position lines in
capitals, "(Đã ký)", and a personal name."""
from __future__ import annotations

import re

from dataclasses import dataclass, field

from ..models import Line, SignerInfo
from ..normalize import LIST_MARKER
from ..vntext import collapse_spaces, is_upper_line
from . import patterns as P


def is_person_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or len(text) > 40:
        return False
    return all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words)


@dataclass
class SignatureBlock:
    start: int                      # first line of the block (end of the main part)
    end: int                        # first line after the block
    signer: SignerInfo = field(default_factory=SignerInfo)
    distribution: list[str] = field(default_factory=list)
    found: bool = False


def _clean_item(text: str) -> str:
    return collapse_spaces(P.BULLET.sub("", text)).strip()


def find_block_start(lines: list[Line], begin: int) -> int | None:
    """Index of the first line of the signature/distribution block, or None."""
    for i in range(begin, len(lines)):
        if P.DISTRIBUTION.match(lines[i].text):
            j = i
            # Signature lines printed just before "Nơi nhận" (interleaved text).
            while j - 1 >= begin and (P.AUTHORITY.match(lines[j - 1].text)
                                      or (is_upper_line(lines[j - 1].text) and len(lines[j - 1].text) < 60
                                          and lines[j - 1].column == 1)):
                j -= 1
            return j
    # No "Nơi nhận": an authority line followed by a name within a few lines.
    for i in range(begin, len(lines)):
        if P.AUTHORITY.match(lines[i].text):
            if any(is_person_name(l.text) for l in lines[i + 1:i + 8]):
                return i
    return None


def parse_signature(lines: list[Line], begin: int, is_attachment_start) -> SignatureBlock:
    start = find_block_start(lines, begin)
    if start is None:
        return SignatureBlock(start=len(lines), end=len(lines))
    block = SignatureBlock(start=start, end=len(lines), found=True)
    authority: list[str] = []
    position: list[str] = []
    after_mark: list[str] = []
    after_name: list[str] = []
    signed_mark = False
    in_distribution = False
    i = start
    while i < len(lines):
        line = lines[i]
        text = line.text
        if block.signer.full_name and (is_attachment_start(lines, i) or len(after_name) >= 3
                                       or len(text) > 90 or LIST_MARKER.match(text) and not P.BULLET.match(text)):
            break
        if not block.signer.full_name and i > start and is_attachment_start(lines, i):
            break
        m = P.DISTRIBUTION.match(text)
        if m:
            in_distribution = True
            if m["rest"].strip():
                block.distribution.append(_clean_item(m["rest"]))
        elif P.BULLET.match(text) and (in_distribution or line.column == 0):
            in_distribution = True
            if block.signer.full_name and line.column != 0:
                break
            block.distribution.append(_clean_item(text))
        elif P.SIGNED_MARK.match(text):
            signed_mark = True
        elif P.AUTHORITY.match(text) and not block.signer.full_name:
            # "KT.CHỦ TỊCH" (a space lost in a scan or by typing) -> "KT. CHỦ TỊCH"
            authority.append(collapse_spaces(re.sub(r"^([A-Z/]+)\s*\.\s*", r"\1. ", text)))
        elif is_person_name(text) and not block.signer.full_name:
            block.signer.full_name = text
        elif block.signer.full_name:
            after_name.append(collapse_spaces(text))
        elif (in_distribution and line.column == 0 and block.distribution
              and not block.distribution[-1].endswith((";", ".", ":"))):
            # a distribution item wrapped onto a second line
            block.distribution[-1] = collapse_spaces(f"{block.distribution[-1]} {text}")
        elif is_upper_line(text):
            (after_mark if signed_mark else position).append(collapse_spaces(text))
        else:
            after_mark.append(collapse_spaces(text))
        i += 1
    block.end = i
    block.signer.authority = ", ".join(authority) or None
    block.signer.position = ", ".join(position) or None
    extra = [" ".join(after_mark)] if after_mark else []
    block.signer.other_positions = extra + after_name
    return block
