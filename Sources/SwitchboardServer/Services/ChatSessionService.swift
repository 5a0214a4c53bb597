import Foundation
import SwitchboardProtocol

/// Chat sessions: one per ticket, following its life.
public struct ChatSessionService: Sendable {
    let store: any Store
    let tickets: TicketService
    let clock: @Sendable () -> Date

    /// An agent's own sessions (those of tickets assigned to it); every session for an admin.
    public func sessions(status: SessionStatus?, for caller: Caller) async throws -> [ChatSession] {
        try caller.requireStaff()
        return try await store.sessions(status: status, agentId: caller.role == .admin ? nil : caller.id, for: caller.viewer)
    }

    /// The ticket behind a session the caller may see.
    public func ticketId(ofSession id: Int, for caller: Caller) async throws -> Int {
        guard let session = try await store.session(id: id, for: caller.viewer),
            caller.isStaff || session.customer.id == caller.id
        else { throw ContractError(.notFound, "no chat session #\(id)") }
        return session.ticketId
    }

    public func setStatus(_ status: SessionStatus, session id: Int, by caller: Caller) async throws -> ChatSession {
        try caller.requireStaff()
        try await store.setSessionStatus(id: id, status: status, now: clock()) { ticket in
            if status != .ended && !ticket.status.isActive {
                throw ContractError(.conflict, "ticket #\(ticket.id) is \(ticket.status.rawValue); reopen it before its chat")
            }
        }
        guard let session = try await store.session(id: id, for: caller.viewer) else {
            throw ContractError(.notFound, "no chat session #\(id)")
        }
        return session
    }

    /// A user's tickets with their sessions, newest first. Customers may ask only about themselves.
    public func history(of userId: Int, for caller: Caller) async throws -> [ChatHistoryEntry] {
        guard caller.isStaff || caller.id == userId, try await store.user(id: userId) != nil else {
            throw ContractError(.notFound, "no user #\(userId)")
        }
        return try await store.history(customerId: userId, for: caller.viewer)
    }
}
