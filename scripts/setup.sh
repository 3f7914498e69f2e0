#!/usr/bin/env bash
# Installs the Debian packages duban builds and runs with. Idempotent; silent
# when nothing is missing.
set -euo pipefail
pkgs=(build-essential cmake pkg-config ccache tzdata
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
      librocksdb-dev libabsl-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
      libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev
      libre2-dev pandoc
      libargon2-dev openssl)
# Ledgers (XLSX) and their read-back test, metrics, the robots' signatures.
pkgs+=(libxlsxwriter-dev python3-openpyxl prometheus-cpp-dev libssl-dev)
pkgs+=(libcli11-dev)
# duband's allocator (tcmalloc) and the linker (lld), both optional in CMake.
pkgs+=(libtcmalloc-minimal4 lld)
# The fuzz targets (DUBAN_FUZZ) and the sanitizer builds (scripts/sanitize.sh).
pkgs+=(clang-14 libfuzzer-14-dev libclang-rt-14-dev)
# The HTTP/JSON gateway and web app, and its browser tests (fonts for the
# Chinese screenshots).
pkgs+=(libcpp-httplib-dev chromium chromium-driver python3-selenium fonts-wqy-microhei)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
