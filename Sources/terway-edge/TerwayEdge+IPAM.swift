import ArgumentParser
import Foundation
import NetworkCore
import SubnetStore

extension TerwayEdge {
    struct IPAMCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ipam",
            abstract: "Inspect and manage node subnet leases.",
            subcommands: [Leases.self, Watch.self, Acquire.self, Renew.self, Release.self]
        )
    }
}

extension OutputFormat {
    func render(_ leases: [Lease]) -> String {
        switch self {
        case .table: LeaseListing.table(leases, now: Date())
        case .json: LeaseListing.json(leases, now: Date())
        }
    }
}

extension TerwayEdge.IPAMCommand {
    struct StoreOptions: ParsableArguments {
        @Option(help: "Lease store: file:///path (embedded), etcd://host:port,host:port/prefix or kubernetes://.")
        var store = "file:///var/lib/terway-edge/leases.db"

        @Option(help: "Output format: table or json.")
        var output: OutputFormat = .table

        /// Only `acquire` creates an embedded store: the other commands on a file that is not
        /// there would print an empty store (and leave a folder and lock file behind), which
        /// reads like a cluster without leases.
        func open(pools: [NodeSubnetAllocator] = [], creating: Bool = false) async throws -> any LeaseStore {
            try Self.requireExisting(store, unless: creating)
            return try await LeaseStoreFactory.open(url: store, options: LeaseStoreOptions(pools: pools))
        }

        static func requireExisting(_ store: String, unless creating: Bool) throws {
            guard !creating, let url = try? LeaseStoreURL(parsing: store), url.scheme == "file",
                  !FileManager.default.fileExists(atPath: url.path) else { return }
            throw ValidationError("no lease store at \(url.path): the file does not exist; pass the agents' store (agent.yaml's store:) with --store")
        }
    }

    /// The subnet plan an acquiring node needs: one pool per family.
    struct PoolOptions: ParsableArguments {
        @Option(name: .customLong("cluster-cidr"), help: "Pod CIDR to divide among nodes; repeat once per family for dual stack.")
        var clusterCIDRs: [String] = ["10.0.0.0/16"]

        @Option(help: "Prefix length of each node's IPv4 subnet.")
        var nodeSubnetLength = 24

        @Option(name: .customLong("node-subnet-length-v6"), help: "Prefix length of each node's IPv6 subnet.")
        var nodeSubnetLengthV6 = 64

        @Option(name: .customLong("reserved"), help: "A block no node may get; repeatable.")
        var reserved: [String] = []

        @Option(help: "Where the search for a free subnet starts: hashed-start (from the node name's hash; agents booting together rarely collide) or lowest-free.")
        var strategy = NodeSubnetAllocator.Strategy.hashedStart.rawValue

        func pools() throws -> [NodeSubnetAllocator] {
            guard let strategy = NodeSubnetAllocator.Strategy(rawValue: strategy) else {
                throw ValidationError("--strategy must be one of \(NodeSubnetAllocator.Strategy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let reservedBlocks = try reserved.map(Self.prefix)
            return try clusterCIDRs.map(Self.prefix).map { cidr in
                try NodeSubnetAllocator(clusterCIDR: cidr, subnetLength: cidr.family == .v4 ? nodeSubnetLength : nodeSubnetLengthV6,
                                        reserved: reservedBlocks.filter { $0.family == cidr.family }, strategy: strategy)
            }
        }

        private static func prefix(_ text: String) throws -> IPPrefix {
            do { return try IPPrefix(parsing: text) } catch { throw ValidationError(error.description) }
        }
    }

    struct Leases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every node's subnet lease.")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let store = try await storeOptions.open()
            let leases = try await store.list()
            await store.close()
            print(storeOptions.output.render(leases), terminator: "")
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every lease, then each change as it happens, until interrupted.")

        @Option(help: "Lease store: file:///path (embedded), etcd://host:port,host:port/prefix or kubernetes://.")
        var store = "file:///var/lib/terway-edge/leases.db"

        func run() async throws {
            try StoreOptions.requireExisting(store, unless: false)
            let leases = try await LeaseStoreFactory.open(url: store, options: LeaseStoreOptions())
            for try await event in try await leases.watch() {
                print(LeaseListing.line(event, now: Date()))
                fflush(nil)
            }
        }
    }

    struct Acquire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take (or take back) a node's subnets and print the lease.",
            discussion: "Idempotent: a node that holds a lease gets the same subnets, renewed.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var poolOptions: PoolOptions

        @Option(help: "Node name (a DNS-1123 subdomain).")
        var node: String

        @Option(help: "The node's address, the next hop other nodes use for its subnets.")
        var nodeAddress: String

        @Option(help: "Network domain of the node: edge or cloud.")
        var domain = NetworkDomain.edge.rawValue

        @Option(help: "Lease lifetime in seconds without renewal.")
        var ttl = 3600.0

        @Option(name: .customLong("data"), help: "Backend data as key=value, e.g. bgp.router-id=10.0.1.1; repeatable.")
        var data: [String] = []

        @Option(help: "This machine's identity in the lease; another machine using the same node name is refused. Default: /etc/machine-id.")
        var owner = MachineID.current

        func run() async throws {
            guard let address = IPAddress(nodeAddress) else { throw ValidationError("--node-address '\(nodeAddress)' is not an IP address") }
            guard let domain = NetworkDomain(rawValue: domain) else { throw ValidationError("--domain must be edge or cloud") }
            var backendData: [String: String] = [:]
            for item in data {
                let parts = item.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw ValidationError("--data '\(item)' is not key=value") }
                backendData[String(parts[0])] = String(parts[1])
            }
            let store = try await storeOptions.open(pools: poolOptions.pools(), creating: true)
            let lease = try await store.acquire(LeaseRequest(node: node, nodeAddress: address, domain: domain,
                                                             ttl: .milliseconds(Int64(ttl * 1000)), backendData: backendData,
                                                             owner: owner))
            await store.close()
            print(storeOptions.output.render([lease]), terminator: "")
        }
    }

    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Extend a node's live lease.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "Node name.")
        var node: String

        @Option(help: "New lifetime in seconds from now.")
        var ttl = 3600.0

        @Option(help: "This machine's identity; a lease another machine holds is not renewed. Default: /etc/machine-id.")
        var owner = MachineID.current

        func run() async throws {
            let store = try await storeOptions.open()
            let lease = try await store.renew(node: node, ttl: .milliseconds(Int64(ttl * 1000)), owner: owner)
            await store.close()
            print(storeOptions.output.render([lease]), terminator: "")
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a node's subnets back (no error when it holds none).")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "Node name.")
        var node: String

        func run() async throws {
            let store = try await storeOptions.open()
            let released = try await store.release(node: node)
            await store.close()
            print(storeOptions.output.render(released.map { [$0] } ?? []), terminator: "")
        }
    }
}
