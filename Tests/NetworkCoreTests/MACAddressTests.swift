import NetworkCore
import Testing

@Suite struct MACAddressTests {
    @Test func parsesAndFormats() throws {
        let mac = try #require(MACAddress("02:AB:0c:de:F0:01"))
        #expect(mac.bytes == [0x02, 0xAB, 0x0C, 0xDE, 0xF0, 0x01])
        #expect(mac.description == "02:ab:0c:de:f0:01")
        #expect(MACAddress(mac.description) == mac)
    }

    @Test(arguments: ["", "02:ab:0c:de:f0", "02:ab:0c:de:f0:01:02", "2:ab:0c:de:f0:01", "02:ab:0c:de:f0:zz", "02-ab-0c-de-f0-01"])
    func rejectsMalformed(text: String) {
        #expect(MACAddress(text) == nil)
    }

    @Test func bytesMustBeSix() {
        #expect(MACAddress(bytes: [1, 2, 3, 4, 5]) == nil)
        #expect(MACAddress(bytes: [1, 2, 3, 4, 5, 6])?.bytes == [1, 2, 3, 4, 5, 6])
    }

    @Test func derivedAddressesAreLocalUnicastAndStable() {
        for seed: UInt64 in [0, 1, .max, 0xFFFF_FFFF_FFFF, 0x0123_4567_89AB_CDEF] {
            let mac = MACAddress(locallyAdministeredFrom: seed)
            #expect(mac.isLocallyAdministered)
            #expect(!mac.isMulticast)
            #expect(mac == MACAddress(locallyAdministeredFrom: seed))
        }
        #expect(MACAddress(locallyAdministeredFrom: 1) != MACAddress(locallyAdministeredFrom: 2))
    }
}
