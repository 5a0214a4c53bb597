import Crypto
import Foundation
import JWTKit
import SwitchboardProtocol

/// The claims of an access token. `sid` names the login, so logging out can end it everywhere.
struct AccessClaims: JWTPayload {
    var sub: SubjectClaim
    var sid: String
    var role: String
    var iss: IssuerClaim
    var aud: AudienceClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    /// Set on every token we issue (to its `iat`); a token may not be used before it.
    var nbf: NotBeforeClaim? = nil

    func verify(using algorithm: some JWTAlgorithm) async throws {
        guard iss.value == TokenService.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unexpected issuer")
        }
        try aud.verifyIntendedAudience(includes: TokenService.audience)
        // Times (exp, nbf, iat) are checked by TokenService against its own clock.
    }
}

/// What a valid access token says.
public struct AccessGrant: Sendable, Equatable {
    public var userId: Int
    public var loginId: String
    public var expiresAt: Date
}

/// Issues and checks tokens: short-lived HS256 access tokens, and opaque refresh tokens that are
/// stored only as their SHA-256.
public struct TokenService: Sendable {
    static let issuer = "switchboard"
    static let audience = "switchboard-api"

    private let keys: JWTKeyCollection
    public let accessLifetime: TimeInterval
    public let refreshLifetime: TimeInterval
    /// How far a token's `nbf` or `iat` may lie ahead of our clock (another node's clock may run
    /// slightly ahead); anything further is a token minted for later, and refused.
    static let clockLeeway: TimeInterval = 60
    /// HS256 is as strong as its secret: shorter than this, it can be guessed offline from one token.
    public static let minimumSecretBytes = 32

    public init(secret: String, accessLifetime: TimeInterval, refreshLifetime: TimeInterval) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.accessLifetime = accessLifetime
        self.refreshLifetime = refreshLifetime
    }

    public func accessToken(userId: Int, role: Role, loginId: String, now: Date) async throws -> String {
        // Whole seconds: NumericDate readers elsewhere do not all take fractions.
        let now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let claims = AccessClaims(
            sub: SubjectClaim(value: String(userId)), sid: loginId, role: role.rawValue,
            iss: IssuerClaim(value: Self.issuer), aud: AudienceClaim(value: [Self.audience]),
            iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(accessLifetime)),
            nbf: NotBeforeClaim(value: now))
        return try await keys.sign(claims)
    }

    /// The grant a token carries, or an `UNAUTHORIZED` sentence saying why not.
    public func verify(_ token: String, now: Date) async throws(ContractError) -> AccessGrant {
        // Only HS256 is ever issued; refusing anything else up front shuts out `alg: none` and
        // algorithm-confusion tricks before a key is even looked up.
        guard Self.algorithm(of: token) == "HS256" else {
            throw ContractError(.unauthorized, "the access token is not valid")
        }
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch {
            throw ContractError(.unauthorized, "the access token is not valid")
        }
        guard claims.exp.value > now else { throw ContractError(.unauthorized, "the access token has expired") }
        let latest = now.addingTimeInterval(Self.clockLeeway)
        guard claims.iat.value <= latest, (claims.nbf?.value ?? now) <= latest else {
            throw ContractError(.unauthorized, "the access token is not valid yet")
        }
        guard let userId = Int(claims.sub.value) else { throw ContractError(.unauthorized, "the access token is not valid") }
        return AccessGrant(userId: userId, loginId: claims.sid, expiresAt: claims.exp.value)
    }

    static func algorithm(of token: String) -> String? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first,
            let data = Data(base64URLEncoded: String(header)),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["alg"] as? String
    }

    /// A new refresh token: 256 random bits, URL-safe.
    public static func newRefreshToken() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64URLEncodedString()
    }

    /// What is stored in place of a refresh token.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).lowercaseHex
    }
}

extension Data {
    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
