#!/usr/bin/env bash
# The main job, for now: one edge node of the seed, end to end, on embedded defaults.
#   1. the CIDR plan of the seed is checked and the VBR / DC-router routes printed;
#   2. the node takes its subnet lease from the embedded store;
#   3. the CNI plugin gives two pods addresses from that subnet (dual stack), they ping;
#   4. the node's BGP speaker advertises the subnet to the edge gateway (a real BIRD 2),
#      which installs the route and reaches the pods through the node.
# Everything network-side runs in `te-demo-*` namespaces, removed at the end. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ "$(id -u)" = 0 ] || { echo "the demo builds network namespaces and needs root" >&2; exit 1; }
swift build --product terway-edge-cni
swift build --product terway-edge
bin="$(swift build --show-bin-path)"
te="$bin/terway-edge"

tag=$RANDOM
node=te-demo-node-$tag gw=te-demo-gw-$tag
pods=(te-demo-a-$tag te-demo-b-$tag)
work=$(mktemp -d /tmp/te-demo-XXXXXX)
speaker="" bird_pid=""
cleanup() {
  [ -n "$speaker" ] && kill "$speaker" 2>/dev/null && wait "$speaker" 2>/dev/null || true
  if [ -n "$bird_pid" ] && kill "$bird_pid" 2>/dev/null; then
    # BIRD daemonized itself, so it is no child to wait for: poll its PID (at most 5 s).
    for _ in $(seq 50); do kill -0 "$bird_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  for ns in "${pods[@]}" "$node" "$gw"; do ip netns delete "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. The seed's CIDR plan (VPC 192.168.0.0/16, edge pods 10.0.0.0/16)"
"$te" plan check examples/seed.yaml
"$te" plan render examples/seed.yaml --for vbr
"$te" plan render examples/seed.yaml --for dc-router

step "2. Node edge-1 takes its subnet lease (embedded store)"
store="file://$work/leases.db"
for n in 1 2 3; do
  "$te" ipam acquire --store "$store" --cluster-cidr 10.0.0.0/16 --cluster-cidr fd00:10::/56 \
    --node edge-$n --node-address 10.254.0.$((n + 1)) --data bgp.router-id=10.254.0.$((n + 1)) >/dev/null
done
"$te" ipam leases --store "$store"
subnets=$("$te" ipam leases --store "$store" | awk '$1 == "edge-1" { print $2 }')
v4=${subnets%%,*} v6=${subnets##*,}
echo "edge-1 holds $v4 and $v6"

step "3. Pods on edge-1 get addresses from its subnet (terway-edge-cni, subnetFile from the lease)"
for ns in "$node" "$gw" "${pods[@]}"; do ip netns add "$ns"; done
printf '{"subnets": ["%s", "%s"]}\n' "$v4" "$v6" > "$work/subnet.json"
config='{"cniVersion": "1.1.0", "name": "edge", "type": "terway-edge-cni", "mode": "edge",
  "subnetFile": "'"$work/subnet.json"'", "bridge": "cni0", "mtu": 1450, "dataDir": "'"$work/ipam"'"}'
cni() { # VERB POD
  echo "$config" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$2 CNI_IFNAME=eth0 \
    CNI_PATH=/usr/lib/cni ip netns exec "$node" "$bin/terway-edge-cni"
}
for ns in "${pods[@]}"; do
  echo "-- ADD $ns"; cni ADD "$ns" | tr -d '\n '; echo
done
a4=$(ip netns exec "${pods[0]}" ip -4 -o addr show eth0 | awk '{ split($4, a, "/"); print a[1] }')
b4=$(ip netns exec "${pods[1]}" ip -4 -o addr show eth0 | awk '{ split($4, a, "/"); print a[1] }')
b6=$(ip netns exec "${pods[1]}" ip -6 -o addr show eth0 scope global | awk '{ split($4, a, "/"); print a[1] }')
echo "-- pod a ($a4) -> pod b ($b4, $b6)"
ip netns exec "${pods[0]}" ping -c1 -W2 "$b4" | head -2
ip netns exec "${pods[0]}" ping -6 -c1 -W3 "$b6" | head -2

step "4. edge-1's BGP speaker advertises $v4 to the edge gateway (BIRD 2)"
ip link add te-dn$tag netns "$node" type veth peer name te-dg$tag netns "$gw"
ip -n "$node" addr add 10.254.0.2/24 dev te-dn$tag && ip -n "$node" link set te-dn$tag up
ip -n "$gw" addr add 10.254.0.1/24 dev te-dg$tag && ip -n "$gw" link set te-dg$tag up
ip -n "$gw" link set lo up
cat > "$work/bird.conf" <<BIRD
router id 10.254.0.1;
protocol device {}
protocol kernel { ipv4 { export all; }; }
protocol bgp edge1 {
  local 10.254.0.1 as 65001;
  neighbor 10.254.0.2 as 65002;
  hold time 9;
  ipv4 { import all; export none; };
}
BIRD
ip netns exec "$gw" bird -c "$work/bird.conf" -s "$work/bird.ctl" -P "$work/bird.pid"
bird_pid=$(cat "$work/bird.pid")
cat > "$work/bgp.yaml" <<YAML
localAS: 65002
routerID: 10.254.0.2
listen: 10.254.0.2:179
controlSocket: $work/bgp.sock
peers:
  - address: 10.254.0.1
    as: 65001
    holdTime: 9
    import: [any]
    export: ["$v4"]
originate:
  - prefix: $v4
    communities: ["65002:100"]
YAML
ip netns exec "$node" "$te" bgp serve --config "$work/bgp.yaml" > "$work/bgp.log" 2>&1 &
speaker=$!
for _ in $(seq 100); do
  ip netns exec "$gw" birdc -s "$work/bird.ctl" show protocols edge1 2>/dev/null | grep -q Established && break
  sleep 0.1
done
"$te" bgp peers --socket "$work/bgp.sock"
echo "-- the gateway's view (birdc show route)"
ip netns exec "$gw" birdc -s "$work/bird.ctl" show route all "$v4"
echo "-- the gateway reaches pod b through edge-1"
ip netns exec "$gw" ip route show "$v4"
ip netns exec "$gw" ping -c1 -W2 "$b4" | head -2

step "5. Pods leave: DEL frees their addresses"
for ns in "${pods[@]}"; do cni DEL "$ns" && echo "DEL $ns ok"; done
echo
echo "demo complete: plan checked, lease taken, pods wired, subnet advertised over BGP"
