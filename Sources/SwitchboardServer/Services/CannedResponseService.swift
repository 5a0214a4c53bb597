import Foundation
import SwitchboardProtocol

/// Canned responses: an agent's own, and shared ones that admins keep.
public struct CannedResponseService: Sendable {
    let store: any Store
    let validator: Validator
    let clock: @Sendable () -> Date

    public func list(matching text: String?, for caller: Caller) async throws -> [CannedResponse] {
        try caller.requireStaff()
        let text = text?.trimmingCharacters(in: .whitespaces)
        return try await store.cannedResponses(visibleTo: caller.id, matching: text?.isEmpty == false ? text : nil)
    }

    public func create(_ request: CannedResponseRequest, by caller: Caller) async throws -> CannedResponse {
        try caller.requireStaff()
        let draft = try self.draft(
            shortcut: request.shortcut, title: request.title, body: request.body,
            shared: request.shared ?? false, by: caller)
        return try await store.createCannedResponse(draft, ownerId: caller.id, now: clock())
    }

    public func update(_ id: Int, _ request: CannedResponseUpdate, by caller: Caller) async throws -> CannedResponse {
        let current = try await editable(id, by: caller)
        let draft = try self.draft(
            shortcut: request.shortcut ?? current.shortcut, title: request.title ?? current.title,
            body: request.body ?? current.body, shared: request.shared ?? current.shared, by: caller)
        return try await store.updateCannedResponse(id: id, draft, now: clock())
    }

    public func delete(_ id: Int, by caller: Caller) async throws {
        _ = try await editable(id, by: caller)
        try await store.deleteCannedResponse(id: id)
    }

    /// One the caller may change: its own, or any for an admin. Another agent's private one
    /// is not even admitted to exist.
    private func editable(_ id: Int, by caller: Caller) async throws -> CannedResponse {
        try caller.requireStaff()
        guard let response = try await store.cannedResponse(id: id),
            response.shared || response.ownerId == caller.id || caller.role == .admin
        else { throw ContractError(.notFound, "no canned response #\(id)") }
        guard response.ownerId == caller.id || caller.role == .admin else {
            throw ContractError(.forbidden, "only its owner or an admin may change canned response #\(id)")
        }
        return response
    }

    private func draft(shortcut: String, title: String, body: String, shared: Bool, by caller: Caller) throws(ContractError) -> CannedDraft
    {
        if shared && caller.role != .admin {
            throw ContractError(.forbidden, "only admins may share canned responses")
        }
        return CannedDraft(
            shortcut: try validator.shortcut(shortcut),
            title: try validator.filter.filter(try validator.text(title, field: "title", max: 100), field: "title").text,
            body: try validator.filter.filter(
                try validator.text(body, field: "body", max: validator.limits.messageMaxLength),
                field: "body"
            ).text,
            shared: shared)
    }
}
