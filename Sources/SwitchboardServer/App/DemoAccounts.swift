import Logging
import SwitchboardProtocol

/// What the embedded server makes on an empty database, so `switchboard` shows the whole product
/// at once: demo accounts (it listens on loopback only), shared canned responses, and two sample
/// tickets with a short conversation.
public enum DemoAccounts {
    public static let password = "switchboard"
    public static let accounts: [(username: String, displayName: String, role: Role)] = [
        ("admin", "Ada Admin", .admin),
        ("agent", "Alex Agent", .agent),
        ("customer", "Casey Customer", .customer),
    ]

    static func seedIfEmpty(_ services: SupportServices, logger: Logger) async throws {
        let store = services.store
        guard try await store.user(username: "admin") == nil, try await store.user(username: "agent") == nil else { return }
        var made: [String: User] = [:]
        for account in Self.accounts {
            if let existing = try await store.user(username: account.username) {
                made[account.username] = existing.user
                continue
            }
            made[account.username] = try await services.accounts.createUser(
                username: account.username, password: password, displayName: account.displayName, email: nil, role: account.role)
        }
        logger.info("created demo accounts", metadata: ["usernames": "admin, agent, customer"])
        guard let admin = made["admin"], let agent = made["agent"], let customer = made["customer"] else { return }
        try await seedSamples(
            services, admin: Caller(user: admin, loginId: "demo"), agent: Caller(user: agent, loginId: "demo"),
            customer: Caller(user: customer, loginId: "demo"))
    }

    /// Canned responses for the console, and two tickets: one in progress with a short exchange,
    /// one waiting in the queue.
    private static func seedSamples(_ services: SupportServices, admin: Caller, agent: Caller, customer: Caller) async throws {
        for (shortcut, title, body) in [
            ("hello", "Greeting", "Hello {customer.name}, this is {agent.name}. How can I help?"),
            ("refund", "Refund started", "I have started the refund for ticket #{ticket.id}; it reaches your card in 3–5 working days."),
            ("bye", "Closing", "Glad I could help! Anything else about \"{ticket.subject}\", just write here."),
        ] {
            _ = try await services.canned.create(
                CannedResponseRequest(shortcut: shortcut, title: title, body: body, shared: true), by: admin)
        }
        let parcel = try await services.tickets.create(
            CreateTicketRequest(
                subject: "Where is my parcel?", description: "Order 4411 was due on Monday and has not come.",
                category: .shipping, priority: .high), by: customer)
        _ = try await services.tickets.claim(parcel.id, by: agent)
        for (caller, text) in [
            (customer, "Hi! My parcel for order 4411 has not arrived yet."),
            (agent, "Hello Casey, I am looking at it now. The carrier shows it at the local depot."),
            (agent, "It goes out with tomorrow's first round."),
            (customer, "Great, thank you :)"),
        ] {
            _ = try await services.tickets.post(PostMessageRequest(message: text), to: parcel.id, by: caller)
        }
        _ = try await services.tickets.create(
            CreateTicketRequest(
                subject: "Charged twice for one order", description: "My card shows two payments of 24.90 for order 4410.",
                category: .payment, priority: .medium), by: customer)
    }
}
