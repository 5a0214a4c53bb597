import Foundation
import Hummingbird
import Logging
import Testing

@testable import SwitchboardServer

/// `docs/openapi.yaml` describes every route the router serves, and nothing it does not: the
/// fuzz run (scripts/fuzz-api) can only check what the document names.
@Suite struct OpenAPIDocumentTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")

    /// `METHOD /path/{id}` for each operation under `paths:` (keys two spaces in, methods four).
    static func documentedOperations() throws -> Set<String> {
        let lines = try String(contentsOf: document, encoding: .utf8).components(separatedBy: "\n")
        var operations: Set<String> = []
        var inPaths = false, path: String?
        for line in lines {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            if inPaths, !line.isEmpty, !line.hasPrefix(" "), !line.hasPrefix("#") { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.trimmingCharacters(in: .whitespaces).split(separator: ":").first.map(String.init) ?? ""
                if ["get", "post", "put", "delete", "patch"].contains(key) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    static func routedOperations() async throws -> Set<String> {
        let server = try TestServer()
        defer { server.cleanUp() }
        let logger = Logger(label: "test")
        let store = try await openStore(server.configuration, logger: logger)
        let services = try await SupportServices(store: store, configuration: server.configuration, logger: logger)
        let routes = buildRouter(services).routes.map { route -> String in
            let path = "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return "\(route.method.rawValue) /" + path.joined(separator: "/")
        }
        try await store.close()
        return Set(routes)
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let documented = try Self.documentedOperations(), routed = try await Self.routedOperations()
        #expect(routed.count > 25, "\(routed.sorted())")
        #expect(routed.subtracting(documented).isEmpty, "routes missing from docs/openapi.yaml: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
    }
}
