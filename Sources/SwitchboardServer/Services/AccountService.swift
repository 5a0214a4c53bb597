import Foundation
import Logging
import SwitchboardProtocol

/// Accounts and logins: register, log in, refresh, log out, and turning a bearer token into a `Caller`.
public struct AccountService: Sendable {
    let store: any Store
    let tokens: TokenService
    let hasher: PasswordHasher
    let validator: Validator
    let events: any SupportEventSink
    let clock: @Sendable () -> Date
    /// A bcrypt hash of a random string at the configured cost, checked against when the username
    /// is unknown.
    let decoyHash: String
    /// Failed logins and new accounts counted per username and address.
    let signIn: SignInGuard
    /// Integrations' long-lived tokens (made from the same parts).
    public var apiTokens: APITokens { APITokens(store: store, validator: validator, hasher: hasher, events: events, clock: clock) }
    /// Names a customer may not take (reserved, or a member of staff's).
    var staffNames = StaffNames()

    /// The one answer to a registration whose username is taken, reserved or imitates staff: the
    /// same sentence for each, so it does not confirm that an account exists.
    static let unavailable = "username: that username is not available; choose another"

    /// `address` is the client's (nil when unknown); each address opens a limited number of
    /// accounts an hour. An answer that a name is not available counts, per address, as a failed
    /// login does (`LoginThrottle`): a few are free, then each waits longer — so usernames cannot
    /// be listed by trying them. The attempt is counted before the name is looked at, atomically,
    /// and given back when it was not refused for its name.
    public func register(_ request: RegisterRequest, from address: String? = nil) async throws -> AuthResponse {
        let attempt = SignInGuard.registration(address: address)
        try signIn.begin(attempt, now: clock())
        do {
            try signIn.takeRegistration(address: address, now: clock())
            let username = try validator.username(request.username)
            let displayName = try validator.displayName(request.displayName)
            guard !staffNames.isReserved(username) else { throw ContractError(.conflict, Self.unavailable) }
            let shown = StaffNames.shown(displayName)
            if try await store.agents().contains(where: { StaffNames.shown($0.agent.displayName) == shown }) {
                throw ContractError(.conflict, "displayName: that name is the support team's; choose another")
            }
            let user = try await createUser(
                username: username, password: request.password,
                displayName: displayName, email: request.email, role: .customer)
            return try await startLogin(for: user)
        } catch let refusal as ContractError where refusal.code == .conflict {
            // A name refused counts as a failed login from the address, so names cannot be tried by the hundred.
            signIn.failed(attempt, now: clock())
            throw refusal.message.hasPrefix("displayName") ? refusal : ContractError(.conflict, Self.unavailable)
        }
    }

    /// `POST /api/admin/users`: accounts of any role, by an admin.
    public func createUser(by caller: Caller, _ request: CreateUserRequest) async throws -> User {
        try caller.requireAdmin()
        return try await createUser(
            username: request.username, password: request.password,
            displayName: request.displayName, email: request.email, role: request.role)
    }

    public func createUser(username: String, password: String, displayName: String, email: String?, role: Role) async throws -> User {
        try await Self.createUser(
            username: username, password: password, displayName: displayName, email: email,
            role: role, store: store, validator: validator, hasher: hasher, now: clock())
    }

    /// Checks and stores a new account; also how `switchboard users add` makes the first admin,
    /// straight in the database.
    public static func createUser(
        username: String, password: String, displayName: String, email: String?, role: Role,
        store: any Store, validator: Validator, hasher: PasswordHasher, now: Date
    ) async throws -> User {
        let new = NewUser(
            username: try validator.username(username), displayName: try validator.displayName(displayName),
            email: try validator.email(email), role: role,
            passwordHash: try await hasher.hash(try validator.password(password)))
        return try await store.createUser(new, now: now)
    }

