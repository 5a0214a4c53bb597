import SwitchboardProtocol

/// What the connection tells its mode, besides its state.
public enum RealtimeEvent: Sendable, Equatable {
    /// A frame from the server, decoded.
    case server(ServerEvent)
    /// One of this client's messages changed: queued, sent (stored, with its seq) or failed.
    case outgoing(OutgoingMessage)
    /// A failed message the user discarded.
    case discarded(clientMessageId: String, ticketId: Int)
    /// A frame that is not a known event (the tester shows it as it came).
    case undecodable(String)
    /// The file of a queued message is being uploaded: `sent` of its size so far.
    case uploading(OutgoingMessage, sent: Int)
    /// The server at `from` could not be reached or dropped the socket: the connection is up at
    /// `server`, another of the addresses given (`--server a,b`), and resumes there.
    case movedTo(server: String, from: String)
    /// The outbox file could not be written (a full disk, a read-only home): what happened is
    /// true for this run, but may not survive a restart. The sentence says what and why.
    case outboxTrouble(String)
}
