import Foundation
import SwitchboardProtocol
import TerminalKit

/// `/attach PATH` and `/save [N] [DIR]`, the same in the customer's chat and the console's tabs,
/// and the upload under way (shown above the input with a bar).
public struct FileTransfer: Equatable, Sendable {
    public var ticketId: Int
    public var name: String
    public var sent: Int
    public var total: Int

    /// `Uploading lamp.png ▰▰▰▱▱ 60% of 1.2 MB`.
    public var line: String {
        let percent = total > 0 ? sent * 100 / total : 0
        return "Uploading \(Sanitizer.clean(name)) \(BarChart.gauge(sent, of: max(total, 1), cells: 10)) \(percent)% of \(Self.size(total))"
    }

    /// "230 KB", "1.2 MB", "512 B".
    public static func size(_ bytes: Int) -> String {
        if bytes < 1_024 { return "\(bytes) B" }
        if bytes < 1_048_576 { return "\(bytes / 1_024) KB" }
        return String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }

    /// The effect of `/attach PATH` on `ticketId`, or the sentence saying what is wrong.
    static func attach(_ argument: String, ticketId: Int, note: Bool) -> Result<Effect, Refusal> {
        let path = argument.trimmingCharacters(in: .whitespaces)
        guard !path.isEmpty else { return .failure(Refusal("/attach PATH — a file to send, e.g. /attach ~/receipt.pdf")) }
        return .success(.attach(ticketId: ticketId, path: (path as NSString).expandingTildeInPath, note: note))
    }

    /// The effect of `/save [N] [DIR]`: attachment N of the chat (1 the oldest; default the newest).
    static func save(_ argument: String, in conversation: Conversation) -> Result<Effect, Refusal> {
        let files = conversation.timeline.messages.compactMap(\.attachment)
        guard !files.isEmpty else { return .failure(Refusal("No file in this chat yet")) }
        var words = argument.split(separator: " ", maxSplits: 1).map(String.init)
        var index = files.count - 1
        if let first = words.first, let number = Int(first) {
            guard (1...files.count).contains(number) else {
                return .failure(Refusal("/save N — N from 1 to \(files.count) (the 📎 numbers in the chat)"))
            }
            index = number - 1
            words.removeFirst()
        }
        let directory = words.first.map { ($0 as NSString).expandingTildeInPath }
        return .success(.saveAttachment(files[index], directory: directory))
    }

    struct Refusal: Error {
        var sentence: String
        init(_ sentence: String) { self.sentence = sentence }
    }
}
