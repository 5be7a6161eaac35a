import CNI
import Testing

@Suite struct CNIVersionTests {
    @Test func parsesAndOrders() {
        #expect(CNIVersion("1.1.0") == .v1_1_0)
        #expect(CNIVersion("0.3.1")! < CNIVersion("0.4.0")!)
        #expect(CNIVersion("1.0.0")! < .v1_1_0)
        for bad in ["1.0", "1.0.0.0", "a.b.c", "1..0", "", "+1.0.0", "1.0.0-rc1"] {
            #expect(CNIVersion(bad) == nil, "\(bad)")
        }
    }
}
