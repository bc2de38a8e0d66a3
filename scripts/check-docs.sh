#!/usr/bin/env bash
# Builds SiamRPN's symbol graph, converts its DocC catalog (warnings are errors) and checks that
# every public declaration is listed in the catalog's topics.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift build --scratch-path .build-docs --target SiamRPN \
  -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$out/all" >/dev/null
mkdir -p "$out/graph"
cp "$out"/all/SiamRPN*.symbols.json "$out/graph/"
docc convert Sources/SiamRPN/SiamRPN.docc --additional-symbol-graph-dir "$out/graph" --output-path "$out/site" \
  --fallback-display-name SiamRPN --fallback-bundle-identifier SiamRPN --warnings-as-errors >/dev/null
swift scripts/check-docs.swift "$out/graph/SiamRPN.symbols.json" Sources/SiamRPN/SiamRPN.docc/SiamRPN.md
