import Foundation

/// A template for every client frame of the contract, filled from what the tester has seen: the
/// current ticket, a fresh `clientMessageId`, the highest seq of that ticket.
enum FrameTemplates {
    static let types = [
        "JOIN_ROOM", "LEAVE_ROOM", "SEND_MESSAGE", "TYPING_START", "TYPING_STOP", "MARK_DELIVERED", "MARK_READ",
        "SET_STATUS",
    ]

    static func frame(_ type: String, ticket: Int, highestSeq: Int, clientMessageId: String) -> String {
        switch type {
        case "JOIN_ROOM": "{\"type\": \"JOIN_ROOM\", \"ticketId\": \(ticket), \"sinceSeq\": \(highestSeq)}"
        case "LEAVE_ROOM": "{\"type\": \"LEAVE_ROOM\", \"ticketId\": \(ticket)}"
        case "SEND_MESSAGE":
            "{\"type\": \"SEND_MESSAGE\", \"ticketId\": \(ticket), \"clientMessageId\": \"\(clientMessageId)\", \"message\": \"\"}"
        case "TYPING_START", "TYPING_STOP": "{\"type\": \"\(type)\", \"ticketId\": \(ticket)}"
        case "MARK_DELIVERED", "MARK_READ": "{\"type\": \"\(type)\", \"ticketId\": \(ticket), \"upToSeq\": \(highestSeq)}"
        case "SET_STATUS": "{\"type\": \"SET_STATUS\", \"status\": \"ONLINE\"}"
        default: "{\"type\": \"\(type)\"}"
        }
    }

    /// The types `word` may be the start of (`send`, `MARK_`, `join_room`).
    static func matching(_ word: String) -> [String] {
        let wanted = word.uppercased().replacingOccurrences(of: "-", with: "_")
        return types.filter { $0.hasPrefix(wanted) }
    }
}
