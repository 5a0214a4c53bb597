import Foundation
import SwitchboardProtocol

/// What an uploaded file may be called and what it is: a safe base name, and the type its
/// bytes show (not what the client claims).
enum AttachmentRules {
    /// The types checked against the bytes; any other claim is stored as `application/octet-stream`.
    static let checked = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "application/zip", "text/plain"]

    /// The stored type for what was claimed, or nil when the bytes are not what the claim says.
    static func contentType(claimed: String?, bytes: Data) -> String? {
        let claim = (claimed ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard checked.contains(claim) else { return "application/octet-stream" }
        return sniff(bytes) == claim ? claim : nil
    }

    /// The type the first bytes show: PNG, JPEG, GIF, WebP, PDF, ZIP, or UTF-8 text (no NUL).
    static func sniff(_ bytes: Data) -> String? {
        let head = [UInt8](bytes.prefix(16))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.count && Array(head[offset..<(offset + prefix.count)]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return "application/zip" }
        if !bytes.contains(0), String(data: bytes, encoding: .utf8) != nil { return "text/plain" }
        return nil
    }

    /// A name that is safe to store and to offer for download (`FileNames.plain`: no directories,
    /// nothing hidden, no leading dot or dash, no device name, at most 255 bytes), with an extension
    /// that agrees with the type the server stores (`FileNames.agreeing`).
    static func fileName(_ raw: String?, contentType: String) -> String {
        let decoded = (raw ?? "").removingPercentEncoding ?? raw ?? ""
        return FileNames.agreeing(FileNames.plain(decoded), with: contentType)
    }
}
