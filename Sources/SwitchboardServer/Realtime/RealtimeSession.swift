import Foundation
import HummingbirdWebSocket
import Logging
import SwitchboardProtocol

/// What one client's `/ws` messages do, each in turn (its `RealtimeLink` hands them over in
/// order): checks it (rate, shape, who may do it), has the services do the work, and answers on
/// the connection, in order with what the hub sends it.
struct RealtimeSession: Sendable {
    let hub: Hub
    /// The same services the REST routes use: every rule is theirs, none is repeated here.
    let tickets: TicketService
    let admin: AdminService

    /// Encodes this connection's direct answers.
    struct Answers {
        let handle: ConnectionHandle
        let logger: Logger

        func send(_ event: ServerEvent) {
            do {
                handle.send(try event.wireText())
            } catch {
                logger.error("answer not encoded", metadata: ["type": "\(event.type)", "error": "\(error)"])
            }
        }
    }

    func receive(_ message: WebSocketMessage, on handle: ConnectionHandle, answers: Answers, logger: Logger) async {
        switch hub.limiter.admit(userId: handle.userId) {
        case .allowed:
            break
        case .limited:
            // The ref tells a client which frame to send again (its outbox waits on that message).
            let ref: String? = if case .text(let text) = message { Self.ref(in: text) } else { nil }
            answers.send(.error(code: .rateLimited, message: "slow down: too many frames", ref: ref))
            return
        case .flooding:
            answers.send(.error(code: .rateLimited, message: "too many frames past the limit; closing", ref: nil))
            handle.close(code: CloseCode.rateLimited, reason: "rate limit")
            return
        }
        guard case .text(let text) = message else {
            answers.send(.error(code: .invalid, message: "frames are JSON text objects", ref: nil))
            return
        }
        let frame: ClientFrame
        do {
            frame = try ClientFrame.decode(text)
        } catch let error as DecodingError {
            let sentence = error.sentence
            answers.send(
                .error(
                    code: .invalid, message: sentence == "not valid JSON" ? "the frame is not valid JSON" : sentence,
                    ref: Self.ref(in: text)))
            return
        } catch {
            answers.send(.error(code: .invalid, message: "the frame is not valid JSON", ref: nil))
            return
        }
        do {
            // Awaited before the next message is handled: frames keep their order.
            try await perform(frame, on: handle, answers: answers)
        } catch let error as ContractError {
            answers.send(.error(code: error.code, message: error.message, ref: frame.ref))
        } catch is CancellationError {
            return
        } catch {
            logger.error("frame failed", metadata: ["type": "\(frame.type)", "error": "\(error)"])
            answers.send(.error(code: .internal, message: "the server could not complete this frame", ref: frame.ref))
        }
    }

    /// What an API token needs for the frame (its socket has `tickets:read` already). A bot is
    /// never given work, whatever status it sets.
    static func scope(of kind: ClientFrame.Kind) -> TokenScope {
        switch kind {
        case .joinRoom, .leaveRoom, .markDelivered, .markRead: .ticketsRead
        case .sendMessage, .typingStart, .typingStop: .messagesWrite
        case .setStatus: .ticketsWrite
        }
    }

    private func perform(_ frame: ClientFrame, on handle: ConnectionHandle, answers: Answers) async throws {
        let caller = handle.caller
        try caller.require(Self.scope(of: frame.kind))
        switch frame.kind {
        case .joinRoom(let ticketId, let sinceSeq):
            try await join(ticketId, sinceSeq: sinceSeq, on: handle, answers: answers)
        case .leaveRoom(let ticketId):
            await hub.leave(handle.id, ticketId: ticketId)
            answers.send(.roomLeft(ticketId: ticketId))
        case .sendMessage(let ticketId, let clientMessageId, let text, let messageType, let isNote, let attachmentId):
            let request = PostMessageRequest(
                message: text, messageType: messageType, clientMessageId: clientMessageId,
                internal: isNote, attachmentId: attachmentId)
            let stored = try await handle.storing(clientMessageId) {
                try await tickets.post(request, to: ticketId, by: caller, origin: handle.id).message
            }
            // Masked: the sender's copy is replaced by what was stored, with why.
            answers.send(
                .ack(
                    clientMessageId: clientMessageId, messageId: stored.id, ticketId: ticketId, seq: stored.seq,
                    timestamp: stored.timestamp, redactions: stored.redactions,
                    storedText: stored.redactions.isEmpty ? nil : stored.message))
        case .typingStart(let ticketId, let isNote):
            try await tickets.checkTyping(ticketId: ticketId, isNote: isNote, by: caller)
            await hub.startTyping(ticketId: ticketId, user: caller.user, isNote: isNote)
        case .typingStop(let ticketId, _):
            await hub.stopTyping(ticketId: ticketId, userId: caller.id)
        case .markDelivered(let ticketId, let upToSeq):
            try await tickets.markDelivered(ticketId: ticketId, upToSeq: upToSeq, by: caller)
        case .markRead(let ticketId, let upToSeq):
            try await tickets.markRead(ticketId: ticketId, upToSeq: upToSeq, by: caller)
        case .setStatus(let status):
            _ = try await admin.setOwnStatus(status, by: caller)
        }
    }

    /// `ROOM_JOINED`, then every visible message after `sinceSeq` up to the room's relay point,
    /// then (released by `finishJoin`) the live frames that came in meanwhile.
    private func join(_ ticketId: Int, sinceSeq: Int?, on handle: ConnectionHandle, answers: Answers) async throws {
        let ticket = try await tickets.ticket(ticketId, for: handle.caller)
        let upTo = try await hub.join(handle.id, ticketId: ticketId)
        do {
            answers.send(
                .roomJoined(
                    ticketId: ticketId, lastSeq: upTo,
                    participants: [ticket.customer] + [ticket.assignedAgent].compactMap { $0 }))
            var cursor = max(0, sinceSeq ?? 0)
            while cursor < upTo {
                let page = try await tickets.messages(
                    ticketId: ticketId, afterSeq: cursor, beforeSeq: nil,
                    limit: tickets.limits.messagePageMax, for: handle.caller)
                for message in page.items where message.seq <= upTo {
                    answers.send(.receiveMessage(ticketId: ticketId, message: message))
                }
                guard page.hasMore, let last = page.items.last?.seq else { break }
                cursor = last
            }
            await hub.finishJoin(handle.id, ticketId: ticketId)
        } catch {
            await hub.leave(handle.id, ticketId: ticketId)
            throw error
        }
    }

    /// The `ref` of a frame that did not decode, if it can be read at all.
    static func ref(in text: String) -> String? {
        struct RefOnly: Decodable { var ref: String? }
        return (try? JSONDecoder().decode(RefOnly.self, from: Data(text.utf8)))?.ref
    }
}
