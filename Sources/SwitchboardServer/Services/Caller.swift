import SwitchboardProtocol

/// An authenticated user making a request: a REST call, or a frame on their WebSocket.
public struct Caller: Sendable, Equatable {
    public var user: User
    /// The login (refresh-token family) the access token belongs to.
    public var loginId: String
    /// What an API token may do; nil for a person signed in, who may do what their role may.
    public var scopes: Set<TokenScope>?

    public init(user: User, loginId: String, scopes: Set<TokenScope>? = nil) {
        self.user = user
        self.loginId = loginId
        self.scopes = scopes
    }

    public var id: Int { user.id }
    public var role: Role { user.role }
    public var viewer: Viewer { Viewer(userId: user.id, role: user.role) }
    public var isStaff: Bool { user.role.isStaff }

    func requireStaff() throws(ContractError) {
        guard isStaff else { throw ContractError(.forbidden, "only agents and admins may do this") }
    }

    /// An API token without `scope` is refused (a person is never).
    func require(_ scope: TokenScope) throws(ContractError) {
        guard let scopes, !scopes.contains(scope) else { return }
        throw ContractError(.forbidden, "this API token lacks the '\(scope.rawValue)' scope")
    }

    func requireAdmin() throws(ContractError) {
        guard role == .admin else { throw ContractError(.forbidden, "only admins may do this") }
    }
}
