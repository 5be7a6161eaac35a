import CNIProtocol
import Foundation
import NetworkCore
import Testing

@Suite struct SubnetFileTests {
    @Test func writeReplacesTheFileAtomicallyAndReadsBack() throws {
        let directory = NSTemporaryDirectory() + "te-subnetfile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/subnet.json"
        let first = SubnetFile(subnets: [IPPrefix("10.0.3.0/24")!, IPPrefix("fd00:0:3::/64")!], mtu: 1450)
        try first.write(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == #"{"subnets":["10.0.3.0/24","fd00:0:3::/64"],"mtu":1450}"# + "\n")
        #expect(try SubnetFile(bytes: Array(text.utf8), path: path) == first)

        let second = SubnetFile(subnets: [IPPrefix("10.0.4.0/24")!])
        try second.write(to: path)
        #expect(try SubnetFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path) == second)
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["subnet.json"])
    }

    @Test func writeIntoAMissingFolderNamesTheCall() {
        #expect {
            try SubnetFile(subnets: [IPPrefix("10.0.3.0/24")!]).write(to: "/nonexistent-te/subnet.json")
        } throws: { error in
            (error as? SubnetFileError)?.operation == "open" && "\(error)".contains("No such file")
        }
    }
}
