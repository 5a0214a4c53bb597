import AsyncHTTPClient
import Foundation
import NIOSSL

/// How `https://` and `wss://` servers are trusted: the system's roots, plus a CA file if given
/// (a company or test CA), or — for testers only, said out loud — no verification at all.
public struct TransportSecurity: Sendable, Equatable {
    /// A PEM file with CA certificates to trust besides the system's.
    public var caFile: String?
    /// Accept any certificate (`--insecure`): for test servers, never for real use.
    public var insecure: Bool

    public init(caFile: String? = nil, insecure: Bool = false) {
        self.caFile = caFile
        self.insecure = insecure
    }

    /// The TLS settings, or an error that names the CA file when it cannot be read.
    public func tlsConfiguration() throws(APIError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else { throw NIOSSLError.failedToLoadCertificate }
                configuration.additionalTrustRoots = [.certificates(certificates)]
            } catch {
                throw APIError(code: .invalid, message: "cannot read CA certificates from \(caFile)", status: 0)
            }
        }
        if insecure { configuration.certificateVerification = .none }
        return configuration
    }

    /// An HTTP client with these settings (the caller shuts it down). `failingFast`: a server
    /// that refuses the connection is reported at once, not retried until the request's deadline —
    /// for clients with another address to go to.
    public func httpClient(failingFast: Bool = false) throws(APIError) -> HTTPClient {
        var configuration = HTTPClient.Configuration(tlsConfiguration: try tlsConfiguration())
        if failingFast {
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.timeout.connect = .seconds(3)
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
