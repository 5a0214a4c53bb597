import Foundation
import SwitchboardProtocol

/// `@name` in an internal note calls a colleague in: they are told at once (`MENTIONED`) and the
/// mention waits in their list until they have the ticket on screen. In a public message it is
/// plain text (customers cannot page staff), and customers never see a note anyway.
extension TicketService {
    /// The handles a text names: `@` at a word's start, then a username's characters.
    public static func mentionHandles(in text: String) -> [String] {
        var handles: [String] = []
        var previous: Character = " "
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "@", !(previous.isLetter || previous.isNumber || previous == "@") {
                let start = text.index(after: index)
                var end = start
                while end < text.endIndex, text[end].isLetter || text[end].isNumber || "._-".contains(text[end]) {
                    end = text.index(after: end)
                }
                // A trailing full stop ends the sentence, not the name.
                var handle = String(text[start..<end])
                while handle.last == "." || handle.last == "-" { handle.removeLast() }
                if !handle.isEmpty && handle.count <= 64 && !handles.contains(handle) { handles.append(handle) }
                index = end
                previous = "a"
                continue
            }
            previous = character
            index = text.index(after: index)
        }
        return Array(handles.prefix(10))
    }

    /// Records and announces the mentions of a note just stored.
    func announceMentions(in note: Message, by caller: Caller) async throws {
        let handles = Self.mentionHandles(in: note.message)
        guard !handles.isEmpty else { return }
        let named = try await store.staff(named: handles).filter { $0 != caller.id }
        guard !named.isEmpty else { return }
        try await store.addMentions(userIds: named, messageId: note.id, byId: caller.id, now: clock())
        for user in named {
            await events.publish(.mentioned(ticketId: note.ticketId, seq: note.seq, userId: user, by: caller.user.ref))
        }
    }

    public func mentions(for caller: Caller) async throws -> [Mention] {
        try caller.requireStaff()
        return try await store.unseenMentions(userId: caller.id, limit: 100)
    }

    public func mentionsSeen(ticketId: Int, by caller: Caller) async throws {
        try caller.requireStaff()
        _ = try Validator.id(ticketId, field: "ticketId")
        try await store.markMentionsSeen(userId: caller.id, ticketId: ticketId, now: clock())
    }
}
