import Foundation
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import SwitchboardProtocol

/// One client's `/ws` connection, from upgrade to close: reads frames in order, checks each one
/// (rate, shape, who may do it), has the services do the work, and answers on the connection's
/// single ordered queue.
struct RealtimeSession: Sendable {
    let hub: Hub
    let services: SupportServices
    let frameBytes: Int
    let clock: @Sendable () -> Date

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, caller: Caller, tokenExpiry: Date,
             logger: Logger) async {
        let (handle, queue) = await hub.connect(caller)
        await withTaskGroup(of: Void.self) { group in
            // The only writer of this socket.
            group.addTask {
                for await text in queue {
                    do { try await outbound.write(.text(text)) } catch { break }
                }
                let close = handle.closeRequest
                try? await outbound.close(close.map { WebSocketErrorCode(codeNumber: Int($0.code)) } ?? .normalClosure,
                                          reason: close?.reason)
            }
            // The socket lives as long as its token: the client reconnects with a refreshed one.
            let lifetime = tokenExpiry.timeIntervalSince(clock())
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(max(0, lifetime) * 1000)))
                if !Task.isCancelled { handle.close(code: CloseCode.tokenExpired, reason: "access token expired") }
            }
            var answers = Answers(handle: handle)
            do {
                for try await message in inbound.messages(maxSize: frameBytes) {
                    await receive(message, on: handle, answers: &answers, logger: logger)
                }
            } catch {
                logger.debug("websocket ended", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            }
            await hub.disconnect(handle.id)
            group.cancelAll()
        }
    }

    /// Encodes this connection's direct answers (one encoder per connection, used by its reader only).
    struct Answers {
        let handle: ConnectionHandle
        let encoder = WireJSON.encoder()

        func send(_ event: ServerEvent) {
            guard let data = try? encoder.encode(event) else { return }
            handle.send(String(decoding: data, as: UTF8.self))
        }
    }

    private func receive(_ message: WebSocketMessage, on handle: ConnectionHandle, answers: inout Answers, logger: Logger) async {
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
            frame = try WireJSON.decoder().decode(ClientFrame.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            let sentence = error.sentence
            answers.send(.error(code: .invalid, message: sentence == "not valid JSON" ? "the frame is not valid JSON" : sentence,
                                ref: Self.ref(in: text)))
            return
        } catch {
            answers.send(.error(code: .invalid, message: "the frame is not valid JSON", ref: nil))
            return
        }
        do {
            try await perform(frame, on: handle, answers: answers)
        } catch let error as ContractError {
            answers.send(.error(code: error.code, message: error.message, ref: frame.ref))
        } catch is CancellationError {
            return
        } catch {
            logger.error("frame failed", metadata: ["type": "\(frame.type)", "error": "\(String(reflecting: type(of: error)))"])
            answers.send(.error(code: .internal, message: "the server could not complete this frame", ref: frame.ref))
        }
    }

    private func perform(_ frame: ClientFrame, on handle: ConnectionHandle, answers: Answers) async throws {
        let caller = handle.caller
        switch frame.kind {
        case .joinRoom(let ticketId, let sinceSeq):
            try await join(ticketId, sinceSeq: sinceSeq, on: handle, answers: answers)
        case .leaveRoom(let ticketId):
            await hub.leave(handle.id, ticketId: ticketId)
            answers.send(.roomLeft(ticketId: ticketId))
        case .sendMessage(let ticketId, let clientMessageId, let text, let messageType, let isNote):
            let request = PostMessageRequest(message: text, messageType: messageType, clientMessageId: clientMessageId,
                                             internal: isNote)
            let stored = try await services.tickets.post(request, to: ticketId, by: caller, origin: handle.id).message
            answers.send(.ack(clientMessageId: clientMessageId, messageId: stored.id, ticketId: ticketId, seq: stored.seq,
                              timestamp: stored.timestamp))
        case .typingStart(let ticketId, let isNote):
            _ = try await services.tickets.visibleTicket(ticketId, to: caller)
            if isNote && !caller.isStaff { throw ContractError(.forbidden, "customers do not write internal notes") }
            await hub.startTyping(ticketId: ticketId, user: caller.user, isNote: isNote)
        case .typingStop(let ticketId, _):
            await hub.stopTyping(ticketId: ticketId, userId: caller.id)
        case .markDelivered(let ticketId, let upToSeq):
            try await services.tickets.markDelivered(ticketId: ticketId, upToSeq: upToSeq, by: caller)
        case .markRead(let ticketId, let upToSeq):
            try await services.tickets.markRead(ticketId: ticketId, upToSeq: upToSeq, by: caller)
        case .setStatus(let status):
            _ = try await services.admin.setOwnStatus(status, by: caller)
        }
    }

    /// `ROOM_JOINED`, then every visible message after `sinceSeq` up to the room's relay point,
    /// then (released by `finishJoin`) the live frames that came in meanwhile.
    private func join(_ ticketId: Int, sinceSeq: Int?, on handle: ConnectionHandle, answers: Answers) async throws {
        let ticket = try await services.tickets.ticket(ticketId, for: handle.caller)
        let upTo = try await hub.join(handle.id, ticketId: ticketId)
        do {
            answers.send(.roomJoined(ticketId: ticketId, lastSeq: upTo,
                                     participants: [ticket.customer] + [ticket.assignedAgent].compactMap { $0 }))
            var cursor = max(0, sinceSeq ?? 0)
            while cursor < upTo {
                let page = try await services.store.messages(
                    ticketId: ticketId, window: MessageWindow(afterSeq: cursor, beforeSeq: nil, limit: 200),
                    for: handle.caller.viewer)
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
