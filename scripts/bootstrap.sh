#!/usr/bin/env bash
# bootstrap.sh — make this checkout runnable: system packages, the mediasoup worker binary, npm dependencies.
# Run by `npm start` (prestart) and `npm test` (pretest, with --test); takes well under a second when everything
# is already there.
#
#   bash scripts/bootstrap.sh          needs redis-server
#   bash scripts/bootstrap.sh --test   also postgresql and chromium (ledger and browser tests)
#
# Missing system packages are installed with apt-get when running as root on Debian/Ubuntu; anywhere else the
# script stops and names what to install. Order matters: system packages → mediasoup worker → npm install, because
# npm skips mediasoup's own (offline-impossible) worker build only when MEDIASOUP_WORKER_BIN is set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly ME="bootstrap.sh"
log() { printf '[%s] %s\n' "$ME" "$*" >&2; }
die() {
  printf '[%s] error: %s\n' "$ME" "$*" >&2
  exit 1
}

test_mode=false
case "${1:-}" in
  --test) test_mode=true ;;
  "") ;;
  *) die "unknown argument '$1' (usage: bash scripts/bootstrap.sh [--test])" ;;
esac

# --- 1. System packages (Debian package names). ---------------------------------------------------------------
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# ffmpeg records lives to HLS (replay, issue #17).
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
if $test_mode; then
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # A compose client to validate docker-compose.yml (test/deploy/compose.test.ts, .ci/run); no engine is needed.
  { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; } || missing+=(docker-compose)
fi
# A CJK font and a colour emoji font so zh-CN text and emoji in the browser tests' screenshots are legible (tests
# pass without them: best effort).
fonts=()
if $test_mode && [[ -f /etc/debian_version && "$(id -u)" == 0 ]]; then
  fc-list :lang=zh 2>/dev/null | grep -q . || fonts+=(fonts-wqy-zenhei)
  fc-list 2>/dev/null | grep -qi 'color emoji' || fonts+=(fonts-noto-color-emoji)
fi
if ((${#fonts[@]})); then
  log "installing ${fonts[*]} (zh-CN and emoji in test screenshots)"
  (apt-get install -y -qq "${fonts[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${fonts[@]}"; }) ||
    log "warning: ${fonts[*]} did not install; screenshots will show boxes for zh-CN text or emoji"
fi

if ((${#missing[@]})); then
  if [[ -f /etc/debian_version && "$(id -u)" == 0 ]]; then
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    command -v redis-server >/dev/null 2>&1 || die "redis-server is still missing after apt-get install"
  else
    brew_names=()
    for p in "${missing[@]}"; do
      case "$p" in
        redis-server) brew_names+=(redis) ;;
        ffmpeg) brew_names+=(ffmpeg) ;;
        postgresql) brew_names+=(postgresql@16) ;;
        chromium) brew_names+=(--cask chromium) ;;
      esac
    done
    {
      printf '[%s] error: missing system packages: %s\n' "$ME" "${missing[*]}"
      if [[ -f /etc/debian_version ]]; then
        printf '  install them: sudo apt-get install -y %s   (or re-run this script as root)\n' "${missing[*]}"
      elif [[ "$(uname -s)" == Darwin ]]; then
        printf '  install them: brew install %s\n' "${brew_names[*]}"
      else
        printf '  install them with your package manager (Debian/Ubuntu: apt-get install -y %s; macOS: brew install %s)\n' \
          "${missing[*]}" "${brew_names[*]}"
      fi
      if [[ " ${missing[*]} " == *" redis-server "* ]]; then
        printf '  (or set REDIS_URL to an existing Redis >= 6.2 instead of running a local redis-server)\n'
      fi
    } >&2
    exit 1
  fi
fi

# --- 2. mediasoup worker hook --------------------------------------------------------------------------------
# scripts/mediasoup-worker.sh builds (once, cached outside node_modules) and prints the mediasoup-worker binary.
# Exported before `npm install` so mediasoup's postinstall skips its own build; also written to
# .data/mediasoup-worker-bin because nothing sources this script: scripts/up.ts and the tests read it there.
if [[ -f scripts/mediasoup-worker.sh ]]; then
  ms_bin="$(bash scripts/mediasoup-worker.sh)" || die "the mediasoup worker is not available (see the messages above)"
  export MEDIASOUP_WORKER_BIN="$ms_bin"
  mkdir -p .data
  if [[ "$(cat .data/mediasoup-worker-bin 2>/dev/null || true)" != "$ms_bin" ]]; then
    printf '%s\n' "$ms_bin" >.data/mediasoup-worker-bin
  fi
fi

# --- 3. npm dependencies ---------------------------------------------------------------------------------------
# node_modules/.package-lock.json is npm's record of what is installed; an older one means the lockfile changed.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  [[ -f package-lock.json ]] || die "package-lock.json is missing: run 'npm install' once to create it"
  # NOTE: `npm install`, not `npm ci`: the registry mirror these machines reach lacks other platforms' optional
  # binaries (e.g. @biomejs/cli-win32-x64), so the lockfile can't list them and `npm ci` refuses it as out of
  # sync. With a lockfile present, `npm install` installs exactly the locked versions and leaves it unchanged.
  log "installing npm dependencies (npm install from package-lock.json)"
  npm install --no-audit --no-fund --no-progress
  if ! git diff --quiet -- package-lock.json 2>/dev/null; then
    log "note: npm install changed package-lock.json (package.json and the lockfile disagreed); commit the update"
  fi
fi
