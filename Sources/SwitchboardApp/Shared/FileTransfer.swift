import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// `/attach PATH` and `/save [N] [DIR]`, the same in the customer's chat and the console's tabs,
/// and the upload under way (shown above the input with a bar).
public struct FileTransfer: Equatable, Sendable {
    /// The outbox message the file belongs to.
    public var clientMessageId: String
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

    /// Follows the connection's news of file messages: the upload under way (`transfer`), and
    /// the name of a file whose message was just stored (for a "sent" line), else nil.
    static func follow(_ event: RealtimeEvent, _ transfer: inout FileTransfer?) -> String? {
        switch event {
        case .uploading(let message, let sent):
            guard let file = message.file else { return nil }
            transfer = FileTransfer(
                clientMessageId: message.clientMessageId, ticketId: message.ticketId,
                name: file.name, sent: sent, total: file.size)
            return nil
        case .outgoing(let message):
            guard let file = message.file else { return nil }
            // Uploaded (its message goes next) or failed: the bar's work is over either way.
            if transfer?.clientMessageId == message.clientMessageId { transfer = nil }
            if case .sent = message.state { return file.name }
            return nil
        case .discarded(let id, _):
            if transfer?.clientMessageId == id { transfer = nil }
            return nil
        case .server, .undecodable, .movedTo, .outboxTrouble:
            return nil
        }
    }

    /// The effect of `/attach PATH` on `ticketId`, or the sentence saying what is wrong.
    static func attach(_ argument: String, ticketId: Int, note: Bool) -> Result<Effect, Refusal> {
        let path = argument.trimmingCharacters(in: .whitespaces)
        guard !path.isEmpty else { return .failure(Refusal("/attach PATH — a file to send, e.g. /attach ~/receipt.pdf")) }
        return .success(.attach(ticketId: ticketId, path: HomeDirectory.expand(path), note: note))
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
        let directory = words.first.map { HomeDirectory.expand($0) }
        return .success(.saveAttachment(files[index], directory: directory))
    }

    /// Why `/attach` did not send: the outbox's own refusals (no such file, a folder, unreadable)
    /// are whole sentences already; the server's and the network's get their frame.
    static func notSent(_ error: APIError) -> String {
        error.status == 0 && error.code == .invalid ? error.message : "The file was not sent: \(error.sentence)"
    }

    // MARK: Tab after `/attach`

    /// What Tab should complete on this line: the path after `/attach` (all of it, spaces and
    /// all), or nil when the line is something else.
    static func pathToComplete(_ line: String) -> String? {
        guard line.lowercased().hasPrefix("/attach ") else { return nil }
        return String(line.dropFirst("/attach ".count).drop { $0 == " " })
    }

    /// Puts the file system's answer for `typed` into the editor, listing several in a toast.
    static func complete(_ editor: inout LineEditor, typed: String, with candidates: [String], toasts: inout Toasts, now: Date) {
        guard let (line, listed) = completing(editor.text, typed: typed, with: candidates) else {
            if candidates.isEmpty, pathToComplete(editor.text) == typed { toasts.show(nothingFound(typed), now: now) }
            return
        }
        if line != editor.text { editor.replace(with: line) }
        guard !listed.isEmpty else { return }
        let more = listed.count > 12 ? "  … \(listed.count - 12) more" : ""
        toasts.show(Sanitizer.clean(listed.prefix(12).joined(separator: "  ")) + more, now: now)
    }

    /// Why Tab found nothing, in words: an empty (or missing, or only hidden) folder, or no name
    /// starting so.
    static func nothingFound(_ typed: String) -> String {
        let (typedFolder, stem) = split(typed)
        let folder = typedFolder.isEmpty ? "./" : typedFolder
        if stem.isEmpty { return "Nothing to show in \(Sanitizer.clean(folder)) (hidden names start with a dot)" }
        return "Nothing in \(Sanitizer.clean(folder)) starts with \(Sanitizer.clean(stem))"
    }

    /// The line after the file system answered `candidates` for `typed`: one completes the path
    /// (a folder ends in `/`, ready for more); several extend it to what they share and are
    /// listed by their last part. Nil when the line has changed since Tab.
    static func completing(_ line: String, typed: String, with candidates: [String]) -> (line: String, listed: [String])? {
        guard pathToComplete(line) == typed, !candidates.isEmpty else { return nil }
        var common = candidates[0]
        for next in candidates.dropFirst() {
            common = String(zip(common, next).prefix { pair in pair.0 == pair.1 }.map { pair in pair.0 })
        }
        var listed: [String] = []
        if candidates.count > 1 {
            listed = candidates.map { path -> String in
                let folder = path.hasSuffix("/")
                return ((folder ? String(path.dropLast()) : path) as NSString).lastPathComponent + (folder ? "/" : "")
            }
        }
        return ("/attach " + (common.count > typed.count ? common : typed), listed)
    }

    /// The paths `typed` may continue to, written as typed (`~/` kept): the entries of its folder
    /// that start with its last part (hidden ones only when that starts with a dot), folders
    /// ending in `/`, sorted; at most `limit`.
    static func pathCandidates(
        _ typed: String, home: String = HomeDirectory.path(),
        workingDirectory: String = FileManager.default.currentDirectoryPath, limit: Int = 200
    ) -> [String] {
        let (folderAsTyped, stem) = split(typed)
        var folder = HomeDirectory.expand(folderAsTyped.isEmpty ? "./" : folderAsTyped, environment: ["HOME": home])
        if !folder.hasPrefix("/") { folder = workingDirectory + "/" + folder }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        let matching = names.filter { $0.hasPrefix(stem) && (stem.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().prefix(limit)
        return matching.map { name -> String in
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder)
            return folderAsTyped + name + (exists && isFolder.boolValue ? "/" : "")
        }
    }

    /// `~/Documents/rec` → (`~/Documents/`, `rec`); a path without a slash is all stem.
    private static func split(_ typed: String) -> (folder: String, stem: String) {
        guard let slash = typed.lastIndex(of: "/") else { return ("", typed) }
        return (String(typed[...slash]), String(typed[typed.index(after: slash)...]))
    }

    struct Refusal: Error {
        var sentence: String
        init(_ sentence: String) { self.sentence = sentence }
    }
}
