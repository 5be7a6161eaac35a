import Datapath
import Glibc
import Netlink
import NetworkCore
import TestSupport
import Testing

/// Times setUp and tearDown of 50 pods on one bridge (reported, never asserted on), and the
/// same work done with `ip` commands for scale.
@Suite struct DatapathTimingTests {
    @Test func fiftyPodsSetUpAndTearDown() throws {
        let fixture = try DatapathFixture("dptime")
        let pods = try (0..<50).map { _ in try TestNamespace("podt") }
        try fixture.datapath.ensureBridge(fixture.bridge)
        var setUp: [Double] = [], tearDown: [Double] = []
        for (i, pod) in pods.enumerated() {
            let spec = fixture.spec(pod, host: 10 + i)
            setUp.append(try milliseconds { _ = try fixture.datapath.setUp(spec, on: fixture.bridge) })
        }
        #expect(try fixture.vethNames.count == 50)
        try pods[0].exec(["ping", "-c", "1", "-W", "2", "10.77.0.59"])
        for pod in pods {
            tearDown.append(try milliseconds {
                try fixture.datapath.tearDown(containerID: "container-\(pod.name)", ifName: "eth0")
            })
        }
        #expect(try fixture.vethNames.isEmpty)

        // The same pod plumbing through iproute2, one process per step, for ten pods.
        var ipSetUp: [Double] = [], ipTearDown: [Double] = []
        for (i, pod) in pods.prefix(10).enumerated() {
            let host = "vip\(i)"
            ipSetUp.append(try milliseconds {
                try fixture.node.exec(["ip", "link", "add", host, "mtu", "1500", "master", "cni0", "up", "type", "veth",
                                       "peer", "name", "eth0", "mtu", "1500", "netns", pod.path])
                try pod.exec(["ip", "addr", "add", "10.77.0.\(100 + i)/24", "dev", "eth0"])
                try pod.exec(["ip", "addr", "add", "fd77::\(100 + i)/64", "dev", "eth0", "nodad"])
                try pod.exec(["ip", "link", "set", "eth0", "up"])
                try pod.exec(["ip", "route", "add", "default", "via", "10.77.0.1"])
                try pod.exec(["ip", "route", "add", "default", "via", "fd77::1"])
            })
            ipTearDown.append(try milliseconds { try fixture.node.exec(["ip", "link", "del", host]) })
        }
        print("datapath timing (50 pods): setUp median \(median(setUp)) ms, p90 \(p90(setUp)) ms; "
              + "tearDown median \(median(tearDown)) ms, p90 \(p90(tearDown)) ms")
        print("iproute2 equivalent (10 pods, 6 ip processes per setUp): setUp median \(median(ipSetUp)) ms; "
              + "tearDown median \(median(ipTearDown)) ms")
    }

    private func milliseconds(_ body: () throws -> Void) throws -> Double {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        try body()
        clock_gettime(CLOCK_MONOTONIC, &end)
        let nanoseconds = Double(end.tv_sec - start.tv_sec) * 1e9 + Double(end.tv_nsec - start.tv_nsec)
        return (nanoseconds / 1e4).rounded() / 100
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    private func p90(_ values: [Double]) -> Double { values.sorted()[values.count * 9 / 10] }
}
