import Foundation
import SwitchboardProtocol

/// A message this client wrote and the server has not yet stored: it waits in the outbox, on disk,
/// until its `ACK`, or until it fails and the user retries or discards it.
public struct OutgoingMessage: Sendable, Equatable, Identifiable {
    public enum State: Sendable, Equatable {
        /// Written to the outbox; goes out (again) whenever the connection is up.
        case queued
        /// Stored by the server: it is in the ticket's timeline now and leaves the outbox.
        case sent(messageId: Int, seq: Int, timestamp: Date)
        /// Refused for good (ticket closed, not allowed, too long…): kept until retried or discarded.
        case failed(code: ErrorCode, reason: String)
    }

    /// Chosen here, kept across resends and restarts: the server stores one message per id.
    public var clientMessageId: String
    public var ticketId: Int
    public var text: String
    public var messageType: MessageType?
    public var isInternal: Bool
    public var createdAt: Date
    public var state: State
    /// The file a `FILE`/`IMAGE` message carries: the outbox's own copy until it is uploaded and
    /// the message stored; nil for text.
    public var file: OutgoingFile?
    /// Once sent: what the server's content filters masked (`text` is then the stored text).
    public var redactions: [Redaction] = []

    public var id: String { clientMessageId }

    public init(
        clientMessageId: String = UUID().uuidString.lowercased(), ticketId: Int, text: String,
        messageType: MessageType? = nil, isInternal: Bool = false, createdAt: Date = Date(), state: State = .queued,
        file: OutgoingFile? = nil
    ) {
        self.clientMessageId = clientMessageId
        self.ticketId = ticketId
        self.text = text
        self.messageType = messageType
        self.isInternal = isInternal
        self.createdAt = createdAt
        self.state = state
        self.file = file
    }

    /// Refused for good: waits for the user to edit, retry or discard it.
    public var hasFailed: Bool { if case .failed = state { true } else { false } }

    /// A file message whose file is not on the server yet: it is uploaded before its frame goes.
    public var needsUpload: Bool { file != nil && file?.attachment == nil }

    /// The frame that sends it; `ref` is the client message id, so an `ERROR` names the message it refuses.
    var frame: ClientFrame {
        ClientFrame(
            .sendMessage(
                ticketId: ticketId, clientMessageId: clientMessageId, message: text,
                messageType: file?.attachment.map(OutgoingFile.messageType(of:)) ?? messageType,
                internal: isInternal ? true : nil, attachmentId: file?.attachment?.id),
            ref: clientMessageId)
    }
}

extension [OutgoingMessage] {
    /// Follows the outbox's report of one message: kept, in its place, while queued or failed;
    /// gone once the server has stored it.
    public mutating func follow(_ message: OutgoingMessage) {
        let index = firstIndex { $0.clientMessageId == message.clientMessageId }
        switch (message.state, index) {
        case (.sent, let index?): remove(at: index)
        case (.sent, nil): break
        case (_, let index?): self[index] = message
        case (_, nil): append(message)
        }
    }
}

/// The file of an outgoing message, as the outbox keeps it.
public struct OutgoingFile: Sendable, Equatable {
    /// The name it had where the user picked it (the server keeps a safe version of it).
    public var name: String
    public var size: Int
    /// The outbox's copy: the user may move or change the original once `/attach` returned.
    public var copy: URL
    /// What the server stored, once uploaded; the message then names it.
    public var attachment: Attachment?

    public init(name: String, size: Int, copy: URL, attachment: Attachment? = nil) {
        self.name = name
        self.size = size
        self.copy = copy
        self.attachment = attachment
    }

    /// `IMAGE` for what the server found to be an image, else `FILE`.
    static func messageType(of attachment: Attachment) -> MessageType {
        attachment.contentType.hasPrefix("image/") ? .image : .file
    }
}

extension ErrorCode {
    /// Whether a frame refused with this code may succeed if sent again unchanged later
    /// (too fast, or the server failed), rather than needing the user to decide.
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .internal: true
        case .unauthorized, .forbidden, .notFound, .conflict, .tooLarge, .invalid: false
        }
    }
}
