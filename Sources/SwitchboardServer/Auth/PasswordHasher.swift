import HummingbirdBcrypt
import NIOPosix

/// Bcrypt, run on NIO's thread pool: a hash takes tens of milliseconds by design and must not
/// hold up an event loop.
public struct PasswordHasher: Sendable {
    /// Bcrypt's work factor. 12 in production; tests lower it to stay quick.
    public var cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = cost }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
