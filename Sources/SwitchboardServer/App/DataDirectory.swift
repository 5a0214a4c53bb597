import Foundation

/// `$XDG_DATA_HOME/switchboard`, else `~/.local/share/switchboard`: the default database and the
/// generated JWT secret live here.
public enum DataDirectory {
    public static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("switchboard")
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".local/share/switchboard")
    }

    /// The secret in `jwt-secret` under `directory`, made (random, owner-only) on first use.
    public static func jwtSecret(in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("jwt-secret")
        if let existing = try? String(contentsOf: file, encoding: .utf8) {
            let secret = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if secret.count >= 32 { return secret }
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let secret = TokenService.newRefreshToken() + TokenService.newRefreshToken()
        guard
            FileManager.default.createFile(
                atPath: file.path, contents: Data((secret + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path]) }
        return secret
    }
}
