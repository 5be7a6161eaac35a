/// A streaming response read as one message per line (etcd watch responses, Kubernetes
/// watch events), each decoded as it arrives. Ends (nil) when the server ends the response.
public final class DecodedLineStream<Message> {
    private let stream: HTTPStream
    private let decode: ([UInt8]) throws -> Message

    public init(stream: HTTPStream, decode: @escaping ([UInt8]) throws -> Message) {
        self.stream = stream
        self.decode = decode
    }

    /// The server this stream reads from.
    public var endpoint: HTTPEndpoint { stream.endpoint }

    public func next() async throws -> Message? {
        guard let line = try await stream.nextLine() else { return nil }
        return try decode(line)
    }

    public func close() {
        stream.close()
    }
}
