#!/usr/bin/env bash
# mediasoup-worker.sh — build (once) and cache the mediasoup 3.8.4 worker binary, print its absolute path.
#
#   export MEDIASOUP_WORKER_BIN="$(bash scripts/mediasoup-worker.sh)"
#
# stdout carries only the binary path; all progress goes to stderr, the full build output to
# <cache>/3.8.4/build.log. Cache root: ${MEDIASOUP_CACHE_DIR:-$HOME/.cache/live-commerce/mediasoup}.
# Why a separate build: mediasoup 3.8.4 is the last release that builds offline (all deps vendored), but its
# bundled gyp needs Python 2 and abseil does not compile on glibc >= 2.34. We build it with the Python-3 gyp that
# ships with npm's node-gyp and a one-line abseil fix, then `npm install` skips its own build because
# MEDIASOUP_WORKER_BIN is set. See /work/shared/ENVIRONMENT.md.
#
# Env:
#   MEDIASOUP_WORKER_BIN   if set, that binary is used as-is (checked, printed, nothing is built)
#   MEDIASOUP_CACHE_DIR    cache root (default $HOME/.cache/live-commerce/mediasoup)
#   MEDIASOUP_BUILD_JOBS   make -j (default: nproc)
#   MEDIASOUP_GYP_DIR      a Python-3 gyp directory (containing pylib/gyp) to use instead of npm's node-gyp one
set -euo pipefail

readonly MS_VERSION=3.8.4
readonly ME="mediasoup-worker.sh"

log() { printf '[%s] %s\n' "$ME" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$ME" "$*" >&2; exit 1; }

abs_path() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

# --- 0. An explicitly provided worker wins: nothing to build. ----------------------------------------------
if [[ -n "${MEDIASOUP_WORKER_BIN:-}" ]]; then
  bin="$(abs_path "$MEDIASOUP_WORKER_BIN")"
  [[ -f "$bin" && -x "$bin" ]] ||
    die "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable file. Unset it to build mediasoup $MS_VERSION's worker here, or point it at a prebuilt mediasoup-worker $MS_VERSION."
  printf '%s\n' "$bin"
  exit 0
fi

if [[ -n "${MEDIASOUP_CACHE_DIR:-}" ]]; then
  CACHE_ROOT="$(abs_path "$MEDIASOUP_CACHE_DIR")"
elif [[ -n "${HOME:-}" ]]; then
  CACHE_ROOT="$HOME/.cache/live-commerce/mediasoup"
else
  die "neither MEDIASOUP_CACHE_DIR nor HOME is set; set MEDIASOUP_CACHE_DIR to a writable directory."
fi
readonly DIR="$CACHE_ROOT/$MS_VERSION"
readonly BIN="$DIR/mediasoup-worker"
readonly LOG="$DIR/build.log"
readonly LOCK="$DIR/.build.lock"

# --- 1. Fast path: already cached. --------------------------------------------------------------------------
if [[ -f "$BIN" && -x "$BIN" ]]; then
  printf '%s\n' "$BIN"
  exit 0
fi

mkdir -p "$DIR" 2>/dev/null || die "cannot create cache dir $DIR; set MEDIASOUP_CACHE_DIR to a writable directory."

# --- 2. One build at a time (another process may be building right now). ------------------------------------
command -v flock >/dev/null 2>&1 || die "flock not found (package util-linux); install it: apt-get install -y util-linux"
exec 9>"$LOCK"
if ! flock -n 9; then
  log "another build holds $LOCK; waiting for it (up to 30 min)..."
  flock -w 1800 9 || die "timed out waiting for the build lock $LOCK (a stuck build? check $LOG)"
fi
# NOTE: re-check after taking the lock — the build we waited for has normally produced the binary.
if [[ -f "$BIN" && -x "$BIN" ]]; then
  printf '%s\n' "$BIN"
  exit 0
fi

WORK=""
cleanup() {
  if [[ -n "$WORK" && -d "$WORK" ]]; then rm -rf "$WORK"; fi
  rm -f "$DIR"/.mediasoup-worker.tmp.* 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

readonly FALLBACK_HINT="or set MEDIASOUP_WORKER_BIN to a prebuilt mediasoup-worker $MS_VERSION binary to skip the build"

fail() { # fail <step> <exit code> <how to fix>
  {
    printf '[%s] error: step "%s" failed (exit %s).\n' "$ME" "$1" "$2"
    printf '[%s] build log: %s\n' "$ME" "$LOG"
    if [[ -s "$LOG" ]]; then
      printf '[%s] last lines of the log:\n' "$ME"
      tail -n 25 "$LOG" | sed 's/^/    /'
    fi
    printf '[%s] fix: %s; %s.\n' "$ME" "$3" "$FALLBACK_HINT"
  } >&2
  exit 1
}

step() { # step <name> <how to fix> <command...>   (command output goes to the log)
  local name="$1" hint="$2" rc=0 t0=$SECONDS
  shift 2
  log "$name..."
  printf '\n===== %s: %s =====\n$ %s\n' "$(date -u +%FT%TZ)" "$name" "$*" >>"$LOG"
  "$@" >>"$LOG" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || fail "$name" "$rc" "$hint"
  log "$name done ($((SECONDS - t0)) s)"
}

: >"$LOG"
log "building mediasoup-worker $MS_VERSION into $DIR (takes ~4 min on 2 cores; log: $LOG)"
started=$SECONDS

# --- 3. Prerequisites. -------------------------------------------------------------------------------------
missing=()
for tool in node npm python3 make tar "${CC:-cc}" "${CXX:-g++}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  fail "check prerequisites" 127 "missing ${missing[*]}: install them (Debian: apt-get install -y g++ make python3; Node 20 with npm)"
fi
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 6) else 1)' ||
  fail "check prerequisites" 1 "python3 is older than 3.6: install a newer python3 (apt-get install -y python3)"

