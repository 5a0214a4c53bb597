import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why a connection could not be made or did not last, with the error that said so. Decisions
/// (try the next address? say "refused" or "certificate"?) read `kind`, found from the error's
/// type and errno, never from its text.
public struct ConnectionFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Nothing listens at the address (ECONNREFUSED).
        case refused
        /// The connection was not made in time.
        case connectTimedOut
        /// No route to the host, or its name does not resolve.
        case hostUnreachable
        /// TLS failed: most often a certificate that is not trusted.
        case tls
        /// The peer reset the connection, or it ended without a close.
        case ended
        /// A request was sent but no answer came in time.
        case answerTimedOut
        /// Anything else; `underlying` says what.
        case other
    }

    public let kind: Kind
    /// The error as the transport raised it (nil for failures this client noticed itself).
    public let underlying: (any Error)?
    private let detail: String?

    /// Classifies a transport error.
    public init(_ error: any Error) {
        kind = Self.kind(of: error)
        underlying = error
        detail = nil
    }

    /// A failure noticed here rather than raised by the transport ("no answer within 10 s").
    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        underlying = nil
        self.detail = detail
    }

    /// Nothing of a request can have reached a server, so another address can take it whole.
    public var neverConnected: Bool {
        kind == .refused || kind == .connectTimedOut || kind == .hostUnreachable
    }

    /// A short reason for people.
    public var description: String {
        if let detail { return detail }
        switch kind {
        case .refused: return "connection refused"
        case .connectTimedOut: return "no answer to the connection"
        case .hostUnreachable: return "the host cannot be reached"
        case .tls: return "TLS handshake failed: the server's certificate is not trusted"
        case .ended: return "the connection was reset"
        case .answerTimedOut: return "no answer in time"
        case .other:
            let text = underlying.map { String(describing: $0) } ?? "unknown error"
            return text.count > 120 ? String(text.prefix(120)) + "…" : text
        }
    }

    private static func kind(of error: any Error) -> Kind {
        switch error {
        case let error as ConnectionFailure:
            return error.kind
        case let error as NIOConnectionError:
            // Every address of the host was tried: the first failure that is not "refused" is
            // the more telling one (a timeout, an unreachable network); all refused is refused.
            let kinds = error.connectionErrors.map { kind(of: $0.error) }
            if kinds.isEmpty { return error.dnsAError != nil || error.dnsAAAAError != nil ? .hostUnreachable : .other }
            return kinds.first { $0 != .refused } ?? .refused
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return .refused
            case ETIMEDOUT: return .connectTimedOut
            case EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL: return .hostUnreachable
            case ECONNRESET, EPIPE, ECONNABORTED: return .ended
            default: return .other
            }
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return .connectTimedOut
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: return .ended
            default: return .other
            }
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return .connectTimedOut
            case .remoteConnectionClosed: return .ended
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .answerTimedOut
            default: return .other
            }
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return .tls
        default:
            return .other
        }
    }
}

extension ConnectionFailure: Equatable {
    /// Equal when they mean the same to a person (the underlying errors are not comparable).
    public static func == (lhs: ConnectionFailure, rhs: ConnectionFailure) -> Bool {
        lhs.kind == rhs.kind && lhs.description == rhs.description
    }
}
