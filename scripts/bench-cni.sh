#!/usr/bin/env bash
# ADD/DEL latency of terway-edge-cni against the reference bridge + host-local plugins:
# 50 pods, then 250 (a full /24), a process per verb, in throw-away `te-` namespaces.
# Needs root. PODS="50 250" picks the runs; extra arguments go to bench-cni (e.g. --store-dir /run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ "$(id -u)" = 0 ] || { echo "the benchmark builds network namespaces and needs root" >&2; exit 1; }

swift build -c release --product terway-edge-cni
swift build -c release --product bench-cni
bin="$(swift build -c release --show-bin-path)"
for pods in ${PODS:-50 250}; do
    "$bin/bench-cni" --plugin "$bin/terway-edge-cni" --pods "$pods" "$@"
    echo
done
