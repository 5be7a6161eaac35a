import Foundation
import NetworkCore
import SubnetStore
import Testing

@Suite struct LeaseListingTests {
    static let now = Date(timeIntervalSince1970: 1_795_661_700)   // 2026-11-26T02:55:00Z
    static let leases = [
        Lease(node: "edge-1", subnets: [IPPrefix("10.0.0.0/24")!, IPPrefix("fd00:10::/64")!], nodeAddress: IPAddress("192.168.10.5")!,
              domain: .edge, acquiredAt: now - 60, renewedAt: now - 2, expiresAt: now + 3598, revision: 4,
              backendData: ["bgp.router-id": "10.0.0.1", "bgp.asn": "64512"]),
        Lease(node: "cloud-vm-12", subnets: [IPPrefix("10.0.1.0/24")!], nodeAddress: IPAddress("192.168.0.12")!,
              domain: .cloud, acquiredAt: now - 600, renewedAt: now - 600, expiresAt: now - 12, revision: 2),
    ]

    @Test func tableAlignsColumns() {
        #expect(LeaseListing.table(Self.leases, now: Self.now) == """
        NODE         SUBNETS                   NODE ADDRESS  DOMAIN  EXPIRES IN       BACKEND DATA
        edge-1       10.0.0.0/24,fd00:10::/64  192.168.10.5  edge    59m58s           bgp.asn=64512,bgp.router-id=10.0.0.1
        cloud-vm-12  10.0.1.0/24               192.168.0.12  cloud   expired 12s ago  -

        """)
    }

    @Test(arguments: [(0, "0s"), (59, "59s"), (60, "1m0s"), (3660, "1h1m"), (2 * 86400 + 3 * 3600 + 59, "2d3h")])
    func durationsReadNaturally(seconds: Int, text: String) {
        let lease = Lease(node: "a", subnets: [IPPrefix("10.0.0.0/24")!], nodeAddress: IPAddress("10.1.1.1")!, domain: .edge,
                          acquiredAt: Self.now, renewedAt: Self.now, expiresAt: Self.now + TimeInterval(seconds) + 0.5)
        #expect(LeaseListing.expiresIn(lease, now: Self.now) == text)
    }

    @Test func jsonCarriesEveryField() throws {
        let items = try #require(try JSONSerialization.jsonObject(with: Data(LeaseListing.json(Self.leases, now: Self.now).utf8)) as? [[String: Any]])
        #expect(items.count == 2)
        #expect(items[0]["subnets"] as? [String] == ["10.0.0.0/24", "fd00:10::/64"])
        #expect(items[0]["expiresAt"] as? String == "2026-11-26T03:54:58.000Z")
        #expect(items[0]["expiresInSeconds"] as? Int == 3598 && items[1]["expired"] as? Bool == true)
        #expect(items[1]["domain"] as? String == "cloud" && items[1]["revision"] as? Int == 2)
        #expect(items[0]["backendData"] as? [String: String] == ["bgp.router-id": "10.0.0.1", "bgp.asn": "64512"])
    }
}
