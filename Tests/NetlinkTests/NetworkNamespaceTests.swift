import Glibc
@testable import Netlink
import TestSupport
import Testing

@Suite struct NetworkNamespaceTests {
    @Test func runsOnADedicatedThreadThatReturnsHome() throws {
        let test = try TestNamespace("thread")
        let namespace = try NetworkNamespace(path: test.path)
        let before = try NetworkNamespace.current().inode
        #expect(namespace.inode != before)
        let callerThread = pthread_self()
        let (inside, returnedHome) = try namespace.runReportingReturn {
            #expect(pthread_equal(pthread_self(), callerThread) == 0)
            return try NetworkNamespace.current().inode
        }
        #expect(inside == namespace.inode)
        #expect(returnedHome)
        #expect(try NetworkNamespace.current().inode == before)
    }

    @Test func bodyErrorsPropagate() throws {
        let test = try TestNamespace("throw")
        let namespace = try NetworkNamespace(path: test.path)
        struct Marker: Error {}
        #expect(throws: Marker.self) { try namespace.run { throw Marker() } }
    }

    @Test func socketOpenedInsideStaysThere() throws {
        let test = try TestNamespace("sock")
        let socket = try NetworkNamespace(path: test.path).openNetlinkSocket()
        // From this (root-namespace) thread, the socket still sees only the test namespace's links.
        #expect(try socket.listLinks().map(\.name) == ["lo"])
    }

    @Test func rejectsWhatIsNotANetworkNamespace() throws {
        let directory = try TemporaryDirectory()
        try directory.write("plain", "not a namespace")
        #expect(throws: NamespaceError.notANetworkNamespace(path: directory.file("plain"))) {
            try NetworkNamespace(path: directory.file("plain"))
        }
        #expect(throws: NamespaceError.notANetworkNamespace(path: "/proc/self/ns/mnt")) {
            try NetworkNamespace(path: "/proc/self/ns/mnt")
        }
        #expect(throws: NamespaceError.missing(path: directory.file("absent"))) {
            try NetworkNamespace(path: directory.file("absent"))
        }
    }
}

@Suite struct SysctlTests {
    @Test func readsAndWritesInsideANamespace() throws {
        let test = try TestNamespace("sysctl")
        let namespace = try NetworkNamespace(path: test.path)
        let rootValue = try Sysctl.read("net.ipv4.ip_forward")
        try namespace.writeSysctl("net.ipv4.ip_forward", "1")
        #expect(try namespace.readSysctl("net/ipv4/ip_forward") == "1")
        #expect(try test.exec(["sysctl", "-n", "net.ipv4.ip_forward"]).stdout.hasPrefix("1"))
        try namespace.writeSysctl("net.ipv4.ip_forward", "0")
        #expect(try namespace.readSysctl("net.ipv4.ip_forward") == "0")
        #expect(try Sysctl.read("net.ipv4.ip_forward") == rootValue)
    }

    @Test(arguments: ["kernel.hostname", "net/../kernel/hostname", "vm.swappiness"])
    func refusesKeysOutsideNet(key: String) {
        #expect(throws: NetlinkError.self) { try Sysctl.read(key) }
    }

    @Test func missingKeyIsAnError() throws {
        let test = try TestNamespace("sysno")
        let namespace = try NetworkNamespace(path: test.path)
        #expect { try namespace.readSysctl("net.ipv4.no_such_key") } throws: { ($0 as? NetlinkError)?.errno == ENOENT }
    }
}
