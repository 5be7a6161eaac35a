import Masquerade
import Netlink

extension NodeDoctor {
    /// Peer host routes go through nexthop objects (Linux 5.3+); without them the agent
    /// falls back to classic routes, which a kernel this old handles, with a warning.
    func checkNexthopObjects() -> DoctorFinding {
        do throws(NetlinkError) {
            _ = try NetlinkSocket().nexthops()
            return .ok("kernel.nexthop", "nexthop objects available")
        } catch {
            return error.meansNoNexthopObjects
                ? .problem("kernel.nexthop", "the kernel has no nexthop objects (\(error))",
                           fix: "run a kernel 5.3 or newer with nexthop support, or set routes.mode: classic in agent.yaml")
                : .problem("kernel.nexthop", "cannot read nexthops: \(error)",
                           fix: "run doctor as root on the node (or in the agent's pod), in the host's network namespace")
        }
    }

    /// The masquerade table is written through `nft`: the tool must run and the kernel must
    /// have nf_tables. With `masquerade: true` our table must be there too.
    func checkNftables(masquerade: Bool) -> DoctorFinding {
        do {
            let status = try Masquerade(nft: inputs.nft).status()
            if masquerade && !status.installed {
                return .problem("kernel.nftables", "nftables works, but the table inet terway_edge is missing",
                                fix: "the agent writes it at start: check `terway-edge status` and the agent's log for masquerade errors")
            }
            return .ok("kernel.nftables", status.installed ? "nftables works; table inet terway_edge installed" : "nftables works")
        } catch {
            return .problem("kernel.nftables", "nft cannot list tables: \(error)",
                            fix: "install nftables (the nft tool) and load nf_tables (`modprobe nf_tables`); or set masquerade: false if another component masquerades pod traffic")
        }
    }

    /// A node forwards its pods' traffic: IPv4 forwarding always, IPv6 with an IPv6 pod range.
    func checkForwarding(ipv6: Bool) -> [DoctorFinding] {
        var keys = [("sysctl.ip_forward", "net.ipv4.ip_forward")]
        if ipv6 { keys.append(("sysctl.ipv6_forwarding", "net.ipv6.conf.all.forwarding")) }
        return keys.map { check, key in
            do {
                let value = try Sysctl.read(key)
                return value == "1"
                    ? .ok(check, "\(key) = 1")
                    : .problem(check, "\(key) = \(value): the node drops pod traffic between nodes",
                               fix: "sysctl -w \(key)=1, and keep it in /etc/sysctl.d/ (kubelet does not set it)")
            } catch {
                return .problem(check, "cannot read \(key): \(error)", fix: "run doctor on the node, as root")
            }
        }
    }
}
