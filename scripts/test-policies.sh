#!/bin/sh
# Rego logic: format, strict check and unit tests (wasm behaviour is tested from Vitest).
set -eu
cd "$(dirname "$0")/.."
OPA="${TOOLS_DIR:-.tools}/bin/opa"
unformatted=$("$OPA" fmt --list policies/)
if [ -n "$unformatted" ]; then echo "policies: not formatted with opa fmt: $unformatted"; exit 1; fi
"$OPA" check --strict policies/
# policies/scenarios holds the simulation scenarios (npm run policy:simulate), not data
"$OPA" test --ignore scenarios policies/ -v
