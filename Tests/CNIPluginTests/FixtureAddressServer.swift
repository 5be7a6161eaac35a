import CNI
import CNIProtocol
import Foundation
import Glibc
import NetworkCore
import TestSupport

/// A test fixture speaking the address socket contract in place of `terway-edged` (role
/// cloud): grants from a fixed list of addresses of one ENI, keyed by attachment as the
/// contract says; an empty list answers code 11 naming the quota, as the agent does. It
/// tests the plugin's side only; the agent's own server is tested with the agent.
final class FixtureAddressServer: @unchecked Sendable {
    let path: String
    let eni: PodAddressGrant.ENIBinding
    private let listener: Int32
    private let lock = NSLock()
    private var free: [[IPAddress]]
    private var grants: [PodAttachmentKey: PodAddressGrant] = [:]
    private(set) var requests: [PodAddressRequest] = []
    private var thread: Thread?

    /// `addresses`: one list per pod (one address per family).
    init(directory: TemporaryDirectory, eni: PodAddressGrant.ENIBinding, addresses: [[IPAddress]]) throws {
        path = directory.file("ip.sock")
        self.eni = eni
        free = addresses
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw TestEnvironmentFailure("bind \(path): errno \(errno)") }
        chmod(path, 0o600)
        let thread = Thread { [unowned self] in self.serve() }
        self.thread = thread
        thread.start()
    }

    var held: [PodAttachmentKey: PodAddressGrant] { lock.withLock { grants } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        unlink(path)
    }

    deinit {
        stop()
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !bytes.contains(UInt8(ascii: "\n")) {
                let n = read(connection, &buffer, buffer.count)
                if n <= 0 { break }
                bytes += buffer[..<n]
            }
            let answer: PodAddressAnswer
            do { answer = self.answer(try PodAddressRequest(bytes: bytes)) } catch { answer = .failed(error) }
            let text = Array((answer.json.serialized() + "\n").utf8)
            _ = text.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            close(connection)
        }
    }

    private func answer(_ request: PodAddressRequest) -> PodAddressAnswer {
        lock.withLock {
            requests.append(request)
            switch request {
            case .allocate(let key, _):
                if let grant = grants[key] { return .granted(grant) }
                guard !free.isEmpty else { return .failed(Self.quota) }
                let grant = PodAddressGrant(addresses: free.removeFirst(), eni: eni)
                grants[key] = grant
                return .granted(grant)
            case .release(let key):
                if let grant = grants.removeValue(forKey: key) { free.append(grant.addresses) }
                return .released
            case .lookup(let key):
                guard let grant = grants[key] else { return .failed(CNIError(.unknownContainer, "no grant for \(key)")) }
                return .granted(grant)
            case .keep(let keys):
                let stale = grants.keys.filter { !keys.contains($0) }
                for key in stale { free.append(grants.removeValue(forKey: key)!.addresses) }
                return .kept(released: stale.count)
            case .status:
                return free.isEmpty ? .failed(CNIError(.pluginNotAvailable, Self.quota.msg, details: Self.quota.details)) : .ready
            }
        }
    }

    static let quota = CNIError(.tryAgainLater, "no address left: quota of 10 private IPv4 addresses per ENI reached on every ENI",
                                details: "ecs.g6.large allows 3 ENIs of 10 private IPv4 addresses each")
}

struct TestEnvironmentFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
