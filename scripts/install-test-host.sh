#!/usr/bin/env bash
# Installs what the integration and webview tests need, skipping whatever is already there:
#   - Debian packages: chromium (drives the workbench and the webview tests), libkrb5-dev (code-server's
#     kerberos module), ripgrep (stands in for @vscode/ripgrep's download), build tools for native modules;
#   - code-server (the real VS Code server + web workbench, from the npm registry) into .vscode-test-host/.
# code-server 4.100.3 carries VS Code 1.100.3 and runs on Node 20; newer releases need Node 24.
# usage: scripts/install-test-host.sh
# env: SKIP_APT=1 never calls apt-get; MMX_HOST_PARTS=apt installs only the Debian packages (webview tests)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$ROOT/.vscode-test-host
CS_VERSION=4.100.3
CS_NODE_MAJOR=20
say() { echo "[test-host] $*"; }
die() { echo "[test-host] ERROR: $*" >&2; exit 1; }
timed() { local s; s=$(date +%s); "$@"; say "$(( $(date +%s) - s ))s: $*" >&2; }

# --- Debian packages --------------------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ -n "${SKIP_APT:-}" ]; then
    die "missing Debian packages: ${missing[*]} (SKIP_APT is set; install them with apt-get)"
  fi
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timed apt-get update -qq
  timed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present (chromium, ripgrep, libkrb5-dev, build tools)"
fi

[ "${MMX_HOST_PARTS:-all}" = apt ] && exit 0

# --- code-server --------------------------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = "$CS_NODE_MAJOR" ] ||
  die "code-server $CS_VERSION needs Node $CS_NODE_MAJOR, this machine has $(node -v)"

ENTRY=$DIR/cs/node_modules/code-server/out/node/entry.js
MARK=$DIR/cs/.installed-$CS_VERSION
if [ -f "$MARK" ] && [ -f "$ENTRY" ]; then
  say "code-server $CS_VERSION present in $DIR"
else
  say "installing code-server $CS_VERSION into $DIR (about a minute)"
  mkdir -p "$DIR/tmp" "$DIR/cs"
  [ -f "$DIR/cs/package.json" ] || echo '{"private":true}' > "$DIR/cs/package.json"
  # unsafe_perm: code-server's postinstall refuses root without it; yes: node-pty's postinstall runs npx node-gyp
  export TMPDIR=$DIR/tmp npm_config_yes=true npm_config_unsafe_perm=true
  # fetch without scripts first, so @vscode/ripgrep's download cache can be seeded before they run
  timed npm install --prefix "$DIR/cs" --no-audit --no-fund --ignore-scripts "code-server@$CS_VERSION" >/dev/null
  SW=$DIR/cs/node_modules/code-server/lib/vscode/npm-shrinkwrap.json
  RGV=$(node -e 'const p=require(process.argv[1]).packages["node_modules/@vscode/ripgrep"];console.log(p?p.version:"")' "$SW")
  if [ -n "$RGV" ]; then
    # @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache in $TMPDIR has the tarball
    (cd "$DIR/tmp" && npm pack -q "@vscode/ripgrep@$RGV" >/dev/null && tar xzf "vscode-ripgrep-$RGV.tgz" package/lib/postinstall.js)
    RGTAG=$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$DIR/tmp/package/lib/postinstall.js")
    [ -n "$RGTAG" ] || die "could not read the ripgrep release tag from @vscode/ripgrep@$RGV"
    mkdir -p "$DIR/tmp/rg" "$DIR/tmp/vscode-ripgrep-cache-$RGV"
    cp "$(command -v rg)" "$DIR/tmp/rg/rg"
    tar czf "$DIR/tmp/vscode-ripgrep-cache-$RGV/ripgrep-$RGTAG-x86_64-unknown-linux-musl.tar.gz" -C "$DIR/tmp/rg" rg
    say "seeded @vscode/ripgrep@$RGV cache ($RGTAG) with $(command -v rg)"
  fi
  s=$(date +%s)
  if ! npm rebuild --prefix "$DIR/cs" --foreground-scripts > "$DIR/rebuild.log" 2>&1; then
    tail -40 "$DIR/rebuild.log"
    die "building code-server's native modules failed (full log: $DIR/rebuild.log)"
  fi
  say "$(( $(date +%s) - s ))s: npm rebuild (code-server's native modules and postinstall)" >&2
  [ -f "$ENTRY" ] || die "code-server entry point missing after install: $ENTRY"
  touch "$MARK"
fi
echo "$ENTRY" > "$DIR/code-server-entry"
ver=$(HOME=$DIR/tmp XDG_CONFIG_HOME=$DIR/tmp/config XDG_DATA_HOME=$DIR/tmp/data node "$ENTRY" --version 2>/dev/null | grep -E "^[0-9]" | head -1)
say "code-server ready: $ver"
