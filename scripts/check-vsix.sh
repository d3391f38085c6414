#!/usr/bin/env bash
# Packs the extension (unless a .vsix is given), runs the CLI from the unpacked .vsix (no node_modules:
# the bundles and wasm files must be self-contained), installs the .vsix into code-server with
# --install-extension (scratch extensions dir and HOME), checks that it is listed, then opens the
# workbench in headless Chromium and runs "MM Explorer: Show Engine Version" from the command
# palette, expecting its notification. Exit 0 when all of that worked.
# usage: scripts/check-vsix.sh [path/to/extension.vsix]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
say() { echo "[check-vsix] $*"; }

VSIX=${1:-}
if [ -z "$VSIX" ]; then
  rm -f ./*.vsix
  npm run --silent package >/dev/null
  VSIX=$(ls -t ./*.vsix | head -1)
fi
[ -f "$VSIX" ] || { say "no .vsix at '$VSIX'"; exit 1; }
VSIX=$(cd "$(dirname "$VSIX")" && pwd)/$(basename "$VSIX")
TMP=$(mktemp -d /tmp/mmx-vsix-XXXXXX)
TMP_UNPACK=$TMP/unpacked
trap 'rm -rf "$TMP"' EXIT
say "package: $VSIX ($(du -k "$VSIX" | cut -f1) KiB)"
say "contents:"
unzip -l "$VSIX" | awk 'NR>3 && $4 != "" {print "  " $4}' | grep -v '^  -' || true

# the bundles must run from the unpacked .vsix alone: no node_modules anywhere above it
mkdir -p "$TMP_UNPACK" && unzip -q "$VSIX" -d "$TMP_UNPACK"
(
  cd "$TMP_UNPACK/extension"
  say "unpacked CLI: $(node dist/mmx.js version)"
  if [ -f scenarios/dfs-race.mmscenario.yaml ]; then
    node dist/mmx.js compare scenarios/dfs-race.mmscenario.yaml --json > "$TMP_UNPACK/compare.json"
    say "unpacked CLI: compare scenarios/dfs-race.mmscenario.yaml --json ($(wc -c < "$TMP_UNPACK/compare.json") bytes)"
  fi
  PATCH=$ROOT/test/integration/workspace/patches/install_new_page-thread.txt
  if [ -f "$PATCH" ]; then
    # loads tree-sitter.wasm and tree-sitter-c.wasm from next to the bundle
    node dist/mmx.js analyze "$PATCH" --json > "$TMP_UNPACK/analyze.json"
    say "unpacked CLI: analyze $(basename "$PATCH") --json ($(wc -c < "$TMP_UNPACK/analyze.json") bytes)"
  fi
)

bash scripts/install-test-host.sh >/dev/null
ENTRY=$(cat .vscode-test-host/code-server-entry)
export HOME=$TMP XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data XDG_CACHE_HOME=$TMP/cache

node "$ENTRY" --extensions-dir "$TMP/ext" --user-data-dir "$TMP/ud" --install-extension "$VSIX"
ID=$(node -p 'const p=require("./package.json"); p.publisher + "." + p.name')
VER=$(node -p 'require("./package.json").version')
LISTED=$(node "$ENTRY" --extensions-dir "$TMP/ext" --user-data-dir "$TMP/ud" --list-extensions --show-versions 2>/dev/null)
echo "$LISTED" | grep -qx "$ID@$VER" || { say "$ID@$VER not listed after install: $LISTED"; exit 1; }
say "installed: $ID@$VER"
node scripts/check-vsix-run.mjs "$ENTRY" "$TMP" "$VER"
