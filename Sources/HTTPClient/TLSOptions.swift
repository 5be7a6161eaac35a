import NIOSSL

/// TLS settings of a store's client: the CA that signs the servers' certificates (nil: the
/// system's trust roots) and, for servers that want client certificates (etcd with
/// `--client-cert-auth`), the client's certificate chain and key, all PEM files. Server
/// names are verified: a DNS name against the certificate's names, an IP address against
/// its IP SANs.
public struct TLSOptions: Sendable, Hashable {
    public var caFile: String?
    public var certificateFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// Loads the files into a context shared by every connection of one client.
    public func makeContext() throws(HTTPClientError) -> NIOSSLContext {
        guard (certificateFile == nil) == (keyFile == nil) else {
            throw .unsupported("a client certificate needs its key and a key its certificate (cert= and key= together)")
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        do {
            if let caFile { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
            if let certificateFile, let keyFile {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .unsupported("TLS files (ca \(caFile ?? "system"), cert \(certificateFile ?? "none"), key \(keyFile ?? "none")) cannot be used: \(error)")
        }
    }
}
