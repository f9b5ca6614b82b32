#!/usr/bin/env bash
# One entry point for people and CI on a fresh Debian machine with Python 3.11:
#   ./dev.sh serve   build the sample knowledge base and serve it on http://127.0.0.1:8000
#   ./dev.sh test    run the whole test suite (installs Debian's chromium for browser tests,
#                    tesseract-ocr(-vie) for scans and libreoffice-writer-nogui for .doc)
#   ./dev.sh build | bench | shell
# It creates .venv and installs the pinned requirements.txt itself.
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=.venv
STAMP="$VENV/.requirements.sha256"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "need root to run: $*" >&2; return 1; fi; }

apt_install() {
  # apt_install [--no-install-recommends] PACKAGE...: install Debian packages that are missing
  local opts=() missing=()
  if [ "${1:-}" = --no-install-recommends ]; then opts+=("$1"); shift; fi
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${opts[@]}" "${missing[@]}" >/dev/null
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
      # Debian splits venv/ensurepip into python3-venv
      rm -rf "$VENV"
      apt_install python3-venv
      "$PY" -m venv "$VENV"
    fi
  fi
  local want
  want=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r requirements.txt
    echo "$want" > "$STAMP"
  fi
}

ensure_browser() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

ensure_ocr() {
  # Scans and photos: Tesseract and its Vietnamese model (about 25 MB).
  # .doc/.rtf/.odt: LibreOffice Writer without a GUI (about 285 MB, 50 packages;
  # recommends left out: fonts and Java are not needed to convert to .docx).
  apt_install tesseract-ocr tesseract-ocr-vie
  apt_install --no-install-recommends libreoffice-writer-nogui
}

cmd=${1:-help}
shift || true
case "$cmd" in
  serve)
    ensure_venv
    ensure_ocr
    exec "$VENV/bin/python" scripts/kb.py serve "$@"
    ;;
  build)
    ensure_venv
    ensure_ocr
    exec "$VENV/bin/python" scripts/kb.py build "$@"
    ;;
  test)
    ensure_venv
    ensure_browser
    ensure_ocr
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  bench)
    ensure_venv
    exec "$VENV/bin/python" scripts/bench.py "$@"
    ;;
  shell)
    ensure_venv
    exec "$VENV/bin/python" "$@"
    ;;
  *)
    sed -n '2,7p' "$0"
    ;;
esac
