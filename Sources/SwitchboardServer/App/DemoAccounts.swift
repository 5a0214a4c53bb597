import Logging
import SwitchboardProtocol

/// The accounts the embedded server makes on an empty database, so `switchboard` shows the whole
/// product at once. The server listens on loopback only in that mode.
public enum DemoAccounts {
    public static let password = "switchboard"
    public static let accounts: [(username: String, displayName: String, role: Role)] = [
        ("admin", "Ada Admin", .admin),
        ("agent", "Alex Agent", .agent),
        ("customer", "Casey Customer", .customer),
    ]

    static func seedIfEmpty(_ accounts: AccountService, store: any Store, logger: Logger) async throws {
        guard try await store.user(username: "admin") == nil, try await store.user(username: "agent") == nil else { return }
        for account in Self.accounts where try await store.user(username: account.username) == nil {
            _ = try await accounts.createUser(username: account.username, password: password,
                                              displayName: account.displayName, email: nil, role: account.role)
        }
        logger.info("created demo accounts", metadata: ["usernames": "admin, agent, customer"])
    }
}
