import Foundation

/// `embedded-server` in the data directory: the address of the server plain `switchboard` runs,
/// and its process, so `switchboard chat` (and the other modes) with no `--server` find it from a
/// second terminal. A file left by a process that has ended is ignored.
public enum EmbeddedServerFile {
    public static func url(in directory: URL) -> URL { directory.appendingPathComponent("embedded-server") }

    public static func write(_ address: String, in directory: URL, pid: Int32 = getpid()) {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: url(in: directory).path, contents: Data("\(address)\n\(pid)\n".utf8),
            attributes: [.posixPermissions: 0o600])
    }

    /// The running embedded server's address, if one is running.
    public static func read(in directory: URL) -> String? {
        guard let text = try? String(contentsOf: url(in: directory), encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.count >= 2, let pid = Int32(lines[1]), kill(pid, 0) == 0 else { return nil }
        return lines[0]
    }

    public static func remove(in directory: URL, pid: Int32 = getpid()) {
        guard let text = try? String(contentsOf: url(in: directory), encoding: .utf8),
            text.split(separator: "\n").dropFirst().first == Substring(String(pid))
        else { return }
        try? FileManager.default.removeItem(at: url(in: directory))
    }
}
