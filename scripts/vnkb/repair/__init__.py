"""repair: text damaged by fonts and encodings, made whole again.

- syllables.py: the closed set of Vietnamese syllables
- legacy.py: TCVN3 (ABC), VNI and VISCII runs -> Unicode
- lm.py: word and bigram counts (shipped table + archive + document)
- glyphs.py: glyphs lost in PDF text layers (letters and digits)
- spacing.py: letter-spaced and glued words
Every change is a Repair (models.py) with its evidence and confidence.
"""
from __future__ import annotations

from ..models import Repair
from .context import RepairContext, default_context
from .glyphs import repair_glyphs
from .lm import Counts, Model

_MODELS: dict[int, tuple[object, Model]] = {}


def model_for(context: RepairContext | None) -> Model:
    """The word model of a context (cached per context object)."""
    context = context or default_context()
    key = id(context.archive)
    hit = _MODELS.get(key)
    if hit is None or hit[0] is not context.archive:
        _MODELS.clear()
        hit = (context.archive, Model(context.archive))
        _MODELS[key] = hit
    return hit[1]


def repair_lines(texts: list[str], fonts: list[str], context: RepairContext | None = None
                 ) -> tuple[list[str], list[Repair]]:
    """Lost glyphs of one document's lines (NFC, spaces as extracted)."""
    context = context or default_context()
    doc = Counts.of_lines(texts)
    model = Model(context.archive, doc)
    return repair_glyphs(texts, fonts, model, context.facts)
