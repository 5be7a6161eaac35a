import CNI
import CNIProtocol
import Foundation
import Glibc
import NetworkCore

/// A fixture speaking the address socket contract in place of `terway-edged` (role cloud):
/// grants from a fixed list of addresses of one ENI (a warm pool that never refills), keyed
/// by attachment as the contract says; an empty list answers code 11 naming the quota, as
/// the agent does. For the plugin's tests and bench-cni; the agent's own server is tested
/// with the agent.
public final class PodAddressFixture: @unchecked Sendable {
    public let path: String
    public let eni: PodAddressGrant.ENIBinding
    private let listener: Int32
    private let lock = NSLock()
    private var free: [[IPAddress]]
    private var grants: [PodAttachmentKey: PodAddressGrant] = [:]
    public private(set) var requests: [PodAddressRequest] = []
    private var thread: Thread?

    /// `addresses`: one list per pod (one address per family).
    public init(path: String, eni: PodAddressGrant.ENIBinding, addresses: [[IPAddress]]) throws {
        self.path = path
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
        guard bound == 0, listen(listener, 64) == 0 else { throw PodAddressFixtureError("bind \(path): errno \(errno)") }
        chmod(path, 0o600)
        let thread = Thread { [weak self, listener] in Self.serve(listener) { self } }
        self.thread = thread
        thread.start()
    }

    public var held: [PodAttachmentKey: PodAddressGrant] { lock.withLock { grants } }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        unlink(path)
    }

    deinit {
        stop()
        close(listener)
    }

    /// Accepts until the listener is shut down; the fixture is held only while answering,
    /// so that releasing it stops the server.
    private static func serve(_ listener: Int32, _ fixture: () -> PodAddressFixture?) {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0, let self = fixture() else {
                if connection >= 0 { close(connection) }
                return
            }
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

    public static let quota = CNIError(.tryAgainLater, "no address left: quota of 10 private IPv4 addresses per ENI reached on every ENI",
                                details: "ecs.g6.large allows 3 ENIs of 10 private IPv4 addresses each")
}

public struct PodAddressFixtureError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