WORK="$(mktemp -d "$DIR/build.XXXXXX")"

# --- 4. Fetch and unpack the published package (from the npm registry or npm's cache). ----------------------
pack() { (cd "$WORK" && npm pack "mediasoup@$MS_VERSION" --silent --ignore-scripts); }
step "npm pack mediasoup@$MS_VERSION" \
  "check that the npm registry is reachable (npm ping) and npm's cache is writable" pack
tarball="$WORK/mediasoup-$MS_VERSION.tgz"
[[ -f "$tarball" ]] || fail "npm pack mediasoup@$MS_VERSION" 1 "npm pack produced no $tarball; check the log"
step "extract the package" "check free disk space in $DIR (the build tree needs ~1 GB)" \
  tar -xzf "$tarball" -C "$WORK" package/worker
readonly SRC="$WORK/package/worker"

# --- 5. abseil fix for glibc >= 2.34 (SIGSTKSZ is no longer a constant). -------------------------------------
readonly FSH="$SRC/deps/libwebrtc/deps/abseil-cpp/abseil-cpp/absl/debugging/failure_signal_handler.cc"
patch_abseil() {
  sed -i 's/std::max(SIGSTKSZ, 65536)/std::max<size_t>(SIGSTKSZ, 65536)/' "$FSH"
  grep -q 'std::max<size_t>(SIGSTKSZ, 65536)' "$FSH"
}
step "patch abseil failure_signal_handler.cc" \
  "the mediasoup $MS_VERSION source layout is not what this script expects; update patch_abseil in $0" patch_abseil