    /// Checks a password. After a few failures for the same username or from the same address,
    /// attempts wait (`RATE_LIMITED` with `Retry-After`) before the password is even weighed.
    public func login(_ request: LoginRequest, from address: String? = nil) async throws -> AuthResponse {
        let username = request.username.trimmingCharacters(in: .whitespaces)
        let attempt = SignInGuard.login(username: username, address: address)
        try signIn.begin(attempt, now: clock())
        let record: UserRecord?, matches: Bool
        do {
            record = try await store.user(username: username)
            // Without an account, still spend the time a bcrypt check takes, so timing does not
            // tell which usernames exist.
            matches = try await hasher.verify(request.password, hash: record?.passwordHash ?? decoyHash)
        } catch {
            signIn.refund(attempt)
            throw error
        }
        // A bot account acts through its API token only; it has no password anyone knows.
        guard let record, matches, !record.user.bot else {
            signIn.failed(attempt, now: clock())
            throw ContractError(.unauthorized, "wrong username or password")
        }
        signIn.succeeded(attempt)
        return try await startLogin(for: record.user)
    }

    public func refresh(_ request: RefreshRequest) async throws -> AuthResponse {
        let now = clock()
        let next = TokenService.newRefreshToken()
        let outcome = try await store.rotateRefreshToken(
            hash: TokenService.digest(request.refreshToken), newHash: TokenService.digest(next),
            newExpiresAt: now.addingTimeInterval(tokens.refreshLifetime), now: now)
        switch outcome {
        case .rotated(let userId, let loginId):
            guard let record = try await store.user(id: userId) else {
                throw ContractError(.unauthorized, "the account no longer exists")
            }
            return try await grant(record.user, loginId: loginId, refreshToken: next, now: now)
        case .reused(let loginId):
            await events.publish(.loginEnded(loginId: loginId))
            throw ContractError(.unauthorized, "this refresh token was already used; the login has been ended, log in again")
        case .expired:
            throw ContractError(.unauthorized, "the refresh token has expired; log in again")
        case .unknown:
            throw ContractError(.unauthorized, "the refresh token is not valid")
        }
    }

    public func logout(_ caller: Caller) async throws {
        try await store.revokeLogin(caller.loginId, now: clock())
        await events.publish(.loginEnded(loginId: caller.loginId))
    }

    /// The caller behind `Authorization: Bearer …`; `UNAUTHORIZED` for anything else.
    public func authenticate(bearer token: String) async throws -> Caller {
        try await authenticateWithExpiry(bearer: token).0
    }

    /// The caller and when their token expires (a WebSocket closes then).
    public func authenticateWithExpiry(bearer token: String) async throws -> (Caller, Date) {
        if token.hasPrefix(APITokens.prefix) { return (try await apiTokens.authenticate(token, now: clock()), .distantFuture) }
        let grant = try await tokens.verify(token, now: clock())
        guard let record = try await store.activeLoginUser(loginId: grant.loginId), record.id == grant.userId else {
            throw ContractError(.unauthorized, "this login has ended; log in again")
        }
        return (Caller(user: record.user, loginId: grant.loginId), grant.expiresAt)
    }

    private func startLogin(for user: User) async throws -> AuthResponse {
        let now = clock()
        let loginId = UUID().uuidString.lowercased()
        let refreshToken = TokenService.newRefreshToken()
        try await store.createLogin(
            userId: user.id, loginId: loginId, refreshTokenHash: TokenService.digest(refreshToken),
            expiresAt: now.addingTimeInterval(tokens.refreshLifetime), now: now)
        return try await grant(user, loginId: loginId, refreshToken: refreshToken, now: now)
    }

    private func grant(_ user: User, loginId: String, refreshToken: String, now: Date) async throws -> AuthResponse {
        let access = try await tokens.accessToken(userId: user.id, role: user.role, loginId: loginId, now: now)
        return AuthResponse(user: user, accessToken: access, refreshToken: refreshToken, expiresIn: Int(tokens.accessLifetime))
    }
}
