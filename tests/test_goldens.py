"""Golden files: the full document model of every sample original.

Regenerate after an intended change with `make regen-goldens`
(UPDATE_GOLDENS=1), review the diff, commit. The switch must never be left on
in CI: test_switch_is_off fails there if it is.
"""
from __future__ import annotations

import json
import os

import pytest

from kbtest import ROOT, SEEDS, SOURCE_DOCS
from vnkb.build import process_file
from vnkb.discover import discover

GOLDENS = ROOT / "tests" / "goldens"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"


def model(root, source) -> dict:
    doc, result, _ = process_file(root, source)
    assert doc is not None, f"{source.path}: {result.reason}"
    return doc.to_dict()


def _cases():
    cases = [(SOURCE_DOCS, s) for s in discover(SOURCE_DOCS)]
    cases += [(SEEDS, s) for s in discover(SEEDS)]   # the same documents as plain extracted text
    return cases


@pytest.mark.parametrize("root,source", _cases(),
                         ids=[("seed-" if r == SEEDS else "") + s.path for r, s in _cases()])
def test_golden(root, source):
    name = ("seed-" if root == SEEDS else "") + source.path.rsplit(".", 1)[0] + ".json"
    got = json.dumps(model(root, source), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    path = GOLDENS / name
    if UPDATE:
        path.write_text(got, encoding="utf-8")
    assert path.is_file(), f"no golden {name}: run make regen-goldens"
    assert got == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_switch_is_off():
    assert not (UPDATE and os.environ.get("CI")), "UPDATE_GOLDENS must not be set in CI"