# --- 6. Python-3 gyp in place of the bundled (Python-2 only) worker/deps/gyp. --------------------------------
find_gyp() {
  local node_bin npm_cli npm_root c
  local -a candidates=()
  [[ -n "${MEDIASOUP_GYP_DIR:-}" ]] && candidates+=("$MEDIASOUP_GYP_DIR")
  npm_root="$(npm root -g 2>/dev/null || true)"
  [[ -n "$npm_root" ]] && candidates+=("$npm_root/npm/node_modules/node-gyp/gyp")
  node_bin="$(readlink -f "$(command -v node)")"
  candidates+=("$(dirname "$node_bin")/../lib/node_modules/npm/node_modules/node-gyp/gyp")
  npm_cli="$(readlink -f "$(command -v npm)")" # .../npm/bin/npm-cli.js
  candidates+=("$(dirname "$npm_cli")/../node_modules/node-gyp/gyp")
  candidates+=("/usr/lib/node_modules/npm/node_modules/node-gyp/gyp" "/usr/local/lib/node_modules/npm/node_modules/node-gyp/gyp")
  for c in "${candidates[@]}"; do
    [[ -f "$c/pylib/gyp/__init__.py" ]] || continue
    if python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import gyp' "$c/pylib" 2>/dev/null; then
      readlink -f "$c"
      return 0
    fi
  done
  printf 'no Python-3 gyp found; tried:\n' >&2
  printf '  %s\n' "${candidates[@]}" >&2
  return 1
}
install_gyp() {
  local gyp_dir
  gyp_dir="$(find_gyp)" || return 1
  echo "using gyp from $gyp_dir"
  rm -rf "$SRC/deps/gyp"
  cp -R "$gyp_dir" "$SRC/deps/gyp" # a copy: Python must not write __pycache__ into npm's install
}
step "install Python-3 gyp (from npm's node-gyp)" \
  "npm's bundled node-gyp was not found: reinstall Node/npm, or set MEDIASOUP_GYP_DIR to a node-gyp 'gyp' directory" \
  install_gyp

# --- 7. Configure and build (what worker/Makefile's default target does, minus its Python-2 preference). ----
configure() { (cd "$SRC" && env -u MEDIASOUP_OUT_DIR PYTHONDONTWRITEBYTECODE=1 python3 scripts/configure.py -R mediasoup-worker); }
step "configure (gyp)" "install python3 and a C compiler (apt-get install -y python3 g++ make)" configure

jobs="${MEDIASOUP_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
step "compile (make -j$jobs, a few minutes)" \
  "install a C/C++ toolchain (apt-get install -y g++ make); on out-of-memory errors set MEDIASOUP_BUILD_JOBS=1" \
  make -C "$SRC/out" BUILDTYPE=Release "-j$jobs"

# --- 8. Smoke-test and install atomically. ------------------------------------------------------------------
readonly BUILT="$SRC/out/Release/mediasoup-worker"
smoke() {
  [[ -x "$BUILT" ]] || { echo "no binary at $BUILT"; return 1; }
  # Spawn it the way the mediasoup library does (channel pipes on fds 3-6) and wait for its "running"
  # notification; a binary that cannot load (wrong arch, missing libs) or crashes fails this check.
  node - "$BUILT" "$MS_VERSION" <<'JS'
const { spawn } = require('node:child_process');
const [bin, version] = process.argv.slice(2);
const child = spawn(bin, ['--logLevel=warn'], {
  env: { ...process.env, MEDIASOUP_VERSION: version },
  stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
});
let out = '';
const timer = setTimeout(() => finish(1, 'timed out after 10 s waiting for "running"'), 10_000);
function finish(code, why) {
  clearTimeout(timer);
  console.log(`${why}\n${out}`);
  child.kill('SIGKILL');
  process.exit(code);
}
for (const fd of [1, 2, 4]) {
  child.stdio[fd].on('data', (buf) => {
    out += buf.toString();
    if (fd === 4 && out.includes('"running"')) finish(0, `worker pid ${child.pid} is running`);
  });
}
child.on('exit', (code, signal) => finish(1, `worker exited early (code ${code}, signal ${signal})`));
child.on('error', (err) => finish(1, `cannot spawn: ${err.message}`));
JS
}
step "smoke-test the binary" "the binary does not start on this machine; see the log" smoke

install_bin() {
  local tmp
  tmp="$(mktemp "$DIR/.mediasoup-worker.tmp.XXXXXX")"
  cp "$BUILT" "$tmp"
  chmod 0755 "$tmp"
  mv -f "$tmp" "$BIN" # NOTE: rename within one dir is atomic: readers see no binary or the whole one
}
step "install to $BIN" "check free disk space and permissions in $DIR" install_bin

rm -rf "$WORK" && WORK=""
log "done in $((SECONDS - started)) s: $BIN ($(du -h "$BIN" | cut -f1))"
printf '%s\n' "$BIN"
