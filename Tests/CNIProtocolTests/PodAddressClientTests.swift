import CNI
import CNIProtocol
import Glibc
import Testing

/// The plugin's end of the socket when the agent is not there or answers badly.
@Suite struct PodAddressClientTests {
    @Test func anAgentThatIsNotRunningIsTryAgainLaterNamingTheSocket() {
        let client = PodAddressClient(path: "/run/te-missing-\(getpid())/ip.sock", timeoutSeconds: 1)
        #expect {
            _ = try client.send(.status)
        } throws: { error in
            guard let error = error as? CNIError else { return false }
            return error.code == .tryAgainLater && error.msg.contains("/run/te-missing-") && error.msg.contains("not reachable")
        }
    }

    @Test func aPathTooLongForSockaddrIsAConfigError() {
        let client = PodAddressClient(path: "/" + String(repeating: "x", count: 200))
        #expect { _ = try client.send(.status) } throws: { ($0 as? CNIError)?.code == .invalidNetworkConfig }
    }
}
