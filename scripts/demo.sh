#!/usr/bin/env bash
# The main job, for now: two edge nodes of the seed, end to end, each running the node agent.
#   1. the CIDR plan of the seed is checked and the VBR / DC-router routes printed;
#   2. the edge gateway (a real BIRD 2) is configured by `plan render --for bird` from it;
#   3. each node runs terway-edged on the same plan: lease, subnet file, host routes to the
#      other node through a nexthop object, BGP to the gateway, masquerade;
#   4. the CNI plugin wires a pod on each node from the agent's subnet file; they ping;
#   5. a node leaves (`terway-edged --cleanup`): its routes go from the other node and the gateway.
# Everything network-side runs in `te-demo-*` namespaces, removed at the end. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ "$(id -u)" = 0 ] || { echo "the demo builds network namespaces and needs root" >&2; exit 1; }
swift build --product terway-edge-cni
swift build --product terway-edge
swift build --product terway-edged
bin="$(swift build --show-bin-path)"
te="$bin/terway-edge" agent="$bin/terway-edged"

tag=$RANDOM
sw=te-demo-sw-$tag gw=te-demo-gw-$tag
nodes=(te-demo-n1-$tag te-demo-n2-$tag)
pods=(te-demo-a-$tag te-demo-b-$tag)
work=$(mktemp -d /tmp/te-demo-XXXXXX)
plan=examples/seed.yaml
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  for ns in "${pods[@]}" "${nodes[@]}" "$gw" "$sw"; do ip netns delete "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
wait_for() { # SECONDS COMMAND...
  local tries=$(($1 * 10)); shift
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

step "1. The seed's CIDR plan (VPC 192.168.0.0/16, edge pods 10.0.0.0/16)"
"$te" plan check "$plan"
"$te" plan render "$plan" --for vbr
"$te" plan render "$plan" --for dc-router

step "2. The edge gateway: BIRD 2 configured from the same plan"
for ns in "$sw" "$gw" "${nodes[@]}" "${pods[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$sw" link add br0 type bridge && ip -n "$sw" link set br0 up
attach() { # NAMESPACE PORT ADDRESS
  ip link add lan0 netns "$1" type veth peer name "$2" netns "$sw"
  ip -n "$sw" link set "$2" master br0 up
  ip -n "$1" addr add "$3/24" dev lan0 && ip -n "$1" link set lan0 up
}
attach "$gw" gw 172.16.10.1
ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
# The gateway's route to the VPC (over Express Connect in the seed): BIRD announces it to the nodes.
ip -n "$gw" route add blackhole 192.168.0.0/16
"$te" plan render "$plan" --for bird > "$work/gw.conf"
ip netns exec "$gw" bird -f -c "$work/gw.conf" -s "$work/gw.ctl" > "$work/gw.log" 2>&1 &
pids+=($!)
wait_for 10 ip netns exec "$gw" birdc -s "$work/gw.ctl" show status

step "3. Each node runs terway-edged on the plan"
for n in 1 2; do
  ns=${nodes[$((n - 1))]}
  attach "$ns" "p$n" 172.16.10.1$n
  ip -n "$ns" route add default via 172.16.10.1
  mkdir -p "$work/n$n"
  cat > "$work/n$n/agent.yaml" <<YAML
plan: $PWD/$plan
node: edge-$n
nodeAddress: 172.16.10.1$n
store: file://$work/leases.db
subnetFile: $work/n$n/subnet.json
controlSocket: $work/n$n/agent.sock
bgp:
  holdTime: 9
  connectRetryTime: 1
YAML
  ip netns exec "$ns" "$agent" --config "$work/n$n/agent.yaml" > "$work/n$n/agent.log" 2>&1 &
  pids+=($!)
done
echo "-- terway-edged --check-config on edge-1"
ip netns exec "${nodes[0]}" "$agent" --config "$work/n1/agent.yaml" --check-config
for n in 1 2; do
  wait_for 30 bash -c "'$te' status --socket '$work/n$n/agent.sock' | grep -q Established"
done
wait_for 30 bash -c "'$te' status --socket '$work/n1/agent.sock' | grep -q 'ROUTES 1/1'"
echo "-- the subnet file edge-1's agent wrote for the plugin"
cat "$work/n1/subnet.json"
echo "-- terway-edge status on edge-1"
"$te" status --socket "$work/n1/agent.sock"
echo "-- edge-1's kernel: a host route to edge-2 through a nexthop object (proto 207), the VPC from the gateway (proto 206)"
ip -n "${nodes[0]}" route
ip -n "${nodes[0]}" nexthop show
echo "-- edge-1's masquerade table"
ip netns exec "${nodes[0]}" nft list table inet terway_edge

step "4. A pod on each node (terway-edge-cni, subnetFile from the agent); they ping"
cni() { # VERB POD NODE-INDEX
  local config='{"cniVersion": "1.1.0", "name": "edge", "type": "terway-edge-cni", "mode": "edge",
    "subnetFile": "'"$work/n$3/subnet.json"'", "bridge": "cni0", "dataDir": "'"$work/n$3/ipam"'"}'
  echo "$config" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$2 CNI_IFNAME=eth0 \
    CNI_PATH=/usr/lib/cni ip netns exec "${nodes[$(($3 - 1))]}" "$bin/terway-edge-cni"
}
cni ADD "${pods[0]}" 1 | tr -d '\n '; echo
cni ADD "${pods[1]}" 2 | tr -d '\n '; echo
b4=$(ip -n "${pods[1]}" -4 -o addr show eth0 | awk '{ split($4, a, "/"); print a[1] }')
echo "-- pod a on edge-1 -> pod b on edge-2 ($b4), no encapsulation"
ip netns exec "${pods[0]}" ping -c2 -W2 "$b4" | tail -2
echo "-- the gateway learned both node subnets over BGP"
ip netns exec "$gw" birdc -s "$work/gw.ctl" show route

step "5. edge-2 leaves: terway-edged --cleanup"
cni DEL "${pods[1]}" 2
ip netns exec "${nodes[1]}" "$agent" --config "$work/n2/agent.yaml" --cleanup
sleep 1
echo "-- edge-1 no longer routes to edge-2; the gateway withdrew it"
ip -n "${nodes[0]}" route show proto 207
ip netns exec "$gw" birdc -s "$work/gw.ctl" show route
cni DEL "${pods[0]}" 1
echo
echo "demo complete: plan checked, gateway rendered, agents leased, routed, advertised and masqueraded; a node left cleanly"
