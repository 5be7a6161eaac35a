#!/usr/bin/env bash
# The edge CNI plugin end to end, as a container runtime drives it: a `te-` "node"
# namespace with two pod namespaces, ADD for both (dual stack), the pods ping each other
# and their gateway, CHECK, then DEL and cleanup. Needs root; touches no other namespace.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ "$(id -u)" = 0 ] || { echo "the demo builds network namespaces and needs root" >&2; exit 1; }
swift build -c release --product terway-edge-cni
plugin="$(swift build -c release --show-bin-path)/terway-edge-cni"

tag=$RANDOM
node=te-demo-node-$tag
pods=(te-demo-a-$tag te-demo-b-$tag)
data=$(mktemp -d /tmp/te-demo-XXXXXX)
cleanup() {
  for ns in "${pods[@]}" "$node"; do ip netns delete "$ns" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT

ip netns add "$node"
for ns in "${pods[@]}"; do ip netns add "$ns"; done

config() {
  cat <<JSON
{"cniVersion": "1.1.0", "name": "edge", "type": "terway-edge-cni", "mode": "edge",
 "subnet": ["10.0.3.0/24", "fd00:0:3::/64"], "bridge": "cni0", "mtu": 1450, "dataDir": "$data"$1}
JSON
}

cni() { # VERB POD [extra config]
  config "${3:-}" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$2 CNI_IFNAME=eth0 \
    CNI_PATH=/usr/lib/cni ip netns exec "$node" "$plugin"
}

echo "== VERSION"; CNI_COMMAND=VERSION "$plugin"
results=()
for ns in "${pods[@]}"; do
  echo "== ADD $ns"
  result=$(cni ADD "$ns"); echo "$result"; results+=("$result")
done
echo "== pod a -> pod b, pod a -> gateway (IPv4 and IPv6)"
ip netns exec "${pods[0]}" ping -c1 -W2 10.0.3.3
ip netns exec "${pods[0]}" ping -c1 -W2 10.0.3.1
ip netns exec "${pods[0]}" ping -6 -c1 -W3 fd00:0:3::3
echo "== CHECK ${pods[0]}"; cni CHECK "${pods[0]}" ", \"prevResult\": ${results[0]}" && echo ok
echo "== STATUS"; config "" | CNI_COMMAND=STATUS CNI_PATH=/usr/lib/cni ip netns exec "$node" "$plugin" && echo ok
for ns in "${pods[@]}"; do echo "== DEL $ns"; cni DEL "$ns" && echo ok; done
echo "== IPAM store after DEL (lock and round-robin hints only)"; ls "$data/edge"
