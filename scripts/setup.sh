#!/usr/bin/env bash
# Installs, from Debian's archive, every package the project builds and tests with.
# Runs apt-get only when something is missing, so a set-up machine pays nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3 python3-psutil
  clang-19 llvm-19 llvm-19-tools llvm-19-dev
  clang-14 llvm-14 llvm-14-dev
  libbpf-dev libelf-dev zlib1g-dev bpftool
  libcapstone-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
