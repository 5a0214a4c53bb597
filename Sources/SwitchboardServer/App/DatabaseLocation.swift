import Foundation
import SwitchboardProtocol

/// Where the server keeps its data: `sqlite:PATH`. (`postgres://…` is accepted by the contract and
/// arrives with the PostgreSQL store.)
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)

    public static func parse(_ text: String) throws(ContractError) -> DatabaseLocation {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw ContractError(.invalid, "--db sqlite:PATH needs a path") }
            return .sqlite(path: (path as NSString).expandingTildeInPath)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            throw ContractError(.invalid, "PostgreSQL is not supported by this build yet; use --db sqlite:PATH")
        }
        throw ContractError(.invalid, "--db takes sqlite:PATH or postgres://user:pass@host:port/db (got '\(text)')")
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        }
    }
}
