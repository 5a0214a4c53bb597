import Foundation
import SwitchboardProtocol

/// Where the server keeps its data: `sqlite:PATH` (one process), or `postgres://…` (any number of
/// server processes sharing it).
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public static func parse(_ text: String) throws(ContractError) -> DatabaseLocation {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw ContractError(.invalid, "--db sqlite:PATH needs a path") }
            return .sqlite(path: (path as NSString).expandingTildeInPath)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            do {
                _ = try PostgresDriver.configuration(text, poolSize: 2)
            } catch {
                throw ContractError(.invalid, "--db \(error)")
            }
            return .postgres(url: text)
        }
        throw ContractError(.invalid, "--db takes sqlite:PATH or postgres://user:pass@host:port/db (got '\(text)')")
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): PostgresDriver.redacted(url)
        }
    }
}
