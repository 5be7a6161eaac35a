import Foundation

/// A small sound plan (no findings, headroom 0) with `$NAME` slots; each test case replaces
/// a few slots to break exactly one thing. Used by the Plan tests and the CLI tests.
public enum PlanFixture {
    public static let defaults: [String: String] = [
        "HEADROOM": "0",
        "VPC": "192.168.0.0/16",
        "VSW": "192.168.0.0/24",
        "VSW_EXTRA": "",
        "CLOUD_NODES": "1",
        "CLOUD_PODS": "10",
        "SVC": "172.21.0.0/24",
        "SERVICES": "100",
        "DC": "172.16.0.0/16",
        "LINK": "172.31.0.0/30",
        "VBR": "172.31.0.1",
        "DCR": "172.31.0.2",
        "PODS": "10.0.0.0/16",
        "LEN": "ipv4: 24",
        "NODES": "172.16.1.0/24",
        "EDGE_NODES": "10",
        "EDGE_PODS": "100",
        "GW": "172.16.1.1",
        "AS": "65000",
        "NODES_AS": "65001",
        "DOMAIN_EXTRA": "",
    ]

    static let template = """
    name: fixture
    headroomPercent: $HEADROOM
    vpc:
      cidrs: [$VPC]
      vSwitches:
        - name: a
          cidrs: [$VSW]
    $VSW_EXTRA
      cloudNodes: $CLOUD_NODES
      podsPerCloudNode: $CLOUD_PODS
    services:
      cidrs: [$SVC]
      expectedServices: $SERVICES
    dataCenter:
      networks: [$DC]
    expressConnect:
      links:
        - cidr: $LINK
          vbr: $VBR
          dcRouter: $DCR
    edgeDomains:
      - name: dc1
        podCIDRs: [$PODS]
        nodeSubnetLength: {$LEN}
        nodeNetworks: [$NODES]
        edgeNodes: $EDGE_NODES
        podsPerEdgeNode: $EDGE_PODS
        gateway:
          addresses: [$GW]
          as: $AS
          nodesAS: $NODES_AS
    $DOMAIN_EXTRA
    """

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
