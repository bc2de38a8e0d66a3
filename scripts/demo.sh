#!/usr/bin/env bash
# The main job: installs missing system packages, builds the release binary and runs
# `siamrpn demo` (extra arguments are passed on, e.g. --config/--snapshot/--video_name/--init).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product siamrpn
exec .build/release/siamrpn demo "$@"
