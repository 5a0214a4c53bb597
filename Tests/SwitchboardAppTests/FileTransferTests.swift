import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing
@testable import SwitchboardApp
import TerminalKit

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
        #expect(effects.contains(.attach(ticketId: 1, path: NSHomeDirectory() + "/receipt.pdf", note: false)))
        _ = mode.update(.event(.uploading(FileTransfer(ticketId: 1, name: "receipt.pdf", sent: 600_000, total: 1_000_000), done: false)))
        #expect(World.lines(mode).joined().contains("Uploading receipt.pdf ▰▰▰▰▰▰▱▱▱▱ 60% of 976 KB"))
        _ = mode.update(.event(.uploading(FileTransfer(ticketId: 1, name: "receipt.pdf", sent: 1_000_000, total: 1_000_000), done: true)))
        #expect(mode.transfer == nil && World.lines(mode).joined().contains("receipt.pdf sent"))
        _ = Self.type("/attach", &mode)
        #expect(World.lines(mode).joined().contains("/attach PATH — a file to send"))
        _ = mode.update(.event(.failed(.upload(ticketId: 1), APIError(code: .invalid, message: "Content-Type: the file is not image/png", status: 400))))
        #expect(World.lines(mode).joined().contains("The file was not sent: "))
    }

    @Test func saveTakesTheNewestOrTheNumberedFileAndADirectory() {
        var mode = Self.withFiles()
        #expect(Self.type("/save", &mode) == [.saveAttachment(Self.bill, directory: nil)])
        #expect(Self.type("/save 1 ~/Desktop", &mode) == [.saveAttachment(Self.photo, directory: NSHomeDirectory() + "/Desktop")])
        #expect(Self.type("/save 3", &mode).isEmpty)
        #expect(World.lines(mode).joined().contains("/save N — N from 1 to 2"))
        _ = mode.update(.event(.fileSaved(what: "lamp.png", path: "/home/casey/Downloads/lamp.png")))
        #expect(World.lines(mode).joined().contains("lamp.png is in /home/casey/Downloads/lamp.png"))
    }

    @Test func sizesReadNaturally() {
        #expect(FileTransfer.size(512) == "512 B" && FileTransfer.size(48_213) == "47 KB" && FileTransfer.size(2_000_000) == "1.9 MB")
    }
}
