#!/bin/sh
# The whole test suite: installs what is missing, builds, runs ctest.
set -e
cd "$(dirname "$0")/.."
tools/deps.sh
tools/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
