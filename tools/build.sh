#!/bin/sh
# Configures and builds kasme in ./build (the plugin lands in build/plugins/<x.y>/epan/).
set -e
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j"$(nproc)"
