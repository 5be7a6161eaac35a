import Foundation

/// A small sound plan (no findings, headroom 0) with `$NAME` slots; each test case replaces
/// a few slots to break exactly one thing. Used by the Plan tests and the CLI tests.
public enum PlanFixture {
    public static let defaults: [String: String] = [
        "PLAN_NAME": "fixture",
        "HEADROOM": "0",
        "VPC": "192.168.0.0/16",
        "VSW": "192.168.0.0/24",
        "VSW_EXTRA": "",
        "CLOUD_NODES": "1",
        "CLOUD_PODS": "10",
        "VPC_EXTRA": "",
        "SVC": "172.21.0.0/24",
        "SERVICES": "100",
        "DC": "172.16.0.0/16",
        "LINK": "172.31.0.0/30",
        "VBR": "172.31.0.1",
        "DCR": "172.31.0.2",
        "LINK_EXTRA": "",
        "DC_EXTRA": "",
        "DOMAIN": "dc1",
        "PODS": "10.0.0.0/16",
        "LEN": "ipv4: 24",
        "NODES": "172.16.1.0/24",
        "GW": "172.16.1.1",
        "NODES_EXTRA": "",
        "EDGE_NODES": "10",
        "EDGE_PODS": "100",
        "AS": "65000",
        "NODES_AS": "65001",
        "DOMAIN_EXTRA": "",
    ]

    /// One data center (`site1`) with one circuit, one domain behind it with one node network.
    static let template = """
    name: $PLAN_NAME
    headroomPercent: $HEADROOM
    vpc:
      cidrs: [$VPC]
      vSwitches:
        - name: a
          cidrs: [$VSW]
    $VSW_EXTRA
      cloudNodes: $CLOUD_NODES
      podsPerCloudNode: $CLOUD_PODS
    $VPC_EXTRA
    services:
      cidrs: [$SVC]
      expectedServices: $SERVICES
    dataCenters:
      - name: site1
        networks: [$DC]
        circuit:
          links:
            - cidr: $LINK
              vbr: $VBR
              dcRouter: $DCR
    $LINK_EXTRA
    $DC_EXTRA
    edgeDomains:
      - name: $DOMAIN
        dataCenter: site1
        podCIDRs: [$PODS]
        nodeSubnetLength: {$LEN}
        nodeNetworks:
          - cidr: $NODES
            gateway: $GW
    $NODES_EXTRA
        edgeNodes: $EDGE_NODES
        podsPerEdgeNode: $EDGE_PODS
        gateway:
          as: $AS
          nodesAS: $NODES_AS
          password: k3y
    $DOMAIN_EXTRA
    """

    /// A further node network of the fixture's domain (for `NODES_EXTRA`).
    public static func nodeNetwork(_ cidr: String, gateway: String) -> String {
        "      - cidr: \(cidr)\n        gateway: \(gateway)"
    }

    /// A further link of the fixture's circuit (for `LINK_EXTRA`).
    public static func link(_ cidr: String, vbr: String, dcRouter: String) -> String {
        "        - cidr: \(cidr)\n          vbr: \(vbr)\n          dcRouter: \(dcRouter)"
    }

    /// A further data center (for `DC_EXTRA`).
    public static func dataCenter(_ name: String, networks: String, link: String, vbr: String, dcRouter: String) -> String {
        "  - name: \(name)\n    networks: [\(networks)]\n    circuit:\n      links:\n" + Self.link(link, vbr: vbr, dcRouter: dcRouter)
    }

    /// A further edge domain (for `DOMAIN_EXTRA`), behind `dataCenter`.
    public static func domain(_ name: String, dataCenter: String = "site1", pods: String, length: String = "ipv4: 24",
                       nodes: String, gateway: String, extra: String = "") -> String {
        """
          - name: \(name)
            dataCenter: \(dataCenter)
            podCIDRs: [\(pods)]
            nodeSubnetLength: {\(length)}
            nodeNetworks:
              - cidr: \(nodes)
                gateway: \(gateway)
            edgeNodes: 10
            podsPerEdgeNode: 100
            gateway:
              as: 65010
              nodesAS: 65011
              password: k3y
        """ + extra
    }

    /// The fixture's YAML with some slots replaced (longest names first, so `$VSW_EXTRA` is not read as `$VSW`).
    public static func yaml(_ changes: [String: String] = [:]) -> String {
        let values = defaults.merging(changes) { $1 }
        return values.keys.sorted { $0.count > $1.count }.reduce(template) { text, key in
            text.replacingOccurrences(of: "$\(key)", with: values[key]!)
        }
    }

    /// The repository's examples folder.
    public static func example(_ name: String, file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/\(name)").path
    }

    public static func exampleText(_ name: String) throws -> String {
        try String(contentsOfFile: example(name), encoding: .utf8)
    }
}
