#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for CI and for trying the examples/slurm scripts:
#
#   scripts/slurm-local.sh up       # install slurm-wlm + munge if missing, write the config, start
#                                   # munged, slurmctld, slurmd; wait (bounded) for the node to be idle
#   scripts/slurm-local.sh status   # daemons, node, queue; exit 0 when the cluster answers, 1 when not
#   scripts/slurm-local.sh down     # cancel every job, stop the daemons by PID (what `up` started)
#
# Then, in the shell that submits jobs: export SLURM_CONF=${SLURM_STATE:-/tmp/siamrpn-slurm}/slurm.conf
#
# It follows /work/shared/cluster/slurm-recipe.md (Debian 12, no systemd, root): the config lives in
# the state folder $SLURM_STATE (never in /etc/slurm) and every client and daemon finds it through
# SLURM_CONF. Each line of slurm.conf that differs from a minimal one is there for a problem the
# recipe hit; the comments in write_conf say which. `up` and `down` are idempotent and every wait and
# every Slurm command is bounded, so a wedged daemon fails CI instead of hanging it.
set -euo pipefail

SLURM_STATE=${SLURM_STATE:-/tmp/siamrpn-slurm}
export SLURM_CONF="$SLURM_STATE/slurm.conf"
# Seconds any one Slurm command may take (a client talking to a dead or wedged slurmctld retries
# for a long time by default) and seconds `up` waits for the node to become idle.
CMD_TIMEOUT=${SLURM_CMD_TIMEOUT:-15}
UP_TIMEOUT=${SLURM_UP_TIMEOUT:-60}
MUNGE_PID=/run/munge/munged.pid

