import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct HealthTests {
    /// 200 while the database answers; 503 with the contract's error body once it does not.
    @Test func healthFollowsTheDatabase() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let store = try await openStore(server.configuration, logger: Logger(label: "test"))
        let services = try await SupportServices(store: store, configuration: server.configuration, logger: Logger(label: "test"))
        let app = Application(router: buildRouter(services))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == #"{"status":"ok"}"#)
            }
            try await store.close()
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
                #expect(body.error.code == .internal && body.error.message == "the database does not answer")
            }
        }
    }
}

@Suite struct MetricsTests {
    /// Prometheus text with every series labelled by node; messages and commits counted as they happen.
    @Test func metricsCountWhatHappens() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        try await server.seed(Cast.staff)
        try await server.withClient { api in
            let cast = try await Cast.assemble(api)
            let before = try await api.get("/metrics", token: nil)
            #expect(before.status == 200 && before.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(decoding: before.body, as: UTF8.self)
            #expect(text.contains("# TYPE switchboard_connections gauge"))
            #expect(text.contains("switchboard_connections{node=\""))
            let id = try await api.openTicket(cast.customer, subject: "Counted").id
            for turn in 0..<3 { try await api.send(cast.customer, ticket: id, "m\(turn)", clientId: "m\(turn)") }
            let after = String(decoding: try await api.get("/metrics", token: nil).body, as: UTF8.self)
            let stored = after.split(separator: "\n").first { $0.hasPrefix("switchboard_messages_stored_total{") }
            #expect(stored?.hasSuffix(" 3") == true, "\(after)")
            let commits = after.split(separator: "\n").first { $0.hasPrefix("switchboard_commit_latency_seconds_count{") }
            #expect(commits?.hasSuffix(" 3") == true)
            #expect(after.contains("switchboard_outbound_queue_depth_max{node=\""))
        }
    }
}
