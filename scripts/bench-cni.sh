#!/usr/bin/env bash
# ADD/DEL latency of terway-edge-cni against the reference bridge + host-local plugins:
# 50 pods, a process per verb, in throw-away `te-` namespaces. Needs root.
# Extra arguments go to bench-cni (e.g. --pods 100, --store-dir /run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ "$(id -u)" = 0 ] || { echo "the benchmark builds network namespaces and needs root" >&2; exit 1; }

swift build -c release --product terway-edge-cni
swift build -c release --product bench-cni
bin="$(swift build -c release --show-bin-path)"
"$bin/bench-cni" --plugin "$bin/terway-edge-cni" "$@"
