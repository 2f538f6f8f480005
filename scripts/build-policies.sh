#!/bin/sh
# Compiles policies/ to one wasm bundle (.build/policies/policy.wasm + data.json).
# Entrypoints are listed here; each is evaluated by name from platform/opa.ts.
set -eu
cd "$(dirname "$0")/.."
OPA="${TOOLS_DIR:-.tools}/bin/opa"
OUT=.build/policies
ENTRYPOINTS="guardrails/decision publish/decision egress/decision install/decision install/certification certify/decision review/rules review/decision"
mkdir -p "$OUT"
args=""
for e in $ENTRYPOINTS; do args="$args -e $e"; done
# shellcheck disable=SC2086
"$OPA" build -t wasm $args --ignore '*_test.rego' --ignore scenarios -o "$OUT/bundle.tar.gz" policies/
tar -xzf "$OUT/bundle.tar.gz" -C "$OUT" /policy.wasm /data.json 2>/dev/null || tar -xzf "$OUT/bundle.tar.gz" -C "$OUT"
echo "policies: built $OUT/policy.wasm ($ENTRYPOINTS)"
