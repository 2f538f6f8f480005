#!/bin/sh
# Entry of npm start / npm test / npm run token / npm run record-histories: makes sure the
# dependencies and server binaries are installed, then runs the command.
set -eu
cd "$(dirname "$0")/.."

usage() { echo "usage: sh scripts/run.sh start|test|token|bench [engine|catalog|upgrade|trust|policy]|record-histories [args…]" >&2; exit 2; }
[ $# -gt 0 ] || usage
command="$1"
shift

step() { echo "==> $*"; }

# node_modules is (re)installed when missing or older than the lock file — unless it is a
# symlink (a git worktree sharing another checkout's modules: npm ci would empty those).
if [ -L node_modules ]; then
  :
elif [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

# Rebuild the Switchboard when its bundle is missing or older than its sources.
web_build_needed() {
  [ -f web/dist/index.html ] || return 0
  [ -n "$(find web/src web/index.html web/vite.config.ts -newer web/dist/index.html 2>/dev/null | head -n 1)" ]
}

case "$command" in
  start)
    sh scripts/install-tools.sh --quiet
    sh scripts/build-policies.sh
    if web_build_needed; then
      step "building the Switchboard (web/dist)"
      npm run --silent web:build
    fi
    exec node --import tsx scripts/start.ts "$@"
    ;;
  test)
    sh scripts/install-tools.sh --quiet --browser
    step "eslint"
    npx eslint .
    step "tsc --noEmit"
    npx tsc --noEmit -p tsconfig.json
    step "generated docs and SDK are up to date"
    node --import tsx scripts/generate.ts --check
    step "policies: opa fmt/check/test"
    sh scripts/test-policies.sh
    step "policies: build wasm"
    sh scripts/build-policies.sh
    step "policies: simulate policies/scenarios (wasm vs opa eval vs expected, rule coverage)"
    node --import tsx scripts/policy-simulate.ts
    step "web: vite build"
    npm run --silent web:build
    step "vitest"
    exec npx vitest run "$@"
    ;;
  token)
    sh scripts/install-tools.sh --quiet
    exec node --import tsx scripts/token.ts "$@"
    ;;
  bench)
    # npm run bench [-- engine|catalog|upgrade|trust|policy]: all five by default, one after the other
    which="${1:-all}"
    [ $# -gt 0 ] && shift
    case "$which" in engine|catalog|upgrade|trust|policy|all) ;; *) usage ;; esac
    if [ "$which" = engine ] || [ "$which" = upgrade ] || [ "$which" = trust ] || [ "$which" = policy ]; then sh scripts/install-tools.sh --quiet; else sh scripts/install-tools.sh --quiet --browser; fi
    sh scripts/build-policies.sh
    if [ "$which" != engine ] && [ "$which" != upgrade ] && [ "$which" != trust ] && [ "$which" != policy ] && web_build_needed; then
      step "building the Switchboard (web/dist)"
      npm run --silent web:build
    fi
    if [ "$which" = upgrade ]; then exec node --import tsx bench/upgrade.bench.ts "$@"; fi
    if [ "$which" = trust ]; then exec node --import tsx bench/trust.bench.ts "$@"; fi
    if [ "$which" = policy ]; then exec node --import tsx bench/policy.bench.ts "$@"; fi
    [ "$which" = catalog ] || node --import tsx bench/engine.bench.ts "$@"
    [ "$which" = all ] && node --import tsx bench/upgrade.bench.ts "$@"
    [ "$which" = all ] && node --import tsx bench/trust.bench.ts "$@"
    [ "$which" = all ] && node --import tsx bench/policy.bench.ts "$@"
    [ "$which" = engine ] || exec node --import tsx bench/catalog.bench.ts "$@"
    ;;
  record-histories)
    sh scripts/install-tools.sh --quiet
    exec npx vitest run --config vitest.record.config.ts "$@"
    ;;
  *) usage ;;
esac
