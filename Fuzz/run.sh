#!/usr/bin/env bash
# Builds the libFuzzer harness (debug, ASan) and fuzzes StateDict.load for $1 seconds (default 120),
# seeded with the checkpoint fixtures and a tiny safetensors file. Findings land in Fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-120}"
swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
mkdir -p corpus findings
cp ../Tests/Fixtures/checkpoints/small_zip.pth ../Tests/Fixtures/checkpoints/small_legacy.pth \
   ../Tests/Fixtures/checkpoints/small_mixed.pth corpus/
# safetensors seed: header {"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}} padded to 56 bytes, data 1.0 2.0
header='{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}'
printf '%-56s' "$header" > corpus/tiny.hdr
{ printf '\x38\x00\x00\x00\x00\x00\x00\x00'; cat corpus/tiny.hdr; printf '\x00\x3c\x00\x40'; } > corpus/tiny.safetensors
rm corpus/tiny.hdr
.build/debug/CheckpointFuzz corpus -artifact_prefix=findings/ -max_len=1048576 -rss_limit_mb=4096 \
    -max_total_time="$seconds" -print_final_stats=1
