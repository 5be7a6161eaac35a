import Foundation

/// A throw-away PKI made with openssl: a CA, a server certificate for 127.0.0.1 and
/// localhost, and a client certificate, all PEM files in a temporary folder (ECDSA P-256,
/// valid for a day).
public final class TestCertificates: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public var caFile: String { directory.file("ca.crt") }
    public var serverCertificateFile: String { directory.file("server.crt") }
    public var serverKeyFile: String { directory.file("server.key") }
    public var clientCertificateFile: String { directory.file("client.crt") }
    public var clientKeyFile: String { directory.file("client.key") }

    public init(label: String = "te-pki") throws {
        _ = try resolveExecutable("openssl")
        directory = try TemporaryDirectory(label)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(["openssl", "req", "-x509"] + curve + ["-keyout", directory.file("ca.key"), "-out", caFile,
                 "-days", "1", "-subj", "/CN=terway-edge test CA"])
        try issue("server", subject: "/CN=127.0.0.1", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n", curve: curve)
        try issue("client", subject: "/CN=terway-edged", extensions: "extendedKeyUsage=clientAuth\n", curve: curve)
    }

    private func issue(_ name: String, subject: String, extensions: String, curve: [String]) throws {
        try directory.write("\(name).ext", extensions)
        try run(["openssl", "req"] + curve + ["-keyout", directory.file("\(name).key"), "-out", directory.file("\(name).csr"), "-subj", subject])
        try run(["openssl", "x509", "-req", "-in", directory.file("\(name).csr"), "-CA", caFile, "-CAkey", directory.file("ca.key"),
                 "-CAcreateserial", "-out", directory.file("\(name).crt"), "-days", "1", "-extfile", directory.file("\(name).ext")])
    }
}
