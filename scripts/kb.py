#!/usr/bin/env python3
"""kb: build, inspect and serve the knowledge base of Vietnamese guidance documents.

  python scripts/kb.py build              source_docs/ -> docs/ -> site/
  python scripts/kb.py extract PATH --json  one original -> its document model as JSON
  python scripts/kb.py serve              serve site/ on http://127.0.0.1:8000
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vnkb.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