say() { echo "slurm-local: $*"; }
die() { echo "slurm-local: error: $*" >&2; exit 1; }
# Every Slurm/munge command goes through this: failure recipe 1 (an srun that can never be
# scheduled blocks forever) and a dead slurmctld would otherwise hang the caller.
t() { timeout "$CMD_TIMEOUT" "$@"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The PID in file $1 when that process is alive and its command name is $2 (a stale PID file
# from a previous boot may name an unrelated process, which must not be mistaken for ours).
live_pid() {
  local file=$1 name=$2 pid
  [ -r "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  echo "$pid"
}

# Sends SIGTERM to the process in PID file $1 (command name $2) and waits up to 10 s for it to
# exit, then SIGKILLs it: failure recipe 3 saw a wedged slurmd ignore SIGTERM.
stop_pid() {
  local file=$1 name=$2 pid i
  if ! pid=$(live_pid "$file" "$name"); then say "$name: not running"; return 0; fi
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    [ -d "/proc/$pid" ] || { say "$name: stopped (pid $pid)"; rm -f "$file"; return 0; }
    sleep 0.1
  done
  say "$name: still running 10 s after SIGTERM, sending SIGKILL (pid $pid)"
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$file"
}

install_if_missing() {
  local missing=() p i
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then say "packages: slurm-wlm and munge already installed"; return 0; fi
  say "installing ${missing[*]} (apt-get update first)"
  as_root timeout 300 apt-get update -qq
  # Another engineer's apt-get may hold the dpkg lock for a while: retry, bounded (about 2 min).
  for ((i = 1; ; i++)); do
    if as_root env DEBIAN_FRONTEND=noninteractive timeout 600 \
      apt-get install -y -qq --no-install-recommends slurm-wlm munge >"$SLURM_STATE/apt.log" 2>&1; then
      break
    fi
    if grep -q "Could not get lock" "$SLURM_STATE/apt.log" && [ "$i" -lt 40 ]; then sleep 3; continue; fi
    cat "$SLURM_STATE/apt.log" >&2
    die "apt-get install slurm-wlm munge failed"
  done
  # The postinst scripts say "policy-rc.d denied execution of start": expected, we start by hand.
  say "installed ${missing[*]}"
}

# slurm.conf as in the recipe. The node line comes from `slurmd -C` (this host's name, CPUs,
# sockets/cores/threads and RealMemory) because slurmd finds its node by hostname and
# `--mem` requests fail against a node line without RealMemory (failure 5).
write_conf() {
  local node tmp
  node=$(t slurmd -C 2>/dev/null | grep '^NodeName=' | head -1) || true
  [ -n "$node" ] || die "slurmd -C printed no NodeName line"
  local host=${node#NodeName=}
  host=${host%% *}
  tmp=$(mktemp "$SLURM_STATE/slurm.conf.XXXXXX")
  cat >"$tmp" <<EOF
# Written by scripts/slurm-local.sh: a one-node cluster on this host (see slurm-recipe.md).
ClusterName=ci
SlurmctldHost=localhost
AuthType=auth/munge
# A requeued job waits cred_expire (default 120 s) before it is eligible again: 10 s here.
AuthInfo=cred_expire=10
# pgid, not linuxproc: with linuxproc a task's children survived a killed batch shell (failure 2).
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Schedule every 2 s (default 60 s): an array finishes in ~2 s instead of ~4 s, a requeue in ~11 s.
SchedulerParameters=sched_interval=2,bf_interval=2
StateSaveLocation=$SLURM_STATE/state
SlurmdSpoolDir=$SLURM_STATE/spool
SlurmctldPidFile=$SLURM_STATE/slurmctld.pid
SlurmdPidFile=$SLURM_STATE/slurmd.pid
SlurmctldLogFile=$SLURM_STATE/slurmctld.log
SlurmdLogFile=$SLURM_STATE/slurmd.log
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# No slurmdbd (sacct is unavailable): one line per finished job or array task stays here.
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_STATE/jobcomp.txt
MpiDefault=none
# There is no mail program: "Configured MailProg is invalid" otherwise (failure 6).
MailProg=/bin/true
# A task that exits 42 is requeued by Slurm itself.
RequeueExit=42
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  if [ -f "$SLURM_CONF" ] && cmp -s "$tmp" "$SLURM_CONF"; then
    rm -f "$tmp"
    return 1 # unchanged
  fi
  mv "$tmp" "$SLURM_CONF"
  say "wrote $SLURM_CONF (node: $node)"
  return 0
}

start_munged() {
  if pid=$(live_pid "$MUNGE_PID" munged); then
    say "munged: already running (pid $pid)"
  else
    # systemd would have created /run/munge; munged refuses to run as root.
    as_root mkdir -p /run/munge
    as_root chown munge:munge /run/munge
    [ -s /etc/munge/munge.key ] || { say "munged: creating /etc/munge/munge.key"; as_root runuser -u munge -- mungekey --create; }
    as_root runuser -u munge -- /usr/sbin/munged
    pid=$(live_pid "$MUNGE_PID" munged) || die "munged did not start"
    # Remember that this script started it, so `down` stops only what `up` started.
    echo "$pid" >"$SLURM_STATE/munged.ours"
    say "munged: started (pid $pid)"
  fi
  t munge -n | t unmunge >/dev/null || die "munge -n | unmunge failed: munged does not answer"
}

# Starts daemon $1 (slurmctld or slurmd) unless it runs already.
start_daemon() {
  local name=$1 pid
  if pid=$(live_pid "$SLURM_STATE/$name.pid" "$name"); then say "$name: already running (pid $pid)"; return 0; fi
  # Both fork into the background once they are set up and write their PID file.
  t "/usr/sbin/$name" || die "$name failed to start; see $SLURM_STATE/$name.log"
  local i
  for ((i = 0; i < 50; i++)); do
    pid=$(live_pid "$SLURM_STATE/$name.pid" "$name") && { say "$name: started (pid $pid)"; return 0; }
    sleep 0.1
  done
  tail -20 "$SLURM_STATE/$name.log" >&2 || true
  die "$name did not write its PID file"
}

node_state() { t sinfo -h -N -o %t 2>/dev/null | head -1; }

up() {
  local start=$SECONDS
  mkdir -p "$SLURM_STATE/state" "$SLURM_STATE/spool"
  install_if_missing
  local changed=0
  write_conf && changed=1
  if [ "$changed" = 1 ] && { live_pid "$SLURM_STATE/slurmctld.pid" slurmctld >/dev/null || live_pid "$SLURM_STATE/slurmd.pid" slurmd >/dev/null; }; then
    # Daemons read slurm.conf at start; a changed file (e.g. another host's node line) needs a restart.
    say "the config changed while the daemons ran: restarting them"
    stop_pid "$SLURM_STATE/slurmd.pid" slurmd
    stop_pid "$SLURM_STATE/slurmctld.pid" slurmctld
  fi
  start_munged
  start_daemon slurmctld
  start_daemon slurmd
  local deadline=$((SECONDS + UP_TIMEOUT)) state=""
  while :; do
    state=$(node_state) || state=""
    # idle, or mix/alloc when jobs from an earlier `up` are still running: the node is usable.
    case "$state" in idle | mix | mixed | alloc | allocated) break ;; esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -20 "$SLURM_STATE/slurmctld.log" "$SLURM_STATE/slurmd.log" >&2 || true
      die "the node is '${state:-unreachable}' after ${UP_TIMEOUT} s (wanted idle)"
    fi
    sleep 0.2
  done
  t sinfo
  say "up in $((SECONDS - start)) s; clients need: export SLURM_CONF=$SLURM_CONF"
}

down() {
  if live_pid "$SLURM_STATE/slurmctld.pid" slurmctld >/dev/null; then
    local jobs
    jobs=$(t squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ') || jobs=""
    if [ -n "${jobs// /}" ]; then
      say "cancelling jobs: $jobs"
      # shellcheck disable=SC2086 # one argument per job id
      t scancel $jobs || true
      # Wait (bounded) for the tasks to end, so that no job process outlives the cluster.
      local i
      for ((i = 0; i < 100; i++)); do
        [ -z "$(t squeue -h -o %A 2>/dev/null)" ] && break
        sleep 0.2
      done
    fi
  fi
  # slurmd first, then slurmctld, then munged (the recipe's order).
  stop_pid "$SLURM_STATE/slurmd.pid" slurmd
  stop_pid "$SLURM_STATE/slurmctld.pid" slurmctld
  if [ -f "$SLURM_STATE/munged.ours" ]; then
    local ours pid
    ours=$(tr -dc '0-9' <"$SLURM_STATE/munged.ours")
    if pid=$(live_pid "$MUNGE_PID" munged) && [ "$pid" = "$ours" ]; then
      stop_pid "$MUNGE_PID" munged
    else
      say "munged: not running (or not the one up started)"
    fi
    rm -f "$SLURM_STATE/munged.ours"
  elif live_pid "$MUNGE_PID" munged >/dev/null; then
    say "munged: left running (this script did not start it)"
  fi
  # Never `apt-get purge munge libmunge2`: libpmix2 (and with it OpenMPI, OpenCV) depends on
  # libmunge2 (recipe failure 9). The packages stay; to reset, `down` then rm -rf "$SLURM_STATE".
  say "down (state and logs kept in $SLURM_STATE)"
}

status() {
  local rc=0 name pid
  for name in munged slurmctld slurmd; do
    local file="$SLURM_STATE/$name.pid"
    [ "$name" = munged ] && file=$MUNGE_PID
    if pid=$(live_pid "$file" "$name"); then say "$name: running (pid $pid)"; else say "$name: not running"; rc=1; fi
  done
  if [ "$rc" = 0 ]; then
    t sinfo || rc=1
    t squeue || rc=1
  fi
  say "SLURM_CONF=$SLURM_CONF"
  return "$rc"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status   (state folder: \$SLURM_STATE, default /tmp/siamrpn-slurm)" >&2; exit 1 ;;
esac
