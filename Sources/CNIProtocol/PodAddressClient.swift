import CNI
import Glibc
import POSIX

/// The plugin's end of the address socket: one connection per request (see
/// `PodAddressSocket`). Glibc sockets only, so the plugin stays free of NIO and Foundation.
public struct PodAddressClient: Sendable {
    public var path: String
    /// How long one answer may take: an allocate from a cold pool waits for the cloud.
    public var timeoutSeconds: Int

    public init(path: String = PodAddressSocket.defaultPath, timeoutSeconds: Int = 60) {
        self.path = path
        self.timeoutSeconds = timeoutSeconds
    }

    /// Sends `request` and reads its answer. An agent that cannot be reached is code 11 (try
    /// again later: it is starting or restarting); an answer that is not the contract's is
    /// code 6. The agent's own errors come back as `.failed`, code and message as it sent them.
    public func send(_ request: PodAddressRequest) throws(CNIError) -> PodAddressAnswer {
        let bytes: [UInt8]
        do {
            bytes = try UnixStreamSocket.exchange(path: path, request: Array(request.json.serialized().utf8),
                                                  limit: PodAddressSocket.maximumMessageBytes, timeoutSeconds: timeoutSeconds)
        } catch {
            switch error {
            case .pathTooLong(let capacity):
                throw CNIError(.invalidNetworkConfig, "socket path \(path) is longer than \(capacity) bytes")
            case .call(let call, let code):
                if call == "read from" && (code == EAGAIN || code == EWOULDBLOCK) {
                    throw CNIError(.tryAgainLater, "the node agent did not answer within \(timeoutSeconds) s on \(path)")
                }
                throw failure(call, code)
            }
        }
        guard !bytes.isEmpty else {
            throw CNIError(.tryAgainLater, "the node agent closed \(path) without an answer", details: "it may be restarting")
        }
        return try PodAddressAnswer(bytes: bytes, answering: request)
    }

    /// Like `send`, but an error answer is thrown.
    public func call(_ request: PodAddressRequest) throws(CNIError) -> PodAddressAnswer {
        let answer = try send(request)
        if case .failed(let error) = answer { throw error }
        return answer
    }

    private func failure(_ call: String, _ code: Int32) -> CNIError {
        let text = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return CNIError(.tryAgainLater, "the node agent's address socket \(path) is not reachable (\(call): \(text))",
                        details: "terway-edged (role cloud) serves it; is it running?")
    }
}
