#!/usr/bin/env bash
# The test command: installs missing system packages, then runs the whole suite in a release
# build (the ResNet-50 parity tests are too slow unoptimised; `-c release` keeps @testable).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift format lint --strict -r Sources Tests Examples Package.swift   # the style of .swift-format
swift build -c release --product siamrpn
./scripts/check-docs.sh
swift test -c release "$@"
