import Foundation
import NIOSSL

/// A certificate chain and its private key (PEM files): with them the server speaks `https://`
/// and `wss://` itself instead of behind a terminating proxy.
public struct TLSFiles: Sendable, Equatable {
    public var certificateChain: String
    public var privateKey: String

    public init(certificateChain: String, privateKey: String) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }

    /// The server's TLS settings, or an error naming the file that could not be used.
    func serverConfiguration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateChain)
        } catch {
            throw ConfigError("tlsCertificate: cannot read PEM certificates from \(certificateChain)")
        }
        guard !chain.isEmpty else { throw ConfigError("tlsCertificate: no certificate in \(certificateChain)") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKey, format: .pem)
        } catch {
            throw ConfigError("tlsKey: cannot read a PEM private key from \(privateKey)")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}
