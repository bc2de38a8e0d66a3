#!/usr/bin/env bash
# Runs a benchmark on a Slurm cluster: submits test.sbatch as a SHARDS-task job array (one shard
# of the dataset per task) and eval.sbatch with --dependency=afterany:<array>, which Slurm starts
# once every task has ended; eval itself checks that every video's result is there (it exits
# nonzero and names the missing ones otherwise). Prints both job ids; the last line is
#   ARRAY_JOB=<id> EVAL_JOB=<id>
# Settings come from the environment (defaults below), e.g.
#   DATASET=OTB100 DATASET_ROOT=/data/OTB100 SHARDS=16 SIAMRPN=$PWD/.build/release/siamrpn \
#     Examples/slurm/submit.sh
# Extra arguments are passed to both sbatch calls (e.g. --partition=cpu --time=2:00:00).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

DATASET=${DATASET:-OTB100}                          # pysot dataset name
DATASET_ROOT=${DATASET_ROOT:-testing_dataset/$DATASET}
RESULTS=${RESULTS:-results}
CONFIG=${CONFIG:-}                                  # empty: the bundled NanoTrackV3
SNAPSHOT=${SNAPSHOT:-}
TRACKER_NAME=${TRACKER_NAME:-}
SHARDS=${SHARDS:-4}                                 # array tasks = shards
JOBS=${JOBS:-1}                                     # CPUs per task, and videos tracked at once in it
THREADS=${THREADS:-}                                # network threads with JOBS=1 (empty: the model's choice)
SIAMRPN=${SIAMRPN:-$(command -v siamrpn || echo siamrpn)}
LOGS=${LOGS:-slurm-logs}                            # per-task logs: $LOGS/siamrpn-test-<array>_<task>.out
EVAL_JSON=${EVAL_JSON:-$RESULTS/$DATASET.eval.json}

if ! [[ "$SHARDS" =~ ^[1-9][0-9]*$ ]]; then echo "error: SHARDS must be a positive integer, not '$SHARDS'" >&2; exit 1; fi
mkdir -p "$LOGS"
# sbatch hands its environment to the job (--export=ALL, the default): these reach the scripts.
export DATASET DATASET_ROOT RESULTS CONFIG SNAPSHOT TRACKER_NAME SHARDS JOBS THREADS SIAMRPN EVAL_JSON

# --parsable prints "<id>" or "<id>;<cluster>". timeout: sbatch must not hang on a dead controller.
array=$(timeout 60 sbatch --parsable --array=1-"$SHARDS" --cpus-per-task="$JOBS" \
  --output="$LOGS/%x-%A_%a.out" "$@" "$here/test.sbatch")
array=${array%%;*}
# afterany, not afterok: Slurm remembers the highest exit code any attempt of an array task had,
# so after a task was cancelled (or failed) and then requeued, afterok:<array> stays
# DependencyNeverSatisfied even when every task ends COMPLETED 0:0 (seen with Slurm 22.05), and
# a failed per-task afterok stays failed too. afterany waits while a requeued task is pending or
# running again, and eval refuses incomplete results, so eval succeeds exactly when the merged
# results are complete. When a task fails for good (exit 3: a video could not be tracked), eval
# fails naming the missing videos; fix the cause, `scontrol requeue <array>_<task>`, then rerun
# eval: sbatch --dependency=afterany:<array> Examples/slurm/eval.sbatch
evaljob=$(timeout 60 sbatch --parsable --dependency=afterany:"$array" \
  --output="$LOGS/%x-%j.out" "$@" "$here/eval.sbatch")
evaljob=${evaljob%%;*}
echo "submitted $DATASET in $SHARDS shards: array job $array (test.sbatch), eval job $evaljob after it; logs in $LOGS/"
echo "ARRAY_JOB=$array EVAL_JOB=$evaljob"
