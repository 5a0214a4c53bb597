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
