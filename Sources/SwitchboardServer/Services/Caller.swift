import SwitchboardProtocol

/// An authenticated user making a request: a REST call, or a frame on their WebSocket.
public struct Caller: Sendable, Equatable {
    public var user: User
    /// The login (refresh-token family) the access token belongs to.
    public var loginId: String

    public init(user: User, loginId: String) {
        self.user = user
        self.loginId = loginId
    }

    public var id: Int { user.id }
    public var role: Role { user.role }
    public var viewer: Viewer { Viewer(userId: user.id, role: user.role) }
    public var isStaff: Bool { user.role.isStaff }

    func requireStaff() throws(ContractError) {
        guard isStaff else { throw ContractError(.forbidden, "only agents and admins may do this") }
    }

    func requireAdmin() throws(ContractError) {
        guard role == .admin else { throw ContractError(.forbidden, "only admins may do this") }
    }
}
