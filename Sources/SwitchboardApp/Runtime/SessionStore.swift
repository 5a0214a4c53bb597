import Foundation
import SwitchboardProtocol

/// Logins kept between runs, in `logins.json` in the data directory (mode 0600: the refresh
/// token in it is a key to the account), one per server and username. Refreshed tokens replace
/// the old ones as they come; `/logout` forgets the login.
public struct SessionStore: Sendable {
    public let file: URL

    public init(directory: URL) {
        file = directory.appendingPathComponent("logins.json")
    }

    static func key(server: String, username: String) -> String { "\(server) \(username.lowercased())" }

    public func load(server: String, username: String) -> AuthResponse? {
        all()[Self.key(server: server, username: username)]
    }

    public func save(_ session: AuthResponse?, server: String, username: String) {
        var logins = all()
        logins[Self.key(server: server, username: username)] = session
        guard let data = try? WireJSON.encoder().encode(logins) else { return }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Written beside, owner-only from the start, then renamed over the old file in one step.
        let temporary = file.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        if rename(temporary.path, file.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
    }

    private func all() -> [String: AuthResponse] {
        guard let data = try? Data(contentsOf: file) else { return [:] }
        return (try? WireJSON.decoder().decode([String: AuthResponse].self, from: data)) ?? [:]
    }
}
