import Foundation
import Hummingbird
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Every route of the contract, tried by every role, on the caller's own resources and on
/// someone else's. A row says the status each caller must get.
@Suite struct AuthorizationMatrixTests {
    enum Who: String, CaseIterable, Sendable {
        case anonymous, owner, otherCustomer, agent, admin
    }

    /// The scene: customer "owner" has ticket `ticket` (with session `session`); agent "agent" has a
    /// private canned response `canned`; the admin a shared one `sharedCanned`.
    struct Scene: Sendable {
        var ticket: Int
        var session: Int
        var canned: Int
        var sharedCanned: Int
        var ownerId: Int
        var agentId: Int
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: @Sendable (Scene) -> String
        var body: (@Sendable (Scene) -> any Encodable & Sendable)?
        var expected: [Who: Int]
        var label: String

        var testDescription: String { label }
    }

    static func row(
        _ method: HTTPRequest.Method, _ label: String, _ path: @escaping @Sendable (Scene) -> String,
        body: (@Sendable (Scene) -> any Encodable & Sendable)? = nil,
        _ owner: Int, _ other: Int, _ agent: Int, _ admin: Int
    ) -> Row {
        Row(
            method: method, path: path, body: body,
            expected: [.anonymous: 401, .owner: owner, .otherCustomer: other, .agent: agent, .admin: admin],
            label: "\(method) \(label)")
    }

    // Each row runs against a fresh scene, so a DELETE or a state change in one cannot affect another.
    static let rows: [Row] = [
        row(.get, "/api/me", { _ in "/api/me" }, 200, 200, 200, 200),
        row(.post, "/api/auth/logout", { _ in "/api/auth/logout" }, 204, 204, 204, 204),
        row(
            .post, "/api/admin/users", { _ in "/api/admin/users" },
            body: { _ in CreateUserRequest(username: "fresh", password: "password9", displayName: "Fresh", role: .agent) },
            403, 403, 403, 201),
        row(.get, "/api/tickets", { _ in "/api/tickets" }, 200, 200, 200, 200),
        row(.get, "/api/agents", { _ in "/api/agents" }, 403, 403, 200, 200),
        row(
            .post, "/api/tickets", { _ in "/api/tickets" },
            body: { _ in CreateTicketRequest(subject: "s", description: "d", category: .other) }, 201, 201, 403, 403),
        row(.get, "/api/tickets/{id}", { "/api/tickets/\($0.ticket)" }, 200, 404, 200, 200),
        row(
            .put, "/api/tickets/{id} (close)", { "/api/tickets/\($0.ticket)" },
            body: { _ in UpdateTicketRequest(status: .closed) }, 200, 404, 200, 200),
        row(
            .put, "/api/tickets/{id} (priority)", { "/api/tickets/\($0.ticket)" },
            body: { _ in UpdateTicketRequest(priority: .high) }, 403, 404, 200, 200),
        row(.delete, "/api/tickets/{id}", { "/api/tickets/\($0.ticket)" }, 403, 403, 403, 204),
        row(.get, "/api/tickets/{id}/messages", { "/api/tickets/\($0.ticket)/messages" }, 200, 404, 200, 200),
        row(
            .post, "/api/tickets/{id}/messages", { "/api/tickets/\($0.ticket)/messages" },
            body: { _ in PostMessageRequest(message: "hello") }, 201, 404, 201, 201),
        row(
            .post, "/api/tickets/{id}/messages (note)", { "/api/tickets/\($0.ticket)/messages" },
            body: { _ in PostMessageRequest(message: "note", internal: true) }, 403, 404, 201, 201),
        row(
            .post, "/api/tickets/{id}/read", { "/api/tickets/\($0.ticket)/read" },
            body: { _ in MarkReadRequest(upToSeq: 1) }, 204, 404, 204, 204),
        row(.get, "/api/chat/sessions", { _ in "/api/chat/sessions" }, 403, 403, 200, 200),
        row(.get, "/api/chat/sessions/{id}/messages", { "/api/chat/sessions/\($0.session)/messages" }, 200, 404, 200, 200),
        row(
            .post, "/api/chat/sessions/{id}/messages", { "/api/chat/sessions/\($0.session)/messages" },
            body: { _ in PostMessageRequest(message: "hello") }, 201, 404, 201, 201),
        row(
            .put, "/api/chat/sessions/{id}/status", { "/api/chat/sessions/\($0.session)/status" },
            body: { _ in SessionStatusRequest(status: .active) }, 403, 403, 200, 200),
        row(.get, "/api/chat/history/{userId}", { "/api/chat/history/\($0.ownerId)" }, 200, 404, 200, 200),
        row(.get, "/api/canned-responses", { _ in "/api/canned-responses" }, 403, 403, 200, 200),
        row(
            .post, "/api/canned-responses", { _ in "/api/canned-responses" },
            body: { _ in CannedResponseRequest(shortcut: "new", title: "t", body: "b") }, 403, 403, 201, 201),
        row(
            .post, "/api/canned-responses (shared)", { _ in "/api/canned-responses" },
            body: { _ in CannedResponseRequest(shortcut: "new", title: "t", body: "b", shared: true) }, 403, 403, 403, 201),
        row(
            .put, "/api/canned-responses/{id} (agent's own)", { "/api/canned-responses/\($0.canned)" },
            body: { _ in CannedResponseUpdate(title: "x") }, 403, 403, 200, 200),
        row(
            .put, "/api/canned-responses/{id} (shared)", { "/api/canned-responses/\($0.sharedCanned)" },
            body: { _ in CannedResponseUpdate(title: "x") }, 403, 403, 403, 200),
        row(.delete, "/api/canned-responses/{id} (agent's own)", { "/api/canned-responses/\($0.canned)" }, 403, 403, 204, 204),
        row(.delete, "/api/canned-responses/{id} (shared)", { "/api/canned-responses/\($0.sharedCanned)" }, 403, 403, 403, 204),
        row(.get, "/api/admin/support/dashboard", { _ in "/api/admin/support/dashboard" }, 403, 403, 403, 200),
        row(.get, "/api/admin/support/agents", { _ in "/api/admin/support/agents" }, 403, 403, 403, 200),
        row(
            .put, "/api/admin/support/agents/{id}/status", { "/api/admin/support/agents/\($0.agentId)/status" },
            body: { _ in AgentStatusRequest(status: .online) }, 403, 403, 403, 200),
        row(.get, "/api/admin/support/reports", { _ in "/api/admin/support/reports" }, 403, 403, 403, 200),
    ]

