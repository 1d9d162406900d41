#!/usr/bin/env bash
# Installs what leaktriage needs to build and test on a Debian 12 machine
# (run as root, or with sudo available). Installs with --no-install-recommends, so
# every package the build and the tests use is named here. Idempotent: skips
# apt-get when every package is already there.
set -euo pipefail

packages=(
  # compilers and build: gcc (release, ASan+UBSan), clang with its sanitizer and
  # libFuzzer runtimes (the -Werror, fuzz and TSan builds), llvm-symbolizer for
  # readable sanitizer stacks
  build-essential cmake pkg-config clang libclang-rt-14-dev llvm
  # the one C style (.clang-format; tests/format/check.sh)
  clang-format
  # libraries
  libarchive-dev libjansson-dev zlib1g-dev libisal-dev libcmocka-dev libssl-dev
  libpq-dev libmicrohttpd-dev libcurl4-openssl-dev
  # the service's database and the tools the tests drive
  postgresql curl jq bc python3
  # systemd-analyze, which checks dist/leaktriage.service offline (tests/integration/install.sh)
  systemd
  # compressors the archive tests make inputs with; time for the benchmarks
  pigz zstd xz-utils bzip2 lz4 zip tar time
  # the browser tests (tests/browser): Debian's chromium, driven by playwright-core
  chromium
)
# node and npm for playwright-core (tests/browser/package.json; node 18 or newer), from
# Debian unless a node is already on PATH
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done


if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
else
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core for the browser tests, at the version package-lock.json pins, into
# tests/browser/node_modules (ignored by git); no browser download (it drives chromium)
browser=$(cd "$(dirname "$0")/../tests/browser" && pwd)
if [ ! -d "$browser/node_modules/playwright-core" ]; then
  echo "setup: npm ci in tests/browser"
  (cd "$browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
fi
echo "setup: done"
