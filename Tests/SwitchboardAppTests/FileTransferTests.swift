import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

@Suite struct FileTransferTests {
    static let photo = Attachment(id: 4, ticketId: 1, fileName: "lamp.png", contentType: "image/png", size: 48_213, sha256: "ab")
    static let bill = Attachment(id: 5, ticketId: 1, fileName: "bill.pdf", contentType: "application/pdf", size: 2_000_000, sha256: "cd")

    static func withFiles() -> CustomerMode {
        var mode = World.mode(width: 100, height: 24, tickets: [World.ticket(1, "Parcel")])
        _ = mode.update(.key(.enter))
        var first = World.message(1, "", minutesAgo: 3), second = World.message(2, "Here is the bill", minutesAgo: 2)
        first.messageType = .image
        first.attachment = photo
        first.message = "lamp.png"
        second.messageType = .file
        second.attachment = bill
        _ = mode.update(.event(.page(ticketId: 1, MessagePage(items: [first, second], hasMore: false), older: false)))
        return mode
    }

    static func type(_ text: String, _ mode: inout CustomerMode) -> [Effect] {
        for c in text { _ = mode.update(.key(.char(c))) }
        return mode.update(.key(.enter))
    }

    @Test func filesShowWithTheirNumberSizeAndType() {
        let text = World.lines(Self.withFiles()).joined(separator: "\n")
        #expect(text.contains("📎 1 lamp.png · 47 KB · image/png"))
        #expect(text.contains("📎 2 bill.pdf · 1.9 MB · application/pdf"))
        #expect(text.contains("Here is the bill"))
        #expect(!text.contains("  lamp.png\n"), "no words written: the name is not said twice")
    }

    @Test func attachSendsTheFileWithTheHomeExpandedAndShowsItsProgress() {
        var mode = Self.withFiles()
        let effects = Self.type("/attach ~/receipt.pdf", &mode)
        #expect(effects.contains(.attach(ticketId: 1, path: HomeDirectory.path() + "/receipt.pdf", note: false)))
        // The outbox holds it (shown as it will look, queued), then uploads it, then its message goes.
        var pending = OutgoingMessage(
            clientMessageId: "f-1", ticketId: 1, text: "", messageType: .file,
            file: OutgoingFile(name: "receipt.pdf", size: 1_000_000, copy: URL(fileURLWithPath: "/tmp/f-1")))
        _ = mode.update(.event(.realtime(.outgoing(pending))))
        #expect(World.lines(mode).joined(separator: "\n").contains("📎 receipt.pdf · 976 KB  ◷ queued"))
        _ = mode.update(.event(.realtime(.uploading(pending, sent: 600_000))))
        #expect(World.lines(mode).joined().contains("Uploading receipt.pdf ▰▰▰▰▰▰▱▱▱▱ 60% of 976 KB"))
        let stored = Attachment(id: 6, ticketId: 1, fileName: "receipt.pdf", contentType: "application/pdf", size: 1_000_000, sha256: "ef")
        pending.file?.attachment = stored
        _ = mode.update(.event(.realtime(.outgoing(pending))))
        #expect(mode.transfer == nil, "uploaded: the bar goes, the message is on its way")
        pending.state = .sent(messageId: 9, seq: 3, timestamp: Date())
        _ = mode.update(.event(.realtime(.outgoing(pending))))
        let shown = World.lines(mode).joined(separator: "\n")
        #expect(shown.contains("receipt.pdf sent") && shown.contains("📎 3 receipt.pdf · 976 KB · application/pdf"))
        _ = Self.type("/attach", &mode)
        #expect(World.lines(mode).joined().contains("/attach PATH — a file to send"))
        _ = mode.update(
            .event(.failed(.upload(ticketId: 1), APIError(code: .invalid, message: "Content-Type: the file is not image/png", status: 400)))
        )
        #expect(World.lines(mode).joined().contains("The file was not sent: "))
    }

    @Test func saveTakesTheNewestOrTheNumberedFileAndADirectory() {
        var mode = Self.withFiles()
        #expect(Self.type("/save", &mode) == [.saveAttachment(Self.bill, directory: nil)])
        #expect(Self.type("/save 1 ~/Desktop", &mode) == [.saveAttachment(Self.photo, directory: HomeDirectory.path() + "/Desktop")])
        #expect(Self.type("/save 3", &mode).isEmpty)
        #expect(World.lines(mode).joined().contains("/save N — N from 1 to 2"))
        _ = mode.update(.event(.fileSaved(what: "lamp.png", path: "/home/casey/Downloads/lamp.png")))
        #expect(World.lines(mode).joined().contains("lamp.png is in /home/casey/Downloads/lamp.png"))
    }

