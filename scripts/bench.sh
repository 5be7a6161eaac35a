#!/usr/bin/env bash
# All benchmarks, each printing our figure beside the reference measured in the same run:
#   cni     ADD/DEL latency vs /usr/lib/cni/bridge + host-local        (~1 min)
#   leases  5,000 lease acquisitions, embedded store and 3-member etcd  (~1 min)
#   bgp     1,000,000-prefix feed in and out vs BIRD 2 and GoBGP       (~5 min)
#   routes  10k/20k peer host routes via nexthop objects vs ip -batch   (~2 min)
#   agent   terway-edged idle RSS at 1,000 peers vs BIRD 2; lease change -> kernel p99 (~1 min)
#   cloud   API calls/s against the cloud emulator vs the official Python SDKs, signing cost;
#           the cloud role's pool: socket allocation p99 (warm), API calls per 100 pods (cold, attach 2 s)
# Usage: scripts/bench.sh [cni|leases|bgp|routes|agent|cloud ...]   (default: all). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ "$(id -u)" = 0 ] || { echo "the benchmarks build network namespaces and need root" >&2; exit 1; }
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(cni leases bgp routes agent cloud)
for bench in "${which[@]}"; do
  case "$bench" in
    cni) bash scripts/bench-cni.sh ;;
    leases)
      swift build -c release --product bench-leases
      "$(swift build -c release --show-bin-path)/bench-leases" ;;
    bgp) bash scripts/bench-bgp.sh ;;
    agent)
      swift build -c release --product bench-agent
      swift build -c release --product terway-edged
      TERWAY_EDGE_BIN="$(swift build -c release --show-bin-path)" "$(swift build -c release --show-bin-path)/bench-agent" ;;
    routes)
      swift build -c release --product bench-routes
      "$(swift build -c release --show-bin-path)/bench-routes" ;;
    cloud)
      swift build -c release --product bench-cloud
      "$(swift build -c release --show-bin-path)/bench-cloud"
      swift build -c release --product bench-cloudpool
      swift build -c release --product terway-edged
      TERWAY_EDGE_BIN="$(swift build -c release --show-bin-path)" "$(swift build -c release --show-bin-path)/bench-cloudpool" ;;
    *) echo "unknown benchmark '$bench' (cni, leases, bgp, routes, agent, cloud)" >&2; exit 2 ;;
  esac
done
