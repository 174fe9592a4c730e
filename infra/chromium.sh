#!/usr/bin/env bash
# What the browser tests (infra/devstack/browser) need, installed if missing (idempotent):
#   - Debian's `chromium` (/usr/bin/chromium): the browser builds Playwright or Puppeteer
#     download cannot be fetched here, and Debian's package is what a developer has too;
#   - axe-core's axe.min.js, from the npm registry by `npm pack` (pinned, integrity checked by
#     npm) into .cache/axe-core/, so the tests inject it with no CDN at run time.
#
#   infra/chromium.sh            install both (quiet when there is nothing to do)
#
# Environment: STACKDESK_CHROMIUM (/usr/bin/chromium) is the binary the tests launch; when it
# is set to another path this script only checks that it exists.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AXE_VERSION=4.14.1
AXE_DIR="$REPO/.cache/axe-core"
CHROMIUM="${STACKDESK_CHROMIUM:-/usr/bin/chromium}"

log() { printf 'chromium: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_chromium() {
  if [[ -x "$CHROMIUM" ]]; then return 0; fi
  [[ "$CHROMIUM" == /usr/bin/chromium ]] || die "STACKDESK_CHROMIUM=$CHROMIUM is not an executable"
  command -v apt-get >/dev/null || die "no /usr/bin/chromium and no apt-get to install Debian's chromium"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt (a parallel install) rather than failing on its lock.
  local apt=("${sudo[@]}" apt-get -qq -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
  local pkgs=(chromium fonts-liberation)
  log "apt-get install ${pkgs[*]}"
  # The package lists are refreshed only when the install cannot go ahead without it
  # (never fetched, or stale: a version no longer on the mirror).
  if ! "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}" </dev/null >/dev/null 2>&1; then
    log "apt-get update"
    "${apt[@]}" update </dev/null
    "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}" </dev/null >/dev/null
  fi
  [[ -x "$CHROMIUM" ]] || die "apt-get installed chromium but $CHROMIUM is missing"
  log "$("$CHROMIUM" --version 2>/dev/null || echo installed)"
}

install_axe() {
  local js="$AXE_DIR/axe.min.js"
  if [[ -f "$js" && "$(cat "$AXE_DIR/.version" 2>/dev/null)" == "$AXE_VERSION" ]]; then return 0; fi
  command -v npm >/dev/null || die "npm is required to fetch axe-core@$AXE_VERSION"
  log "npm pack axe-core@$AXE_VERSION into ${AXE_DIR#"$REPO"/}"
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null) || die "npm pack axe-core@$AXE_VERSION failed"
  tar -xzf "$tmp"/axe-core-*.tgz -C "$tmp" package/axe.min.js package/LICENSE
  mkdir -p "$AXE_DIR"
  mv "$tmp/package/LICENSE" "$AXE_DIR/LICENSE"
  mv "$tmp/package/axe.min.js" "$js"
  printf '%s\n' "$AXE_VERSION" >"$AXE_DIR/.version"
}

install_chromium
install_axe