    @Test func tabCompletesPathsAfterAttachFromTheFileSystem() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        for folder in ["Documents", "Downloads", "My Files"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for file in ["receipt-march.pdf", "receipt-april.pdf", ".secret"] {
            try Data("x".utf8).write(to: home.appendingPathComponent("Documents/" + file))
        }
        let list = { (typed: String) in FileTransfer.pathCandidates(typed, home: home.path, workingDirectory: home.path) }
        #expect(list("~/Do") == ["~/Documents/", "~/Downloads/"], "folders end in a slash; ~ kept as typed")
        #expect(list("~/Documents/rec") == ["~/Documents/receipt-april.pdf", "~/Documents/receipt-march.pdf"])
        #expect(list("~/Documents/") == ["~/Documents/receipt-april.pdf", "~/Documents/receipt-march.pdf"], "hidden files stay hidden")
        #expect(list("~/Documents/.s") == ["~/Documents/.secret"])
        #expect(list("My") == ["My Files/"], "relative to the working directory, spaces and all")
        #expect(list(home.path + "/Documents/receipt-m") == [home.path + "/Documents/receipt-march.pdf"])
        #expect(list("~/nowhere/x").isEmpty)

        // In the chat: Tab asks, the answer completes the line (or lists the choices).
        var mode = Self.withFiles()
        for c in "/attach ~/Do" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.tab)) == [.completePath("~/Do")])
        _ = mode.update(.event(.pathCompletions(typed: "~/Do", list("~/Do"))))
        #expect(mode.editor.text == "/attach ~/Do" && World.lines(mode).joined().contains("Documents/  Downloads/"))
        for c in "cuments/receipt-m" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.tab)) == [.completePath("~/Documents/receipt-m")])
        _ = mode.update(.event(.pathCompletions(typed: "~/Documents/receipt-m", list("~/Documents/receipt-m"))))
        #expect(mode.editor.text == "/attach ~/Documents/receipt-march.pdf")
        // An answer to a line since changed is dropped; nothing found says so.
        _ = mode.update(.event(.pathCompletions(typed: "~/Do", list("~/Do"))))
        #expect(mode.editor.text == "/attach ~/Documents/receipt-march.pdf")
        for _ in 0..<3 { _ = mode.update(.key(.backspace)) }
        for c in "zip" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.event(.pathCompletions(typed: "~/Documents/receipt-march.zip", [])))
        #expect(World.lines(mode).joined().contains("Nothing in ~/Documents/ starts with receipt-march.zip"))
        #expect(FileTransfer.nothingFound("~/") == "Nothing to show in ~/ (hidden names start with a dot)")
        #expect(FileTransfer.nothingFound("zz") == "Nothing in ./ starts with zz")

        // The console's tabs do the same.
        var console = ConsoleModeTests.open(
            ConsoleModeTests.console(tickets: [
                ConsoleModeTests.ticket(
                    1, "T", agent: ConsoleModeTests.me.ref,
                    minutesAgo: 5)
            ]), 1)
        for c in "/attach My" { _ = console.update(.key(.char(c))) }
        #expect(console.update(.key(.tab)) == [.completePath("My")])
        _ = console.update(.event(.pathCompletions(typed: "My", list("My"))))
        #expect(console.currentTab?.editor.text == "/attach My Files/")
    }

    @Test func sizesReadNaturally() {
        #expect(FileTransfer.size(512) == "512 B" && FileTransfer.size(48_213) == "47 KB" && FileTransfer.size(2_000_000) == "1.9 MB")
    }
}

@Suite struct FailoverViewTests {
    /// Moved to another node: the title names the node in use, and a line says why.
    @Test func theTitleFollowsTheNodeInUse() {
        var mode = World.mode(width: 100, height: 24, tickets: [World.ticket(1, "Parcel")])
        _ = mode.update(.event(.realtime(.movedTo(server: "http://node-b:8080", from: "http://node-a:8080"))))
        let lines = World.lines(mode)
        #expect(lines[0].contains("http://node-b:8080") && !lines[0].contains("node-a"))
        #expect(lines.joined().contains("http://node-a:8080 is not answering: now on http://node-b:8080"))
    }

    /// Issue 29: with no folder named, `/save` never writes into the home directory or the working
    /// directory (a customer's `.bash_profile` once landed in `~`).
    @Test func theDefaultSaveFolderIsNeverHomeOrHere() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("save-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let home = root.appendingPathComponent("home"), data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        func folder(_ environment: [String: String], here: URL) -> String {
            EffectRunner.downloads(
                environment: ["HOME": home.path].merging(environment) { $1 }, dataDirectory: data,
                workingDirectory: here.path
            ).path
        }
        // No XDG_DOWNLOAD_DIR, no ~/Downloads, started in the home directory: ~/Downloads is made.
        #expect(folder([:], here: home) == home.appendingPathComponent("Downloads").path)
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("Downloads").path))
        // XDG_DOWNLOAD_DIR is obeyed — unless it names the home directory or the working directory.
        let chosen = root.appendingPathComponent("chosen")
        #expect(folder(["XDG_DOWNLOAD_DIR": chosen.path], here: home) == chosen.path)
        #expect(folder(["XDG_DOWNLOAD_DIR": home.path + "/"], here: home) == home.appendingPathComponent("Downloads").path)
        #expect(folder(["XDG_DOWNLOAD_DIR": "~"], here: root) == home.appendingPathComponent("Downloads").path)
        #expect(folder(["XDG_DOWNLOAD_DIR": chosen.path], here: chosen) == home.appendingPathComponent("Downloads").path)
        // A home that cannot hold a Downloads folder: the data directory's downloads.
        let nowhere = root.appendingPathComponent("missing-home")
        let fallback = EffectRunner.downloads(environment: ["HOME": nowhere.path], dataDirectory: data, workingDirectory: nowhere.path)
        #expect(fallback.path == data.appendingPathComponent("downloads").path)
    }
}
