import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One keep-alive connection per endpoint, opened on first use and replaced after a
/// transport failure. Shared by every task of one client; requests are pipelined on it.
public final class HTTPConnectionCache: Sendable {
    private let connectTimeout: TimeAmount
    public let tls: NIOSSLContext?
    public let group: any EventLoopGroup
    public let keepalive: TCPKeepalive?
    private let connections = Mutex<[HTTPEndpoint: Task<HTTPConnection, Error>]>([:])

    /// `group` runs the connections: the process-wide singleton unless the caller owns one.
    public init(connectTimeout: Double, tls: NIOSSLContext?,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                keepalive: TCPKeepalive? = TCPKeepalive()) {
        self.keepalive = keepalive
        self.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        self.tls = tls
        self.group = group
    }

    /// Sends `request` to `endpoint`; a connection that failed is dropped so the next
    /// request opens a new one.
    public func send(_ request: HTTPRequest, to endpoint: HTTPEndpoint, timeout: Double) async throws -> HTTPResponse {
        let connection = try await connection(to: endpoint)
        do {
            return try await connection.send(request, timeout: .milliseconds(Int64(timeout * 1000)))
        } catch let error as HTTPClientError where error.isTransport {
            drop(endpoint)
            throw error
        }
    }

    public func closeAll() async {
        let tasks = connections.withLock { connections in
            defer { connections = [:] }
            return Array(connections.values)
        }
        for task in tasks { try? await task.value.close() }
    }

    private func connection(to endpoint: HTTPEndpoint) async throws -> HTTPConnection {
        let timeout = connectTimeout, tls = tls, group = group, keepalive = keepalive
        let task = connections.withLock { connections in
            if let task = connections[endpoint] { return task }
            let task = Task { try await HTTPConnection.connect(to: endpoint, tls: tls, group: group, timeout: timeout, keepalive: keepalive) }
            connections[endpoint] = task
            return task
        }
        do {
            let connection = try await task.value
            guard connection.isActive else { throw HTTPClientError.closed(endpoint: endpoint.description) }
            return connection
        } catch {
            drop(endpoint)
            throw error
        }
    }

    private func drop(_ endpoint: HTTPEndpoint) {
        let task = connections.withLock { $0.removeValue(forKey: endpoint) }
        if let task { Task { try? await task.value.close() } }
    }

    deinit {
        for task in connections.withLock({ Array($0.values) }) {
            Task { try? await task.value.close() }
        }
    }
}
