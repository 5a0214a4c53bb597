import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import SwitchboardProtocol
import Synchronization
import WSClient

/// Frames in and out: what the server says carried out, the outbox drained one message at a time.
extension RealtimeConnection {
    // MARK: Frames in

    /// Carries out what a frame means (`RealtimeFrames` decides), in order.
    func received(_ text: String, attempt: Int) async {
        guard socket(of: attempt) != nil else { return }
        for reaction in frames.received(text, decoder: decoder) {
            switch reaction {
            case .emit(let event):
                eventSink.yield(event)
            case .acknowledged(let clientMessageId, let messageId, let seq, let timestamp, let redactions, let storedText):
                if var message = await outboxChange({ (outbox: Outbox) throws(OutboxDiskError) in
                    try await outbox.acknowledged(clientMessageId)
                }) {
                    message.state = .sent(messageId: messageId, seq: seq, timestamp: timestamp)
                    // The optimistic copy gives way to what the server stored (masked), and why.
                    if let storedText { message.text = storedText }
                    message.redactions = redactions
                    eventSink.yield(.outgoing(message))
                }
                frames.stored(clientMessageId)
                // Whether or not it was the one on the wire (a late ACK from an earlier socket).
                await pump()
            case .refused(let clientMessageId, let error):
                await refused(clientMessageId, error)
            case .receiptsDue:
                scheduleReceipts()
            }
        }
    }

    // MARK: Frames out

    /// Sends the oldest queued message if none is waiting for its ACK (uploading its file first).
    func pump() async {
        guard case .connected(let current, let carried) = phase, frames.canSend, carried.upload == nil else { return }
        guard let next = await outbox.nextQueued else { return }
        // The outbox was asked across a suspension: the socket or the slot may have changed.
        guard case .connected(let still, let carried) = phase, still.attempt == current.attempt, frames.canSend,
            carried.upload == nil
        else { return }
        if let file = next.file, next.needsUpload {
            startUpload(next, file)
            return
        }
        write(frames.sending(next))
    }

    /// Uploads the outbox's copy of a queued message's file; its frame goes once it is stored.
    /// A drop does not stop it (it is HTTP); what it answers decides: stored, try again, or failed.
    func startUpload(_ message: OutgoingMessage, _ file: OutgoingFile) {
        let api = api, sink = eventSink
        let task = Task { [weak self] in
            let result: Result<Attachment, APIError>
            do throws(APIError) {
                result = .success(
                    try await api.upload(file.copy, named: file.name, to: message.ticketId) { sent, _ in
                        sink.yield(.uploading(message, sent: sent))
                    })
            } catch {
                result = .failure(error)
            }
            await self?.uploadEnded(message.clientMessageId, result)
        }
        carried?.upload = Pending(clientMessageId: message.clientMessageId, task: task)
    }

    func uploadEnded(_ clientMessageId: String, _ result: Result<Attachment, APIError>) async {
        guard carried?.upload?.clientMessageId == clientMessageId else { return }
        switch result {
        case .success(let attachment):
            carried?.upload = nil
            frames.accepted()
            if let message = await outboxChange({ (outbox: Outbox) throws(OutboxDiskError) in
                try await outbox.uploaded(clientMessageId, as: attachment)
            }) {
                eventSink.yield(.outgoing(message))
            }
            await pump()
        case .failure(let error):
            await refused(clientMessageId, error)
        }
    }

    /// A message's frame or its file's upload was refused. Too fast, unreachable or the server
    /// failed: the same again after a growing pause, nothing overtaking it (its slot — the wire or
    /// the upload — stays taken until then). Anything else: failed for good, on disk, with the
    /// reason, and the queue moves on.
    func refused(_ clientMessageId: String, _ error: APIError) async {
        if error.code.isTransient {
            guard carried != nil else { return }
            let delay = options.backoff.wait(step: frames.refusedTransiently(), unit: 0.5 + options.random() / 2)
            carried?.resend = Pending(
                clientMessageId: clientMessageId,
                task: Task { [weak self] in
                    try? await Task.sleep(for: delay)
                    guard !Task.isCancelled else { return }
                    await self?.sendAgain(clientMessageId)
                })
        } else {
            frames.accepted()
            if let failed = await outboxChange({ (outbox: Outbox) throws(OutboxDiskError) in
                try await outbox.failed(clientMessageId, code: error.code, reason: error.sentence)
            }) {
                eventSink.yield(.outgoing(failed))
            }
            free(clientMessageId)
            await pump()
        }
    }

    func sendAgain(_ clientMessageId: String) async {
        guard carried?.resend?.clientMessageId == clientMessageId else { return }
        carried?.resend = nil
        free(clientMessageId)
        await pump()
    }

    /// The slot a refused message held — the wire, or the upload — is free.
    func free(_ clientMessageId: String) {
        frames.release(clientMessageId)
        if carried?.upload?.clientMessageId == clientMessageId { carried?.upload = nil }
    }

    /// One receipt per room per moment, not one per message (a replay can bring hundreds).
    /// (Only while connected: a socket being stopped sends no receipts, and without a socket they
    /// wait for a new one, which sends them as it opens.)
    func scheduleReceipts() {
        guard case .connected(var socket, let carried) = phase, socket.receipts == nil else { return }
        socket.receipts = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(100))
            guard !Task.isCancelled else { return }
            await self?.sendReceipts()
        }
        phase = .connected(socket, carried)
    }

    func sendReceipts() {
        guard case .connected(var socket, let carried) = phase else { return }
        socket.receipts = nil
        phase = .connected(socket, carried)
        frames.takeReceipts().forEach(write)
    }

    func write(_ frame: ClientFrame) {
        guard let socket = openSocket, let data = try? encoder.encode(frame) else { return }
        socket.writer.yield(String(decoding: data, as: UTF8.self))
    }

    /// Tells the mode the socket is up at another address than it was last told, and which.
    func announce(_ server: String) {
        guard server != announced else { return }
        eventSink.yield(.movedTo(server: server, from: announced))
        announced = server
    }

    func publish(_ new: ConnectionState) {
        guard new != state else { return }
        state = new
        stateSink.yield(new)
    }

    // MARK: Helpers

    /// An outbox change the server caused: the message as it now is, and — when the file could
    /// not be written — a sentence for the screen (never dropped).
    func outboxChange(_ change: (Outbox) async throws(OutboxDiskError) -> OutgoingMessage?) async -> OutgoingMessage? {
        do {
            return try await change(outbox)
        } catch {
            eventSink.yield(.outboxTrouble(error.sentence))
            return error.message
        }
    }

    /// Endings another address may cure: the server could not be reached, or the socket dropped.
    static func failsOver(_ ending: Disconnection) -> Bool {
        switch ending {
        case .unreachable, .dropped: true
        case .closed(let code, _): code == 1001 || code == 1012  // going away, restarting
        case .refused: false
        }
    }
}
