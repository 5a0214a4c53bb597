/// The contract's error codes (protocol.md, "Errors") and the HTTP status each one travels with.
public enum ErrorCode: String, WireEnum {
    case invalid = "INVALID"
    case unauthorized = "UNAUTHORIZED"
    case forbidden = "FORBIDDEN"
    case notFound = "NOT_FOUND"
    case conflict = "CONFLICT"
    case tooLarge = "TOO_LARGE"
    case rateLimited = "RATE_LIMITED"
    case `internal` = "INTERNAL"

    public var httpStatus: Int {
        switch self {
        case .invalid: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .tooLarge: 413
        case .rateLimited: 429
        case .internal: 500
        }
    }
}

/// A refusal worth telling the caller about: a code of the contract and a sentence.
public struct ContractError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// For `RATE_LIMITED`: seconds until trying again is worth it (sent as `Retry-After`).
    public var retryAfter: Int?

    public init(_ code: ErrorCode, _ message: String, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// `{"error": {"code": "...", "message": "..."}}` — the body of every 4xx/5xx answer.
public struct ErrorBody: Codable, Equatable, Sendable {
    public struct Detail: Codable, Equatable, Sendable {
        public var code: ErrorCode
        public var message: String
    }

    public var error: Detail

    public init(_ error: ContractError) {
        self.error = Detail(code: error.code, message: error.message)
    }
}