    @Test(arguments: rows)
    func route(_ row: Row) async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer)
            try await api.send(cast.customer, ticket: ticket.id, "first message")
            let sessions: [ChatSession] = try await api.get("/api/chat/sessions", token: cast.admin).decode()
            let canned: CannedResponse = try await api.post(
                "/api/canned-responses", token: cast.agent,
                CannedResponseRequest(shortcut: "mine", title: "t", body: "b")
            ).decode()
            let shared: CannedResponse = try await api.post(
                "/api/canned-responses", token: cast.admin,
                CannedResponseRequest(shortcut: "ours", title: "t", body: "b", shared: true)
            ).decode()
            let scene = Scene(
                ticket: ticket.id, session: try #require(sessions.first).id, canned: canned.id,
                sharedCanned: shared.id, ownerId: cast.customerId, agentId: cast.agentId)
            // Each caller logs in afresh, so a logout in one column cannot spoil the next.
            for who in Who.allCases {
                let token: String? =
                    switch who {
                    case .anonymous: nil
                    case .owner: try await api.login("customer").accessToken
                    case .otherCustomer: try await api.login("customer2").accessToken
                    case .agent: try await api.login("agent").accessToken
                    case .admin: try await api.login("admin").accessToken
                    }
                let expected = row.expected[who]!
                // Rows that change what others then see (delete, close) are tried on a fresh scene per caller.
                if expected < 300 && row.method == .delete { continue }
                let reply = try await api.call(row.method, row.path(scene), token: token, json: row.body?(scene))
                #expect(reply.status == expected, "\(row.label) as \(who): \(reply.text)")
                if reply.status >= 400 {
                    #expect(reply.error != nil, "\(row.label) as \(who): error body \(reply.text)")
                }
            }
        }
    }

    /// Deletions succeed only for the columns that allow them, each on a scene of its own.
    @Test(arguments: rows.filter { $0.method == .delete }, [Who.agent, Who.admin])
    func deletion(_ row: Row, by who: Who) async throws {
        guard row.expected[who]! < 300 else { return }
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer)
            let canned: CannedResponse = try await api.post(
                "/api/canned-responses", token: cast.agent,
                CannedResponseRequest(shortcut: "mine", title: "t", body: "b")
            ).decode()
            let shared: CannedResponse = try await api.post(
                "/api/canned-responses", token: cast.admin,
                CannedResponseRequest(shortcut: "ours", title: "t", body: "b", shared: true)
            ).decode()
            let scene = Scene(
                ticket: ticket.id, session: 0, canned: canned.id, sharedCanned: shared.id,
                ownerId: cast.customerId, agentId: cast.agentId)
            let reply = try await api.call(.delete, row.path(scene), token: who == .admin ? cast.admin : cast.agent)
            #expect(reply.status == row.expected[who]!, "\(row.label) as \(who)")
        }
    }
}
