#!/usr/bin/env bash
# Installs the Debian packages the build and the tools need, when any is missing.
# Needs root (or sudo) only when something has to be installed.
set -euo pipefail
# openmpi-bin: mpirun and Open MPI's libmpi.so.40, loaded at run time by multi-process training and
# used by DistributedTrainStepTests (the build itself needs no MPI).
packages=(libopenblas-dev libturbojpeg0-dev libpng-dev zlib1g-dev pkg-config ffmpeg openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
