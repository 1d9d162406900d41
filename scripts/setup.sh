#!/usr/bin/env bash
# Installs what leaktriage needs to build and test on a Debian 12 machine
# (run as root, or with sudo available). Idempotent: skips apt-get when every
# package is already there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libarchive-dev libjansson-dev zlib1g-dev libisal-dev libcmocka-dev libssl-dev
  libpq-dev postgresql libmicrohttpd-dev curl jq bc python3
  pigz zstd xz-utils bzip2 zip tar time
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
