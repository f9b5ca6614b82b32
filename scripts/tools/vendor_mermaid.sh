#!/usr/bin/env bash
# Refresh docs/assets/vendor/mermaid-<version>.min.js from the npm registry
# (the site never loads Mermaid from a CDN; see docs/assets/kb.js).
# Usage: scripts/tools/vendor_mermaid.sh [VERSION]; update MERMAID in kb.js
# and SHA256 below when changing the version.
set -euo pipefail
VERSION=${1:-11.17.2}
SHA256=581ed7d74bd9048d0e3a91363927d72ef22942d7722546b27f7cc29e35390eb8   # of 11.17.2 dist/mermaid.min.js
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "mermaid@$VERSION" >/dev/null && tar xzf mermaid-*.tgz)
if [ "$VERSION" = 11.17.2 ]; then
  echo "$SHA256  $tmp/package/dist/mermaid.min.js" | sha256sum -c -
fi
cp "$tmp/package/dist/mermaid.min.js" "docs/assets/vendor/mermaid-$VERSION.min.js"
cp "$tmp/package/LICENSE" docs/assets/vendor/mermaid-LICENSE.txt
echo "docs/assets/vendor/mermaid-$VERSION.min.js"
