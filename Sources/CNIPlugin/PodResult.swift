import CNI
import Datapath
import NetworkCore

/// The Result both modes print.
enum PodResult {
    /// The previous plugins' part first (chaining), then the bridge (edge mode), the host end
    /// and the container end, the addresses with their gateways, and the routes this ADD added.
    static func build(previous: CNIResult?, pod: PodInterface, mtu: Int, ips: [(InterfaceAddress, IPAddress?)],
                      dns: CNIResult.DNS?) -> CNIResult {
        var result = previous ?? CNIResult()
        if let bridgeName = pod.bridgeName { result.interfaces.append(.init(name: bridgeName, mac: pod.bridgeMAC?.description)) }
        result.interfaces.append(.init(name: pod.hostName, mac: pod.hostMAC.description))
        result.interfaces.append(.init(name: pod.containerName, mac: pod.containerMAC.description, mtu: mtu, sandbox: pod.sandbox))
        let container = result.interfaces.count - 1
        for (address, gateway) in ips {
            result.ips.append(.init(address: address, gateway: gateway, interface: container))
        }
        for route in pod.routes {
            result.routes.append(.init(destination: route.destination, gateway: route.gateway))
        }
        if let dns { result.dns = dns }
        return result
    }
}
