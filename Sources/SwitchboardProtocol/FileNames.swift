/// What a file sent by someone else may be called on disk: one rule for the server, which stores
/// the name, and for every client, which writes the file (so neither a hostile name that got
/// stored earlier nor a hostile server can put a file where a shell or another system acts on it).
///
/// A plain name is a base name (no directories) with no control, bidirectional, zero-width or
/// line-separator characters; it does not start with a dot (`.bash_profile` would be read by the
/// next login shell), a dash (read as an option by `rm`, `tar` …) or a tilde; it does not end in
/// a dot or a space; it is not one of the device names Windows opens instead of a file (`CON`,
/// `NUL.txt`, `COM1` …); and it is at most 255 bytes of UTF-8, its extension kept.
public enum FileNames {
    /// The plain form of `raw`; `file` when nothing usable is left.
    public static func plain(_ raw: String) -> String {
        var name = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        name = String(String.UnicodeScalarView(name.unicodeScalars.filter { !isHidden($0) }))
        name = String(name.drop { $0 == "." || $0 == "-" || $0 == "~" || $0.isWhitespace })
        while let last = name.last, last == "." || last.isWhitespace { name.removeLast() }
        if name.isEmpty { return "file" }
        if isDeviceName(name) { name = "file-" + name }
        return shortened(name)
    }

    /// Characters that are invisible or move other text: C0/C1 controls, DEL, bidi marks,
    /// overrides and isolates, zero-width characters and joiners, the soft hyphen, the byte order
    /// mark, and the line and paragraph separators (U+2028/2029, which break a line in many tools).
    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0xAD, 0x061C, 0x180E, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF:
            true
        default:
            false
        }
    }

    /// `CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`, `LPT0`–`LPT9` (also with superscript digits),
    /// in any case, alone or before an extension: Windows opens the device, not a file.
    static func isDeviceName(_ name: String) -> Bool {
        let stem = String(name.prefix { $0 != "." }).trimmingTrailingSpaces().uppercased()
        if ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"].contains(stem) { return true }
        guard stem.count == 4, stem.hasPrefix("COM") || stem.hasPrefix("LPT"), let last = stem.last else { return false }
        return last.isASCII ? last.isNumber : "¹²³".contains(last)
    }

    /// At most 255 bytes of UTF-8 (what file systems allow), a short extension kept.
    static func shortened(_ name: String) -> String {
        guard name.utf8.count > 255 else { return name }
        let dot = name.lastIndex(of: ".").map { String(name[$0...]) } ?? ""
        let keep = dot.utf8.count < 32 ? dot : ""
        var base = String(name.dropLast(keep.count))
        while base.utf8.count + keep.utf8.count > 255 { base.removeLast() }
        return base + keep
    }

    /// The extensions a file of a checked type may have; a name whose extension disagrees is given
    /// the type's own (`poly.html` holding a PNG is stored as `poly.png`), so no program opens the
    /// bytes as something they are not.
    public static let extensions: [String: [String]] = [
        "image/png": ["png"], "image/jpeg": ["jpg", "jpeg", "jpe", "jfif"], "image/gif": ["gif"], "image/webp": ["webp"],
        "application/pdf": ["pdf"],
        "application/zip": ["zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar"],
        "text/plain": ["txt", "text", "log", "csv", "tsv", "md", "json", "yaml", "yml", "ini", "conf", "cfg", "diff", "patch"],
    ]

    /// `name` with an extension that agrees with `contentType` (unchanged for types not checked).
    public static func agreeing(_ name: String, with contentType: String) -> String {
        guard let allowed = extensions[contentType], let own = allowed.first else { return name }
        let dot = name.lastIndex(of: ".")
        let ext = dot.map { name[name.index(after: $0)...].lowercased() } ?? ""
        if allowed.contains(ext) { return name }
        let stem = dot.map { String(name[..<$0]) } ?? name
        return shortened((stem.isEmpty ? "file" : stem) + "." + own)
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
